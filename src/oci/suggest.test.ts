import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { closestMatch, editDistance, withSuggestion } from './suggest.js';

describe('suggestions', () => {
  it('measures edit distance', () => {
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('run', 'run'), 0);
    assert.equal(editDistance('héllo', 'hello'), 1);
  });

  it('picks the closest option under distance 3, following the case of the value', () => {
    const options = ['CMD', 'COPY', 'FROM', 'RUN'];
    assert.equal(closestMatch('COPPY', options, false), 'COPY');
    assert.equal(closestMatch('copp', options, false), 'copy');
    assert.equal(closestMatch('Copp', options, false), 'copy');
    assert.equal(closestMatch('WORKDIR', options, false), undefined);
    assert.equal(closestMatch('run', options, false), undefined);
    assert.equal(closestMatch('Run', ['run'], true), 'run');
    assert.equal(closestMatch('run', ['run', 'runs'], true), undefined);
    assert.equal(closestMatch('chmd', ['chown', 'chmod'], true), 'chmod');
  });

  it('appends the hint to a message', () => {
    assert.equal(
      withSuggestion('unknown: x', 'FRM', ['FROM'], false),
      'unknown: x (did you mean FROM?)',
    );
    assert.equal(withSuggestion('unknown: x', 'zzzzz', ['FROM'], false), 'unknown: x');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseInstructionFlags } from './dockerfile-flags.js';

const ACCEPTED = { chown: 'string', link: 'bool', exclude: 'strings' } as const;

describe('parseInstructionFlags', () => {
  it('reads string, bool and repeatable flags', () => {
    const flags = parseInstructionFlags(
      ['--exclude=*.md', '--chown=1:2', '--link', '--exclude=.git'],
      ACCEPTED,
    );
    assert.equal(flags.value('chown'), '1:2');
    assert.equal(flags.isTrue('link'), true);
    assert.deepEqual(flags.values('exclude'), ['*.md', '.git']);
    assert.deepEqual(flags.used, ['exclude', 'chown', 'link']);
    assert.equal(flags.value('missing'), undefined);
    assert.equal(parseInstructionFlags(['--link=FALSE'], ACCEPTED).isTrue('link'), false);
  });

  it('stops at --', () => {
    assert.deepEqual(parseInstructionFlags(['--', '--bogus'], ACCEPTED).used, []);
  });

  it("rejects bad flags with Docker's words", () => {
    const cases: [string[], string][] = [
      [['chown=1'], 'arg should start with -- : chown=1'],
      [['--chwn=1'], 'unknown flag: --chwn (did you mean chown?)'],
      [['--nothing=1'], 'unknown flag: --nothing'],
      [['--chown=1', '--chown=2'], 'duplicate flag specified: --chown'],
      [['--chown'], 'missing a value on flag: --chown'],
      [['--link='], 'missing a value on flag: --link'],
      [['--link=yes'], 'expecting boolean value for flag --link, not: yes'],
      [['--exclude'], 'missing a value on flag: --exclude'],
    ];
    for (const [words, message] of cases) {
      assert.throws(() => parseInstructionFlags(words, ACCEPTED), { message }, words.join(' '));
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createIgnoreMatcher, parseDockerignore } from './dockerignore.js';

const ignored = (patterns: string, path: string) =>
  createIgnoreMatcher(parseDockerignore(patterns)).matches(path);

describe('dockerignore', () => {
  it('reads patterns as Docker does', () => {
    assert.deepEqual(parseDockerignore('# comment\n  /a/b/  \n\n!  c/../d\n**/*.go\r\n'), [
      'a/b',
      '!d',
      '**/*.go',
    ]);
  });

  it("matches Docker's documented examples", () => {
    assert.equal(ignored('*/temp*', 'somedir/temporary.txt'), true);
    assert.equal(ignored('*/temp*', 'temp'), false);
    assert.equal(ignored('*/*/temp*', 'somedir/subdir/temporary.txt'), true);
    assert.equal(ignored('temp?', 'tempa'), true);
    assert.equal(ignored('temp?', 'tempab'), false);
    assert.equal(ignored('**/*.go', 'a/b/c.go'), true);
    assert.equal(ignored('**/*.go', 'c.go'), true);
  });

  it('a matching parent directory excludes what is below it', () => {
    assert.equal(ignored('secret', 'secret/key'), true);
    assert.equal(ignored('secret', 'other/secret.txt'), false);
  });

  it('the last matching pattern wins; exceptions re-include', () => {
    assert.equal(ignored('*.md\n!README.md', 'README.md'), false);
    assert.equal(ignored('*.md\n!README.md', 'CHANGES.md'), true);
    assert.equal(ignored('*.md\n!README*.md\nREADME-secret.md', 'README-secret.md'), true);
    assert.equal(ignored('*.md\nREADME-secret.md\n!README*.md', 'README-secret.md'), false);
  });

  it('tells whether an excluded directory may hold re-included files', () => {
    const plain = createIgnoreMatcher(parseDockerignore('logs'));
    assert.equal(plain.mayMatchInside('logs'), false);
    const withException = createIgnoreMatcher(parseDockerignore('logs\n!logs/keep.txt'));
    assert.equal(withException.hasExceptions, true);
    assert.equal(withException.mayMatchInside('logs'), true);
    assert.equal(withException.matches('logs/keep.txt'), false);
  });
});

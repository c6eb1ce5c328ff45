import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createIgnoreMatcher, goCleanPath, parseDockerignore } from './dockerignore.js';
import { compileGoRegexp } from './go-regexp.js';

/** Whether `.dockerignore` text excludes `path`. */
const ignored = (text: string, path: string) =>
  createIgnoreMatcher(parseDockerignore(text)).matches(path);

/** [pattern, path, excluded] for one pattern alone. */
function check(cases: Array<[string, string, boolean]>): void {
  for (const [pattern, path, expected] of cases) {
    const actual = createIgnoreMatcher([pattern]).matches(path);
    assert.equal(actual, expected, `${JSON.stringify(pattern)} on ${JSON.stringify(path)}`);
  }
}

describe('parseDockerignore', () => {
  it('skips comments and empty lines, trims, cleans, drops a leading slash, keeps !', () => {
    const text = '# a comment\n  /a/b/  \n\n\t\n!  c/../d\n**/*.go\r\n./e/./f\n/\n!/g\n';
    assert.deepEqual(parseDockerignore(text), ['a/b', '!d', '**/*.go', 'e/f', '/', '!g']);
  });

  it('only a # in the first column starts a comment; a BOM starts the file', () => {
    assert.deepEqual(parseDockerignore('\uFEFF#x\n  #y\n'), ['#y']);
    assert.deepEqual(parseDockerignore('\uFEFFa\n\uFEFFb'), ['a', '\uFEFFb']);
  });

  it("trims what Go's TrimSpace trims", () => {
    assert.deepEqual(parseDockerignore('\u00a0a\u3000\n\u0085b\u2028\n\u2000c\u205f'), [
      'a',
      'b',
      'c',
    ]);
    // A BOM past the first line is no space to Go.
    assert.deepEqual(parseDockerignore('x\n\uFEFFd'), ['x', '\uFEFFd']);
  });

  it('keeps a lone ! (the matcher refuses it) and cleans .. above the root away', () => {
    assert.deepEqual(parseDockerignore('!\n /../x\n../y\n'), ['!', 'x', '../y']);
  });

  it("fails on a line of 64 KiB, as Docker's scanner does", () => {
    assert.throws(() => parseDockerignore(`${'a'.repeat(65536)}\n`), /token too long/);
    assert.equal(parseDockerignore(`${'a'.repeat(65535)}\n`).length, 1);
  });

  it("cleans like Go's filepath.Clean", () => {
    const cases: Array<[string, string]> = [
      ['', '.'],
      ['a//b/', 'a/b'],
      ['/../a', '/a'],
      ['a/../..', '..'],
      ['./', '.'],
      ['/', '/'],
    ];
    for (const [input, output] of cases) assert.equal(goCleanPath(input), output, input);
  });
});

describe("Docker's documented .dockerignore examples", () => {
  const docs = '# comment\n*/temp*\n*/*/temp*\ntemp?\n';

  it('*/temp* excludes names starting with temp in immediate subdirectories', () => {
    assert.equal(ignored(docs, 'somedir/temporary.txt'), true);
    assert.equal(ignored(docs, 'somedir/temp'), true);
    assert.equal(ignored(docs, 'somedir/temp/inside.txt'), true);
    assert.equal(ignored(docs, 'temporary.txt'), false);
  });

  it('*/*/temp* excludes them two levels below the root', () => {
    assert.equal(ignored(docs, 'somedir/subdir/temporary.txt'), true);
    assert.equal(ignored(docs, 'a/b/c/temporary.txt'), false);
  });

  it('temp? excludes one-character extensions of temp in the root', () => {
    assert.equal(ignored(docs, 'tempa'), true);
    assert.equal(ignored(docs, 'tempb'), true);
    assert.equal(ignored(docs, 'temp'), false);
    assert.equal(ignored(docs, 'tempab'), false);
    assert.equal(ignored('temp?', 'dir/tempa'), false);
  });

  it('**/*.go excludes .go files anywhere, the root included', () => {
    for (const path of ['main.go', 'cmd/main.go', 'a/b/c/d.go']) {
      assert.equal(ignored('**/*.go', path), true, path);
    }
    assert.equal(ignored('**/*.go', 'main.go.txt'), false);
  });

  it('*.md with !README.md keeps only README.md', () => {
    const text = '*.md\n!README.md\n';
    assert.equal(ignored(text, 'README.md'), false);
    assert.equal(ignored(text, 'CHANGES.md'), true);
    assert.equal(ignored(text, 'docs/CHANGES.md'), false, '*.md is for the root only');
  });

  it('!README*.md then README-secret.md: the later pattern wins', () => {
    const text = '*.md\n!README*.md\nREADME-secret.md\n';
    assert.equal(ignored(text, 'README.md'), false);
    assert.equal(ignored(text, 'README-public.md'), false);
    assert.equal(ignored(text, 'README-secret.md'), true);
    assert.equal(ignored(text, 'other.md'), true);
  });

  it('README-secret.md then !README*.md: the middle line has no effect', () => {
    const text = '*.md\nREADME-secret.md\n!README*.md\n';
    assert.equal(ignored(text, 'README-secret.md'), false);
    assert.equal(ignored(text, 'README.md'), false);
    assert.equal(ignored(text, 'other.md'), true);
  });

  it('/foo/bar and foo/bar are the same pattern', () => {
    assert.equal(ignored('/foo/bar', 'foo/bar'), true);
    assert.equal(ignored('foo/bar', 'foo/bar/baz'), true);
    assert.equal(ignored('/foo/bar', 'x/foo/bar'), false);
  });
});

describe('createIgnoreMatcher', () => {
  it("follows Go's filepath.Match syntax", () => {
    check([
      ['abc', 'abc', true],
      ['*', 'abc', true],
      ['*c', 'abc', true],
      ['a*', 'ab/c', true], // through the parent 'ab'
      ['a*/b', 'abc/b', true],
      ['a*/b', 'a/c/b', false],
      ['a*b?c*x', 'abxbbxdbxebxczzx', true],
      ['a*b?c*x', 'abxbbxdbxebxczzy', false],
      ['ab[c]', 'abc', true],
      ['ab[b-d]', 'abc', true],
      ['ab[e-g]', 'abc', false],
      ['ab[^c]', 'abc', false],
      ['ab[^e-g]', 'abc', true],
      ['a\\*b', 'a*b', true],
      ['a\\*b', 'ab', false],
      ['a?b', 'a☺b', true],
      ['a[^a]b', 'a☺b', true],
      ['a???b', 'a☺b', false],
      ['[a-ζ]*', 'α', true],
      ['a?b', 'a/b', false],
      ['a*b', 'a/b', false],
      ['[\\]a]', ']', true],
      ['[\\-]', '-', true],
      ['[x\\-]', 'z', false],
      ['a\\\\', 'a\\', true],
    ]);
  });

  it('treats regexp characters as themselves', () => {
    check([
      ['abc.def', 'abc.def', true],
      ['abc.def', 'abcZdef', false],
      ['a(b)c/def', 'a(b)c/def', true],
      ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
      ['dist/*.whl', 'dist/pkg-1.0+local-py3-none-any.whl', true],
      ['.*', '.foo', true],
      ['.*', 'foo', false],
    ]);
  });

  it('** spans any number of directories', () => {
    check([
      ['**', 'file', true],
      ['**', 'dir/file', true],
      ['**/', 'file', true],
      ['**/**', 'dir/file', true],
      ['dir/**', 'dir/file', true],
      ['dir/**', 'dir/dir2/file', true],
      ['abc/**', 'abc', false],
      ['**/dir', 'dir', true],
      ['**/dir', 'a/b/dir/file', true],
      ['**/dir2/*', 'dir/dir2/file', true],
      ['**/dir2/**', 'dir/dir2/dir3/file', true],
      ['**/file*.txt', 'dir/dir/file.txt', true],
      ['**/**/*.txt2', 'dir/dir/file.txt', false],
      ['a**/*.txt', 'a/dir/dir/file.txt', true],
      ['a/*.txt', 'a/dir/file.txt', false],
      ['a/*.txt**', 'a/file.txt', true],
      ['**/.foo', '.foo', true],
      ['**/.foo', 'bar.foo', false],
    ]);
  });

  it("keeps Docker's quirks: a leading ** is a plain suffix, a trailing one a prefix", () => {
    check([
      ['**foo', 'barfoo', true],
      ['**/foo', 'foo', true],
      ['ab**', 'abc', true],
      ['ab/**', 'ab', false],
    ]);
  });

  it('a pattern matching a parent directory excludes everything below it', () => {
    check([
      ['secret', 'secret/key', true],
      ['secret', 'secret/a/b/key', true],
      ['secret', 'other/secret', false],
      ['*/secret', 'a/secret/key', true],
    ]);
  });

  it('later patterns override earlier ones; exceptions re-include', () => {
    const matcher = createIgnoreMatcher(['**', '!util/docker/web']);
    assert.equal(matcher.matches('util/docker/web/foo'), false);
    assert.equal(matcher.matches('util/docker/other'), true);
    const again = createIgnoreMatcher(['**', '!util/docker/web', 'util/docker/web/foo']);
    assert.equal(again.matches('util/docker/web/foo'), true);
    assert.equal(again.matches('util/docker/web/bar'), false);
  });

  it('an exception before any exclusion changes nothing', () => {
    assert.equal(createIgnoreMatcher(['!a', 'a']).matches('a'), true);
    assert.equal(createIgnoreMatcher(['!a']).matches('a'), false);
  });

  it('with no patterns excludes nothing', () => {
    const matcher = createIgnoreMatcher([]);
    assert.equal(matcher.matches('anything'), false);
    assert.equal(matcher.hasExceptions, false);
  });

  it('trims and cleans patterns again, skipping empty ones', () => {
    assert.equal(createIgnoreMatcher(['  a/b/  ', '', '   ']).matches('a/b'), true);
  });

  it("refuses ! alone and malformed patterns with Docker's messages", () => {
    assert.throws(() => createIgnoreMatcher(['!']), { message: 'illegal exclusion pattern: "!"' });
    for (const bad of ['[', '[^', '[^bc', 'a[', '[]a]', '[-]', '[x-]', '[-x]', '[a-b-c]', '\\']) {
      assert.throws(() => createIgnoreMatcher([bad]), { message: 'syntax error in pattern' }, bad);
    }
    for (const good of ['[[]', '[\\]]', '[a*]x', '[!a]']) {
      assert.doesNotThrow(() => createIgnoreMatcher([good]), good);
    }
  });

  it("fails a match on a pattern Go's regexp refuses, only when it is tried", () => {
    const matcher = createIgnoreMatcher(['[Local-Only]/']);
    assert.throws(() => matcher.matches('x'), { message: 'syntax error in pattern' });
    assert.throws(() => matcher.matches('x'), { message: 'syntax error in pattern' });
    // An exception is not tried while nothing is excluded.
    assert.equal(createIgnoreMatcher(['!z[z-a]']).matches('x'), false);
  });

  it('mayMatchInside: only exceptions that start with the directory keep it walked', () => {
    const plain = createIgnoreMatcher(['logs']);
    assert.equal(plain.hasExceptions, false);
    assert.equal(plain.mayMatchInside('logs'), false);
    const keep = createIgnoreMatcher(['logs', '!logs/keep.txt']);
    assert.equal(keep.hasExceptions, true);
    assert.equal(keep.mayMatchInside('logs'), true);
    assert.equal(keep.mayMatchInside('log'), false);
    assert.equal(keep.matches('logs/keep.txt'), false);
    assert.equal(keep.matches('logs/other.txt'), true);
    assert.equal(createIgnoreMatcher(['a', '!a']).mayMatchInside('a'), true);
    // Docker compares text: a wildcard exception does not keep the directory walked.
    assert.equal(createIgnoreMatcher(['vendor', '!**/*.go']).mayMatchInside('vendor'), false);
    assert.equal(createIgnoreMatcher(['*', '!*/keep']).mayMatchInside('dir'), false);
  });
});

describe('compileGoRegexp', () => {
  it('carries escapes, classes and anchors over', () => {
    const cases: Array<[string, string, boolean]> = [
      ['^a\\.b$', 'a.b', true],
      ['^a\\.b$', 'axb', false],
      ['^\\d+$', '123', true],
      ['^[\\d]x$', '7x', true],
      ['^\\D$', '7', false],
      ['^[[:alpha:]]+$', 'abc', true],
      ['^[[:^alpha:]]$', 'a', false],
      ['^\\x41\\x{42}\\101$', 'ABA', true],
      ['^\\Q*+\\E$', '*+', true],
      ['^[^/]*$', 'a/b', false],
      ['^a.b$', 'a\rb', true],
      ['^a.b$', 'a\nb', false],
      ['^[]a]$', ']', true],
      ['^(.*/)?x$', 'a/b/x', true],
      ['\\Afoo\\z', 'foo', true],
      ['^foo\\bar$', 'fooar', false],
    ];
    for (const [source, text, expected] of cases) {
      assert.equal(compileGoRegexp(source).test(text), expected, `${source} on ${text}`);
    }
  });

  it('refuses what Go refuses', () => {
    for (const source of ['[z-a]', '\\q', '\\8', '[a', '\\', '[[:nope:]]', '\\C']) {
      assert.throws(() => compileGoRegexp(source), /error parsing regexp|Invalid/, source);
    }
  });
});

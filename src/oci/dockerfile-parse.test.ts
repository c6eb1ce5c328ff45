import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseDockerfile, parseDockerfileLines, parseInstructionLine } from './dockerfile-parse.js';

/** An InvalidArgument error with exactly `message`. */
const invalid = (message: string) => ({ kind: 'InvalidArgument', message });

const summary = (text: string) =>
  parseDockerfile(text).nodes.map((n) => ({ line: n.line, command: n.command, args: n.args }));

describe('parseDockerfile: lines, comments and continuations', () => {
  it('splits instructions and numbers their first lines', () => {
    const text = '# comment\nFROM alpine\n\n  RUN echo hi\nCMD ["sh"]\n';
    assert.deepEqual(summary(text), [
      { line: 2, command: 'FROM', args: ['alpine'] },
      { line: 4, command: 'RUN', args: ['echo hi'] },
      { line: 5, command: 'CMD', args: ['sh'] },
    ]);
  });

  it('joins continuation lines, skipping comments inside them, and keeps the original', () => {
    const text = [
      'FROM alpine',
      'RUN apk add \\',
      '    # the shell never sees this',
      '    curl \\',
      '  \t# nor this',
      '    git',
      'RUN echo # not a comment',
    ].join('\n');
    const nodes = parseDockerfile(text).nodes;
    assert.equal(nodes.length, 3);
    assert.equal(nodes[1]?.line, 2);
    assert.equal(nodes[1]?.original, 'RUN apk add     curl     git');
    assert.deepEqual(nodes[1]?.args, ['apk add     curl     git']);
    assert.deepEqual(nodes[2]?.args, ['echo # not a comment']);
  });

  it('handles CRLF line ends and a byte order mark', () => {
    const text = '\uFEFF# escape=`\r\nFROM alpine\r\nRUN echo a `\r\n  b\r\n';
    const parsed = parseDockerfile(text);
    assert.equal(parsed.escapeToken, '`');
    assert.deepEqual(
      parsed.nodes.map((n) => n.original),
      ['FROM alpine', 'RUN echo a   b'],
    );
  });

  it('warns about empty continuation lines as Docker does', () => {
    const parsed = parseDockerfile('FROM a\nRUN echo \\\n\n  b\n');
    assert.equal(parsed.nodes[1]?.original, 'RUN echo   b');
    assert.deepEqual(parsed.warnings, [
      '[WARNING]: Empty continuation line found in: RUN echo   b',
      '[WARNING]: Empty continuation lines will become errors in a future release.',
    ]);
    assert.deepEqual(parseDockerfile('FROM a\n').warnings, []);
  });

  it('does not continue after an escaped escape token', () => {
    const nodes = parseDockerfile('FROM a\nRUN echo \\\\\nRUN b').nodes;
    assert.deepEqual(
      nodes.map((n) => n.original),
      ['FROM a', 'RUN echo \\\\', 'RUN b'],
    );
  });

  it('ends a continuation at the end of the file', () => {
    assert.equal(parseDockerfile('FROM a \\\n').nodes[0]?.original, 'FROM a ');
  });
});

describe('parseDockerfile: parser directives', () => {
  it('reads the escape directive in any case and spacing', () => {
    for (const head of ['# escape=`', '#ESCAPE = `', '  #  Escape=`  ']) {
      assert.equal(parseDockerfile(`${head}\nFROM a`).escapeToken, '`', head);
    }
    assert.equal(parseDockerfile('FROM a').escapeToken, '\\');
  });

  it('uses the backtick for continuations and leaves backslashes alone', () => {
    const text = [
      '# escape=`',
      '# syntax=docker/dockerfile:1',
      'FROM mcr.microsoft.com/windows/servercore',
      'COPY testfile.txt c:\\',
      'RUN dir c:\\ `',
      '    && echo done',
      'WORKDIR C:\\app\\',
    ].join('\n');
    const nodes = parseDockerfile(text).nodes;
    assert.deepEqual(nodes[1]?.args, ['testfile.txt', 'c:\\']);
    assert.deepEqual(nodes[2]?.args, ['dir c:\\     && echo done']);
    assert.deepEqual(nodes[3]?.args, ['C:\\app\\']);
    assert.equal(nodes[3]?.line, 7);
  });

  it('stops reading directives after a comment, a blank line or an instruction', () => {
    for (const text of [
      '# a comment\n# escape=`\nFROM a',
      '\n# escape=`\nFROM a',
      'FROM a\n# escape=`\nRUN x',
      '# unknown=1\n# escape=`\nFROM a',
    ]) {
      assert.equal(parseDockerfile(text).escapeToken, '\\', JSON.stringify(text));
    }
    assert.equal(
      parseDockerfile('# syntax=x\n# check=skip=all\n# escape=`\nFROM a').escapeToken,
      '`',
    );
  });
});

describe('parseDockerfile: empty files and parser errors', () => {
  it("rejects bad files with the legacy builder's words", () => {
    const prefix = 'failed to parse Dockerfile: ';
    const cases: [string, string][] = [
      ['', 'the Dockerfile (Dockerfile) cannot be empty'],
      ['# only a comment\n\n', `${prefix}file with no instructions`],
      ['# escape=`\n# escape=\\\nFROM a', `${prefix}only one escape parser directive can be used`],
      ['# escape=x\nFROM a', `${prefix}invalid escape token 'x' does not match \` or \\`],
      [
        'FROM a\nCMD ["a", 1]',
        `${prefix}when using JSON array syntax, arrays must be comprised of strings only`,
      ],
      ['FROM a\nENV A', `${prefix}ENV must have two arguments`],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseDockerfile(text), invalid(message), JSON.stringify(text));
    }
    assert.throws(
      () => parseDockerfile('', 'build/Dockerfile.dev'),
      invalid('the Dockerfile (build/Dockerfile.dev) cannot be empty'),
    );
  });

  it('keeps the raw messages for --change', () => {
    assert.throws(() => parseDockerfileLines('# nothing'), invalid('file with no instructions'));
    assert.deepEqual(
      parseDockerfileLines('ENV A=1\nUSER x').map((n) => n.command),
      ['ENV', 'USER'],
    );
  });
});

describe('parseDockerfile: arguments of each instruction', () => {
  const node = (line: string) => parseDockerfile(line).nodes[0];

  it('tells JSON (exec) form from shell form', () => {
    assert.deepEqual(node('CMD ["a", "b c"]'), {
      command: 'CMD',
      flags: [],
      args: ['a', 'b c'],
      pairs: [],
      json: true,
      original: 'CMD ["a", "b c"]',
      line: 1,
    });
    assert.deepEqual(node('ENTRYPOINT echo "hi"')?.args, ['echo "hi"']);
    assert.equal(node('ENTRYPOINT echo "hi"')?.json, false);
    assert.deepEqual(node('CMD []')?.args, []);
    assert.equal(node('CMD []')?.json, true);
  });

  it('falls back to the shell form when the JSON does not parse', () => {
    for (const line of ['CMD ["a", ]', "CMD ['a']", 'CMD ["a"] b', 'RUN [ "unterminated']) {
      const n = node(line);
      assert.equal(n?.json, false, line);
      assert.deepEqual(n?.args, [line.slice(4)], line);
    }
    assert.deepEqual(node('COPY [a b]')?.args, ['[a', 'b]']);
  });

  it('splits COPY/ADD/VOLUME either way, with flags before the arguments', () => {
    const copy = node('COPY --from=build --chown="1:1" a b /dst/');
    assert.deepEqual(copy?.flags, ['--from=build', '--chown=1:1']);
    assert.deepEqual(copy?.args, ['a', 'b', '/dst/']);
    assert.deepEqual(node('ADD ["a b", "/c d/"]')?.args, ['a b', '/c d/']);
    assert.deepEqual(node('VOLUME /a /b')?.args, ['/a', '/b']);
  });

  it('reads ENV and LABEL pairs in both forms', () => {
    assert.deepEqual(node('ENV A B C')?.pairs, [{ key: 'A', value: 'B C' }]);
    assert.deepEqual(node('ENV A=1 B="x y" C=a\\ b')?.pairs, [
      { key: 'A', value: '1' },
      { key: 'B', value: '"x y"' },
      { key: 'C', value: 'a\\ b' },
    ]);
    assert.deepEqual(node('LABEL "k 1"=v')?.pairs, [{ key: '"k 1"', value: 'v' }]);
  });

  it('splits ARG into words, keeping quotes', () => {
    assert.deepEqual(node('ARG A B="x y" C=')?.args, ['A', 'B="x y"', 'C=']);
  });

  it('escapes with the backtick in pairs and flags under # escape=`', () => {
    const text = '# escape=`\nENV P=C:\\dir` x Q=1\nCOPY --chown=a`:b x y';
    const [env, copy] = parseDockerfile(text).nodes;
    assert.deepEqual(env?.pairs, [
      { key: 'P', value: 'C:\\dir` x' },
      { key: 'Q', value: '1' },
    ]);
    assert.deepEqual(copy?.flags, ['--chown=a:b']);
  });

  it('reads HEALTHCHECK and ONBUILD', () => {
    assert.deepEqual(node('HEALTHCHECK --interval=5s CMD ["x"]')?.args, ['CMD', 'x']);
    assert.deepEqual(node('HEALTHCHECK --interval=5s CMD ["x"]')?.flags, ['--interval=5s']);
    assert.deepEqual(node('ONBUILD RUN make')?.args, ['RUN', 'make']);
  });
});

describe('parseInstructionLine', () => {
  it('parses one trigger', () => {
    const n = parseInstructionLine('RUN echo `hi`');
    assert.deepEqual([n.command, n.args], ['RUN', ['echo `hi`']]);
    assert.deepEqual(parseInstructionLine('COPY a` b c', '`').args, ['a`', 'b', 'c']);
  });

  it('rejects anything but one expression', () => {
    assert.throws(
      () => parseInstructionLine('RUN a\nRUN b'),
      invalid('onbuild trigger should be a single expression'),
    );
    assert.throws(() => parseInstructionLine(''), invalid('file with no instructions'));
  });
});

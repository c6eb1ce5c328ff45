import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  type Instruction,
  expandFrom,
  expandInstruction,
  parseInstruction,
  parseStages,
} from './dockerfile-instructions.js';
import { parseDockerfile } from './dockerfile-parse.js';
import { expandWord, expandWords } from './shell-word.js';

/** An InvalidArgument error with exactly `message`. */
const invalid = (message: string) => ({ kind: 'InvalidArgument', message });

/** Parses one line as a whole Dockerfile and types its instruction. */
const parse = (line: string) => {
  const [node] = parseDockerfile(line).nodes;
  assert.ok(node);
  return parseInstruction(node);
};
const stages = (text: string) => parseStages(parseDockerfile(text));

describe('parseInstruction', () => {
  it('reads FROM with a platform and a stage name', () => {
    assert.deepEqual(parse('FROM --platform=linux/arm64 alpine:3 AS Build-1'), {
      kind: 'from',
      baseName: 'alpine:3',
      name: 'build-1',
      platform: 'linux/arm64',
      original: 'FROM --platform=linux/arm64 alpine:3 AS Build-1',
      line: 1,
    });
    assert.equal(parse('from scratch as x').kind, 'from');
  });

  it('reads RUN in both forms and records its flags', () => {
    assert.deepEqual(parse('RUN ["echo", "a b"]'), {
      kind: 'run',
      cmdLine: ['echo', 'a b'],
      prependShell: false,
      mounts: [],
      network: undefined,
      devices: [],
      flagsUsed: [],
      original: 'RUN ["echo", "a b"]',
      line: 1,
    });
    const shell = parse('RUN --network=none --mount=type=cache,target=/c echo $HOME');
    assert.ok(shell.kind === 'run');
    assert.deepEqual(shell.cmdLine, ['echo $HOME']);
    assert.equal(shell.prependShell, true);
    assert.deepEqual(shell.flagsUsed, ['network', 'mount']);
    assert.deepEqual(shell.mounts, ['type=cache,target=/c']);
  });

  it('reads COPY and ADD with their flags', () => {
    assert.deepEqual(parse('COPY --from=build --chown=app:app --chmod=644 a b /dst/'), {
      kind: 'copy',
      sources: ['a', 'b'],
      dest: '/dst/',
      from: 'build',
      chown: 'app:app',
      chmod: '644',
      link: false,
      exclude: [],
      original: 'COPY --from=build --chown=app:app --chmod=644 a b /dst/',
      line: 1,
    });
    const add = parse('ADD --link --checksum=sha256:abc --keep-git-dir=false ["a b", "/c"]');
    assert.ok(add.kind === 'add');
    assert.deepEqual([add.sources, add.dest, add.link], [['a b'], '/c', true]);
    assert.deepEqual([add.checksum, add.keepGitDir, add.unpack], ['sha256:abc', false, undefined]);
  });

  it('reads ARG names and defaults', () => {
    const arg = parse('ARG A B=1 C= D="x y"');
    assert.ok(arg.kind === 'arg');
    assert.deepEqual(arg.args, [
      { key: 'A', value: undefined },
      { key: 'B', value: '1' },
      { key: 'C', value: '' },
      { key: 'D', value: '"x y"' },
    ]);
  });

  it('wants SHELL in JSON form', () => {
    const shell = parse('SHELL ["powershell", "-command"]');
    assert.ok(shell.kind === 'shell');
    assert.deepEqual(shell.shell, ['powershell', '-command']);
  });

  it('reads MAINTAINER and the instructions shared with --change', () => {
    assert.deepEqual(parse('MAINTAINER Jane <jane@example.com>'), {
      kind: 'maintainer',
      value: 'Jane <jane@example.com>',
      original: 'MAINTAINER Jane <jane@example.com>',
      line: 1,
    });
    const env = parse('ENV A B C');
    assert.ok(env.kind === 'env');
    assert.deepEqual(env.pairs, [{ key: 'A', value: 'B C' }]);
    const cmd = parse('CMD ["a", ]');
    assert.ok(cmd.kind === 'cmd');
    assert.deepEqual([cmd.cmdLine, cmd.prependShell], [['["a", ]'], true]);
    const onbuild = parse('ONBUILD COPY . /app');
    assert.ok(onbuild.kind === 'onbuild');
    assert.equal(onbuild.expression, 'COPY . /app');
  });

  it("rejects bad instructions with Docker's words", () => {
    const cases: [string, string][] = [
      ['FROM', 'FROM requires either one or three arguments'],
      ['FROM a b', 'FROM requires either one or three arguments'],
      ['FROM a TO b', 'FROM requires either one or three arguments'],
      [
        'FROM a AS 1st',
        `invalid name for build stage: "1st", name can't start with a number or contain symbols`,
      ],
      [
        'FROM a AS b@c',
        `invalid name for build stage: "b@c", name can't start with a number or contain symbols`,
      ],
      ['FROM --platfrm=x a', 'unknown flag: --platfrm (did you mean platform?)'],
      ['RUN --foo=1 x', 'unknown flag: --foo'],
      ['RUN --network=bridge x', 'invalid network mode "bridge"'],
      ['ADD --from=x a b', 'unknown flag: --from'],
      ['COPY --chown a b', 'missing a value on flag: --chown'],
      ['COPY --link=maybe a b', 'expecting boolean value for flag --link, not: maybe'],
      [
        'COPY onlyone',
        'COPY requires at least two arguments, but only one was provided. Destination could not be determined',
      ],
      [
        'ADD ["x"]',
        'ADD requires at least two arguments, but only one was provided. Destination could not be determined',
      ],
      ['ARG', 'ARG requires at least one argument'],
      ['ARG =1', 'ARG names can not be blank'],
      ['SHELL /bin/bash -c', 'SHELL requires the arguments to be in JSON form'],
      ['SHELL []', 'SHELL requires at least one argument'],
      ['WORKDIR', 'WORKDIR requires exactly one argument'],
      ['BOGUS bar', 'unknown instruction: BOGUS'],
      ['FOO bar', 'unknown instruction: FOO (did you mean FROM?)'],
      ['RUNN x', 'unknown instruction: RUNN (did you mean RUN?)'],
      ['cop a b', 'unknown instruction: cop (did you mean copy?)'],
    ];
    for (const [line, message] of cases) assert.throws(() => parse(line), invalid(message), line);
  });
});

describe('parseStages', () => {
  it('splits stages, with meta args before the first FROM', () => {
    const text = [
      'ARG BASE=alpine',
      'ARG TAG',
      'FROM ${BASE}:${TAG:-3} AS builder',
      'RUN make',
      '',
      'FROM scratch',
      'COPY --from=builder /out /',
      'CMD ["/app"]',
    ].join('\n');
    const { metaArgs, stages: result } = stages(text);
    assert.deepEqual(
      metaArgs.map((a) => [a.line, a.args]),
      [
        [1, [{ key: 'BASE', value: 'alpine' }]],
        [2, [{ key: 'TAG', value: undefined }]],
      ],
    );
    assert.deepEqual(
      result.map((s) => [s.index, s.name, s.baseName, s.line, s.original]),
      [
        [0, 'builder', '${BASE}:${TAG:-3}', 3, 'FROM ${BASE}:${TAG:-3} AS builder'],
        [1, undefined, 'scratch', 6, 'FROM scratch'],
      ],
    );
    assert.deepEqual(
      result.map((s) => s.instructions.map((i) => i.kind)),
      [['run'], ['copy', 'cmd']],
    );
    assert.equal(result[1]?.instructions[0]?.line, 7);
  });

  it('keeps an ARG after FROM inside the stage', () => {
    const { metaArgs, stages: result } = stages('FROM a\nARG X=1');
    assert.deepEqual(metaArgs, []);
    assert.equal(result[0]?.instructions[0]?.kind, 'arg');
  });

  it("reports errors with Docker's words", () => {
    const cases: [string, string][] = [
      ['ARG A\nRUN x\nFROM a', 'no build stage in current context'],
      ['FROM a\n\nBOGUS bar', 'dockerfile parse error on line 3: unknown instruction: BOGUS'],
      [
        'FROM a\nCOPY \\\n  x',
        'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined',
      ],
      ['FROM a AS x\nFROM b AS X', 'x stage name already used'],
    ];
    for (const [text, message] of cases) assert.throws(() => stages(text), invalid(message), text);
  });
});

describe('expandInstruction', () => {
  const env = ['A=one', 'SP=a b', 'EMPTY=', 'PORTS=80 443/udp'];
  const expander = {
    word: (w: string) => expandWord(w, env),
    words: (w: string) => expandWords(w, env),
  };
  const expand = (line: string): Instruction => {
    const instr = parse(line);
    assert.ok(instr.kind !== 'from');
    return expandInstruction(instr, expander);
  };

  it('expands ENV and LABEL keys and values', () => {
    const e = expand('ENV K_$A=${A}x OTHER="$SP" D=${NOPE:-def} E=${A:+alt} F=\\$A');
    assert.ok(e.kind === 'env');
    assert.deepEqual(e.pairs, [
      { key: 'K_one', value: 'onex' },
      { key: 'OTHER', value: 'a b' },
      { key: 'D', value: 'def' },
      { key: 'E', value: 'alt' },
      { key: 'F', value: '$A' },
    ]);
    assert.equal(e.original, 'ENV K_$A=${A}x OTHER="$SP" D=${NOPE:-def} E=${A:+alt} F=\\$A');
    const legacy = expand('ENV X $A "and" $SP');
    assert.ok(legacy.kind === 'env');
    assert.deepEqual(legacy.pairs, [{ key: 'X', value: 'one and a b' }]);
    const label = expand('LABEL "$A"="${EMPTY:-none}"');
    assert.ok(label.kind === 'label');
    assert.deepEqual(label.pairs, [{ key: 'one', value: 'none' }]);
  });

  it('expands COPY/ADD paths, --chown and --chmod but not --from', () => {
    const c = expand('COPY --from=$A --chown=$A:$A --chmod=${M:-755} src/$A /dst/$A/');
    assert.ok(c.kind === 'copy');
    assert.deepEqual([c.from, c.chown, c.chmod], ['$A', 'one:one', '755']);
    assert.deepEqual([c.sources, c.dest], [['src/one'], '/dst/one/']);
    const a = expand('ADD --checksum=$A ["$SP", "/x"]');
    assert.ok(a.kind === 'add');
    assert.deepEqual([a.checksum, a.sources, a.dest], ['one', ['a b'], '/x']);
  });

  it('expands EXPOSE to several words and the single-value instructions', () => {
    const e = expand('EXPOSE $PORTS 8080');
    assert.ok(e.kind === 'expose');
    assert.deepEqual(e.ports, ['80', '443/udp', '8080']);
    for (const [line, want] of [
      ['WORKDIR /srv/$A', '/srv/one'],
      ['USER ${A}:${EMPTY:-0}', 'one:0'],
      ['STOPSIGNAL ${SIG:-SIGTERM}', 'SIGTERM'],
    ] as const) {
      const instr = expand(line);
      assert.ok(instr.kind === 'workdir' || instr.kind === 'user' || instr.kind === 'stopsignal');
      assert.equal(instr.value, want, line);
    }
    const v = expand('VOLUME ["/data/$A", "$EMPTY"]');
    assert.ok(v.kind === 'volume');
    assert.deepEqual(v.volumes, ['/data/one', '']);
  });

  it('expands ARG names and defaults', () => {
    const a = expand('ARG X=${A}-"$SP" Y');
    assert.ok(a.kind === 'arg');
    assert.deepEqual(a.args, [
      { key: 'X', value: 'one-a b' },
      { key: 'Y', value: undefined },
    ]);
  });

  it('leaves RUN, CMD, ENTRYPOINT, HEALTHCHECK, SHELL, ONBUILD and MAINTAINER alone', () => {
    for (const line of [
      'RUN echo $A',
      'CMD echo $A',
      'ENTRYPOINT ["$A"]',
      'HEALTHCHECK CMD echo $A',
      'SHELL ["/bin/$A"]',
      'ONBUILD RUN echo $A',
      'MAINTAINER $A',
    ]) {
      assert.deepEqual(expand(line), parse(line), line);
    }
  });

  it('honours the backtick escape token', () => {
    const text = '# escape=`\nWORKDIR C:\\$A\\`$A';
    const parsed = parseDockerfile(text);
    const [node] = parsed.nodes;
    assert.ok(node);
    const instr = parseInstruction(node);
    assert.ok(instr.kind === 'workdir');
    const options = { escapeToken: parsed.escapeToken };
    const result = expandInstruction(instr, {
      word: (w) => expandWord(w, env, options),
      words: (w) => expandWords(w, env, options),
    });
    assert.ok(result.kind === 'workdir');
    assert.equal(result.value, 'C:\\one\\$A');
  });
});

describe('expandFrom', () => {
  const meta = { word: (w: string) => expandWord(w, ['BASE=alpine', 'ARCH=arm64']) };

  it('expands the base name and platform with the meta args', () => {
    assert.deepEqual(expandFrom({ baseName: '${BASE}:${TAG:-3}', platform: 'linux/$ARCH' }, meta), {
      baseName: 'alpine:3',
      platform: 'linux/arm64',
    });
    assert.deepEqual(expandFrom({ baseName: 'scratch', platform: undefined }, meta), {
      baseName: 'scratch',
      platform: undefined,
    });
  });

  it('refuses a base name that expands to nothing', () => {
    assert.throws(
      () => expandFrom({ baseName: '$NOPE', platform: undefined }, meta),
      invalid('base name ($NOPE) should not be blank'),
    );
  });
});

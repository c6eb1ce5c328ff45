import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { applyChanges, exposedPortKeys } from './changes.js';
import type { ContainerConfig } from './image-config.js';

function rejects(changes: string[], message: string, config: ContainerConfig = {}): void {
  assert.throws(
    () => applyChanges(config, changes),
    (err: unknown) => {
      assert.ok(isMoorError(err, 'InvalidArgument'), `expected InvalidArgument for ${changes[0]}`);
      assert.equal(err.message, message);
      return true;
    },
  );
}

describe('applyChanges: commands', () => {
  test('no changes returns the config itself', () => {
    const config = { User: 'x' };
    assert.equal(applyChanges(config, []), config);
  });

  test('the input config is not modified', () => {
    const config: ContainerConfig = { Env: ['A=1'], Labels: { a: 'b' }, Cmd: ['x'] };
    const before = structuredClone(config);
    applyChanges(config, ['ENV A=2', 'LABEL c=d', 'ENTRYPOINT ["e"]']);
    assert.deepEqual(config, before);
  });

  test('CMD shell and exec forms', () => {
    assert.deepEqual(applyChanges({}, ['CMD echo hi']).Cmd, ['/bin/sh', '-c', 'echo hi']);
    assert.deepEqual(applyChanges({}, ['CMD ["echo", "hi"]']).Cmd, ['echo', 'hi']);
    assert.deepEqual(applyChanges({}, ['CMD []']).Cmd, []);
    // the config's SHELL is the shell of shell forms
    const bash = applyChanges({ Shell: ['/bin/bash', '-c'] }, ['CMD echo hi']);
    assert.deepEqual(bash.Cmd, ['/bin/bash', '-c', 'echo hi']);
    // CMD drops ArgsEscaped (false is omitted)
    assert.equal('ArgsEscaped' in applyChanges({ ArgsEscaped: true }, ['CMD x']), false);
  });

  test('ENTRYPOINT clears Cmd unless CMD came first', () => {
    const after = applyChanges({ Cmd: ['old'] }, ['ENTRYPOINT ["/e"]']);
    assert.deepEqual(after.Entrypoint, ['/e']);
    assert.equal(after.Cmd, null);
    const both = applyChanges({}, ['CMD ["a"]', 'ENTRYPOINT /e --x']);
    assert.deepEqual(both.Cmd, ['a']);
    assert.deepEqual(both.Entrypoint, ['/bin/sh', '-c', '/e --x']);
    assert.equal(applyChanges({ Entrypoint: ['x'] }, ['ENTRYPOINT []']).Entrypoint, null);
  });

  test('ENV in both forms, replacing existing keys in place, with expansion', () => {
    const cfg = applyChanges({ Env: ['PATH=/bin', 'A=1'] }, [
      'ENV A=2 B="$A two" C=${PATH}:/x',
      'ENV D hello  world',
      "env E='$A'",
    ]);
    assert.deepEqual(cfg.Env, [
      'PATH=/bin',
      'A=2',
      'B=1 two',
      'C=/bin:/x',
      'D=hello  world',
      'E=$A',
    ]);
    assert.deepEqual(applyChanges({ Env: null }, ['ENV X=1']).Env, ['X=1']);
  });

  test('EXPOSE ports, protocols and ranges', () => {
    const cfg = applyChanges({ ExposedPorts: { '22/tcp': {} } }, [
      'EXPOSE 80 53/udp 8000-8001/TCP',
    ]);
    assert.deepEqual(Object.keys(cfg.ExposedPorts ?? {}).sort(), [
      '22/tcp',
      '53/udp',
      '80/tcp',
      '8000/tcp',
      '8001/tcp',
    ]);
    const fromEnv = applyChanges({ Env: ['PORTS=1 2/udp'] }, ['EXPOSE $PORTS']);
    assert.deepEqual(Object.keys(fromEnv.ExposedPorts ?? {}).sort(), ['1/tcp', '2/udp']);
    assert.deepEqual(exposedPortKeys('127.0.0.1:8080:80/sctp'), ['80/sctp']);
  });

  test('LABEL with quotes', () => {
    const cfg = applyChanges({ Labels: null }, ['LABEL "a b"="c d" e=f', 'LABEL g h i']);
    assert.deepEqual(cfg.Labels, { 'a b': 'c d', e: 'f', g: 'h i' });
  });

  test('USER, WORKDIR (relative to the previous one), STOPSIGNAL', () => {
    const cfg = applyChanges({ WorkingDir: '/app', Env: ['U=me'] }, [
      'USER $U:staff',
      'WORKDIR sub/../src/',
      'STOPSIGNAL SIGQUIT',
    ]);
    assert.equal(cfg.User, 'me:staff');
    assert.equal(cfg.WorkingDir, '/app/src');
    assert.equal(cfg.StopSignal, 'SIGQUIT');
    assert.equal(applyChanges({}, ['WORKDIR rel']).WorkingDir, '/rel');
    assert.equal(applyChanges({ WorkingDir: '/a' }, ['WORKDIR /b//c/.']).WorkingDir, '/b/c');
    assert.equal(applyChanges({}, ['STOPSIGNAL 9']).StopSignal, '9');
    assert.equal(applyChanges({}, ['stopsignal sigrtmin+3']).StopSignal, 'sigrtmin+3');
  });

  test('VOLUME in JSON and list forms', () => {
    const cfg = applyChanges({}, ['VOLUME ["/data", "/a b"]', 'VOLUME /x /y']);
    assert.deepEqual(Object.keys(cfg.Volumes ?? {}), ['/data', '/a b', '/x', '/y']);
  });

  test('ONBUILD keeps the trigger text', () => {
    const cfg = applyChanges({ OnBuild: ['RUN a'] }, [
      'ONBUILD RUN echo "hi"',
      'onbuild   ADD . /app',
    ]);
    assert.deepEqual(cfg.OnBuild, ['RUN a', 'RUN echo "hi"', 'ADD . /app']);
  });

  test('HEALTHCHECK CMD with flags, exec form, and NONE', () => {
    const shell = applyChanges({}, [
      'HEALTHCHECK --interval=5s --timeout=1m30s --start-period=100ms --start-interval=2s --retries=3 CMD curl -f http://x/',
    ]);
    assert.deepEqual(shell.Healthcheck, {
      Test: ['CMD-SHELL', 'curl -f http://x/'],
      Interval: 5e9,
      Timeout: 90e9,
      StartPeriod: 1e8,
      StartInterval: 2e9,
      Retries: 3,
    });
    const exec = applyChanges({}, ['HEALTHCHECK CMD ["/bin/check", "-q"]']);
    assert.deepEqual(exec.Healthcheck, { Test: ['CMD', '/bin/check', '-q'] });
    assert.deepEqual(applyChanges({}, ['HEALTHCHECK none']).Healthcheck, { Test: ['NONE'] });
    assert.deepEqual(applyChanges({}, ['HEALTHCHECK --interval=0s CMD x']).Healthcheck, {
      Test: ['CMD-SHELL', 'x'],
    });
  });

  test('comments, blank lines and continuations', () => {
    const cfg = applyChanges({}, ['# a comment', '', 'ENV A=1 \\', '  B=2', 'USER u']);
    assert.deepEqual(cfg.Env, ['A=1', 'B=2']);
    assert.equal(cfg.User, 'u');
    // a change may hold several lines
    assert.equal(applyChanges({}, ['USER a\nWORKDIR /w']).WorkingDir, '/w');
  });
});

describe('applyChanges: docker errors', () => {
  test('instructions that are not change commands', () => {
    rejects(['FOO bar'], 'FOO is not a valid change command');
    rejects(['RUN echo hi'], 'RUN is not a valid change command');
    rejects(['SHELL ["/bin/bash", "-c"]'], 'SHELL is not a valid change command');
    rejects(['copy a b'], 'copy is not a valid change command');
    // the command check runs over all lines before any argument check
    rejects(['ENV', 'FROM x'], 'FROM is not a valid change command');
  });

  test('argument errors', () => {
    rejects([''], 'file with no instructions');
    rejects(['ENV'], 'ENV requires at least one argument');
    rejects(['ENV a'], 'ENV must have two arguments');
    rejects(
      ['LABEL a=b c'],
      'Syntax error - can\'t find = in "c". Must be of the form: name=value',
    );
    rejects(['LABEL =x'], 'LABEL names can not be blank');
    rejects(['EXPOSE'], 'EXPOSE requires at least one argument');
    rejects(['EXPOSE 80/xyz'], 'invalid proto: xyz');
    rejects(['EXPOSE abc'], 'invalid containerPort: abc');
    rejects(['EXPOSE 90-80'], 'invalid containerPort: 90-80');
    rejects(['EXPOSE /tcp'], 'no port specified: /tcp<empty>');
    rejects(['USER'], 'USER requires exactly one argument');
    rejects(['WORKDIR'], 'WORKDIR requires exactly one argument');
    rejects(['WORKDIR $NOPE'], 'cannot normalize nothing');
    rejects(['STOPSIGNAL'], 'STOPSIGNAL requires exactly one argument');
    rejects(['STOPSIGNAL SIGBOGUS'], 'invalid signal: SIGBOGUS');
    rejects(['STOPSIGNAL 0'], 'invalid signal: 0');
    rejects(['VOLUME'], 'VOLUME requires at least one argument');
    rejects(['VOLUME [""]'], 'VOLUME specified can not be an empty string');
    rejects(
      ['CMD [1, 2]'],
      'when using JSON array syntax, arrays must be comprised of strings only',
    );
    rejects(['ONBUILD'], 'ONBUILD requires at least one argument');
    rejects(['ONBUILD ONBUILD RUN x'], "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    rejects(['ONBUILD FROM x'], "FROM isn't allowed as an ONBUILD trigger");
    rejects(['ENV --foo=bar A=1'], 'unknown flag: --foo');
    rejects(['USER $'.concat('{A')], 'failed to process "${A": syntax error: missing \'}\'');
    rejects(['USER ${A:?must be set}'], 'failed to process "${A:?must be set}": A: must be set');
  });

  test('HEALTHCHECK errors', () => {
    rejects(['HEALTHCHECK'], 'HEALTHCHECK requires at least one argument');
    rejects(['HEALTHCHECK NONE x'], 'HEALTHCHECK NONE takes no arguments');
    rejects(['HEALTHCHECK CMD'], 'Missing command after HEALTHCHECK CMD');
    rejects(['HEALTHCHECK RUN x'], 'Unknown type "RUN" in HEALTHCHECK (try CMD)');
    rejects(['HEALTHCHECK --interval=5 CMD x'], 'time: missing unit in duration "5"');
    rejects(['HEALTHCHECK --interval=5x CMD x'], 'time: unknown unit "x" in duration "5x"');
    rejects(['HEALTHCHECK --timeout=10us CMD x'], 'Interval "timeout" cannot be less than 1ms');
    rejects(['HEALTHCHECK --retries=-1 CMD x'], '--retries cannot be negative (-1)');
    rejects(['HEALTHCHECK --retries=x CMD x'], 'strconv.ParseInt: parsing "x": invalid syntax');
    rejects(['HEALTHCHECK --interval CMD x'], 'missing a value on flag: --interval');
    rejects(['HEALTHCHECK --retries=1 --retries=2 CMD x'], 'duplicate flag specified: --retries');
    rejects(['HEALTHCHECK --bogus=1 CMD x'], 'unknown flag: --bogus');
  });
});

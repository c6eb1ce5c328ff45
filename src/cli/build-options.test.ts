import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setImmediate } from 'node:timers/promises';

import { parseFlags } from '../core/index.js';
import { BUILD_FLAGS, buildQuery, readBuildOptions } from './build-options.js';
import { progressLine, SENDING_CONTEXT, withProgress } from './build-progress.js';
import { commandHelp } from './command-flags.js';
import { buildCachePruneReport } from './commands/builder-prune.js';

function options(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return readBuildOptions(parseFlags(BUILD_FLAGS, argv), env);
}

test('no flags: only the classic builder is asked for', () => {
  assert.deepEqual(buildQuery(options([]), '', ''), { version: '1' });
  assert.deepEqual(buildQuery(options([]), 'Dockerfile', ''), {
    dockerfile: 'Dockerfile',
    version: '1',
  });
});

test('every flag as the docker client sends it', () => {
  const argv = [
    ...['-t', 'app:1', '--tag', 'registry.example:5000/app', '--build-arg', 'B=2'],
    ...['--build-arg', 'A=1', '--build-arg', 'FROM_ENV', '--build-arg', 'UNSET'],
    ...['--label', 'z=last', '--label', 'a', '--no-cache', '--cache-from', 'a,b'],
    ...['--cache-from', 'c', '--target', 'dev', '-q', '--network', 'host', '--pull'],
    ...['--rm=false', '--force-rm', '--platform', 'Linux/AMD64', '--add-host', 'db=10.0.0.2'],
    ...['--shm-size', '64m', '-m', '1g', '--memory-swap', '-1', '-c', '512'],
    ...['--cpu-period', '100000', '--cpu-quota', '50000', '--cpuset-cpus', '0-1'],
    ...['--cpuset-mems', '0', '--ulimit', 'nofile=1024:2048', '--ulimit', 'nofile=10:20'],
  ];
  const query = buildQuery(options(argv, { FROM_ENV: 'env value' }), 'Dockerfile', '');
  assert.deepEqual(query, {
    buildargs: '{"A":"1","B":"2","FROM_ENV":"env value","UNSET":null}',
    cachefrom: '["a","b","c"]',
    cpuperiod: '100000',
    cpuquota: '50000',
    cpusetcpus: '0-1',
    cpusetmems: '0',
    cpushares: '512',
    dockerfile: 'Dockerfile',
    extrahosts: ['db:10.0.0.2'],
    forcerm: '1',
    labels: '{"a":"","z":"last"}',
    memory: String(1024 ** 3),
    memswap: '-1',
    networkmode: 'host',
    nocache: '1',
    platform: 'linux/amd64',
    pull: '1',
    q: '1',
    rm: '0',
    shmsize: String(64 * 1024 ** 2),
    t: ['app:1', 'registry.example:5000/app'],
    target: 'dev',
    ulimits: '[{"Name":"nofile","Hard":20,"Soft":10}]',
    version: '1',
  });
});

test('the default network is not sent; DOCKER_DEFAULT_PLATFORM is the default platform', () => {
  assert.equal(buildQuery(options(['--network', 'default']), '', '')['networkmode'], undefined);
  const env = { DOCKER_DEFAULT_PLATFORM: 'linux/arm64' };
  assert.equal(buildQuery(options([], env), '', '')['platform'], 'linux/arm64');
  assert.equal(buildQuery(options(['--platform', ''], env), '', '')['platform'], undefined);
  assert.equal(buildQuery(options([]), '', 'git://h/r')['remote'], 'git://h/r');
});

test('bad values are reported as docker’s flag errors', () => {
  assert.throws(() => options(['-t', 'Foo']), {
    name: 'UsageError',
    message:
      'invalid argument "Foo" for "-t, --tag" flag: invalid reference format: repository name (library/Foo) must be lowercase',
  });
  assert.throws(() => options(['--build-arg', '=x']), {
    message: 'invalid argument "=x" for "--build-arg" flag: invalid environment variable: =x',
  });
  assert.throws(() => options(['--add-host', 'nohost']), {
    message: 'invalid argument "nohost" for "--add-host" flag: bad format for add-host: "nohost"',
  });
  assert.throws(
    () => options(['-m', 'lots']),
    /^UsageError: invalid argument "lots" for "-m, --memory" flag/,
  );
  assert.throws(() => options(['-c', 'x']), {
    message:
      'invalid argument "x" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "x": invalid syntax',
  });
});

test('help lists docker’s legacy builder flags, wrapped as docker wraps them', () => {
  const help = commandHelp(
    'moor build [OPTIONS] PATH | URL | -',
    'Build an image from a Dockerfile',
    BUILD_FLAGS,
    { aliases: ['image build', 'build', 'builder build'] },
  );
  assert.ok(
    help.includes(
      '      --network string          Set the networking mode for the RUN\n' +
        '                                instructions during build (default "default")\n',
    ),
  );
  assert.ok(help.includes('      --ulimit ulimit           Ulimit options (default [])\n'));
  assert.ok(help.includes('  moor image build, moor build, moor builder build\n'));
});

test('upload progress: every update in place on a terminal, only the last one elsewhere', async () => {
  assert.equal(progressLine(SENDING_CONTEXT, 2048, 0), `${SENDING_CONTEXT}  2.048kB\r`);
  const run = async (lastOnly: boolean) => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const big = Buffer.alloc(600 * 1024);
    const source = (async function* () {
      for (let i = 0; i < 2; i++) {
        await setImmediate();
        yield big;
      }
    })();
    let clock = 0;
    const progress = { out, action: SENDING_CONTEXT, size: 0, lastOnly, now: () => (clock += 200) };
    for await (const chunk of withProgress(source, progress)) assert.equal(chunk, big);
    return text;
  };
  assert.equal(
    await run(false),
    `${SENDING_CONTEXT}  614.4kB\r${SENDING_CONTEXT}  1.229MB\r${SENDING_CONTEXT}  1.229MB\r\r\n`,
  );
  assert.equal(await run(true), `${SENDING_CONTEXT}  1.229MB\r\r\n`);
});

test('builder prune report: deleted objects then the total', () => {
  assert.equal(
    buildCachePruneReport({ CachesDeleted: ['a1', 'b2'], SpaceReclaimed: 2_500_000 }),
    'Deleted build cache objects:\na1\nb2\n\nTotal reclaimed space: 2.5MB\n',
  );
  assert.equal(
    buildCachePruneReport({ CachesDeleted: null, SpaceReclaimed: 0 }),
    'Total reclaimed space: 0B\n',
  );
});

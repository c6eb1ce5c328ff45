import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { argv, cliComparer } from '../helpers/cli-compare.js';
import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import { tarOf, file } from '../helpers/layer-tars.js';
import type { TestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'build-cli';

/** docker's notice that its legacy builder is deprecated (its packaging, not moor's). */
function withoutBanner(text: string): string {
  return text.replace(/^DEPRECATED: The legacy builder is deprecated[^]*?\n\n/, '');
}

/**
 * The context's size, for a Dockerfile added to it: docker closes its pipe before its tar
 * writer, so the tar it sends then lacks the last padding and end blocks (and its size depends
 * on Go's map order); moor sends a whole tar.
 */
function withoutContextSize(text: string): string {
  return withoutBanner(text).replace(/(Sending build context to Docker daemon) +\S+/, '$1 <size>');
}

const DOCKERFILE = `FROM busybox
ENV GREETING=hello
RUN echo "$GREETING from RUN"
COPY . /ctx/
RUN ls -A /ctx
CMD ["sh", "-c", "echo $GREETING"]
`;

/** `moor build` and `moor builder prune` against `docker build` (classic builder) on one moord. */
describe('moor build prints what docker build prints', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let buildkit: string | undefined;
  before(async () => {
    buildkit = process.env['DOCKER_BUILDKIT'];
    process.env['DOCKER_BUILDKIT'] = '0';
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    daemon = await startDaemonWithBusybox(NAME);
  });
  after(async () => {
    if (buildkit === undefined) delete process.env['DOCKER_BUILDKIT'];
    else process.env['DOCKER_BUILDKIT'] = buildkit;
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  const { both, docker, moor, same } = cliComparer({
    daemon: () => daemon!,
    dir: () => dir,
    prefix: NAME,
  });
  const transform = withoutBanner;

  /** A context directory under the test's own directory. */
  const context = async (name: string, files: Record<string, string>): Promise<string> => {
    const path = join(dir, name);
    for (const [file, content] of Object.entries(files)) {
      await mkdir(join(path, file, '..'), { recursive: true });
      await writeFile(join(path, file), content);
    }
    return path;
  };

  test('a small Dockerfile: ENV, RUN, COPY with .dockerignore, CMD; then from the cache', async () => {
    const ctx = await context('small', {
      Dockerfile: DOCKERFILE,
      '.dockerignore': '*.log\nsecret/\nDockerfile\n',
      'app.txt': 'app\n',
      'debug.log': 'not sent\n',
      'secret/key': 'not sent\n',
      'lib/util.txt': 'util\n',
    });
    await same('small', ['build', '--no-cache', '-t', '@', ctx], { transform });
    await same('small', ['run', '--rm', '@'], { transform });
    // Warm the cache with docker's build, then both builds use it.
    await docker(['build', '-t', `${NAME}-cached`, ctx]);
    await both(['build', '-t', `${NAME}-cached`, ctx], { transform });
  });

  test('-q prints only the image ID; --iidfile stores it', async () => {
    const ctx = await context('quiet', { Dockerfile: 'FROM busybox\nRUN echo quiet\n' });
    const result = await both(['build', '--no-cache', '-q', ctx], { transform });
    assert.match(result.stdout, /^sha256:<ID>\n$/);
    const ids = { d: join(dir, 'iid-d'), m: join(dir, 'iid-m') };
    await writeFile(ids.m, 'stale');
    await docker(['build', '--iidfile', ids.d, ctx]);
    await moor(['build', '--iidfile', ids.m, ctx]);
    const [d, m] = [await readFile(ids.d, 'utf8'), await readFile(ids.m, 'utf8')];
    assert.match(m, /^sha256:[0-9a-f]{64}$/);
    assert.equal(m, d, 'the same cached image');
  });

  test('a failing RUN: the step’s output, the error on stderr, its exit code', async () => {
    const ctx = await context('fail', {
      Dockerfile: 'FROM busybox\nRUN echo before failing && exit 3\nRUN echo never\n',
    });
    const result = await both(['build', '--no-cache', ctx], { transform });
    assert.equal(result.code, 3);
    await both(['build', '--no-cache', '-q', ctx], { transform });
    await both(['build', join(dir, 'no-such-dir')], { transform });
    await both(['build', '-f', join(dir, 'no-such-file'), ctx], { transform });
  });

  test('Dockerfiles from elsewhere: -f outside the context, -f -, a Dockerfile or a tar on stdin', async () => {
    const ctx = await context('outside/ctx', { 'data.txt': 'data\n' });
    const outside = join(dir, 'outside', 'Build.df');
    await writeFile(outside, 'FROM busybox\nCOPY . /ctx/\nRUN ls -A /ctx && cat /ctx/data.txt\n');
    const sized = { transform: withoutContextSize };
    await both(['build', '--no-cache', '-f', outside, ctx], sized);
    await both(['build', '--no-cache', '-f', '-', ctx], {
      ...sized,
      input: 'FROM busybox\nCOPY data.txt /\nRUN cat /data.txt\n',
    });
    await both(argv`build --no-cache -`, { transform, input: 'FROM busybox\nRUN echo stdin\n' });
    const tar = await tarOf([
      file('Dockerfile', 'FROM busybox\nCOPY hello /\nRUN cat /hello\n'),
      file('hello', 'hello from a tar\n'),
    ]);
    await both(argv`build --no-cache -`, { transform, input: tar.toString('latin1') });
    await both(argv`build -f - -`, { transform, input: '' });
  });

  test('build arguments, labels and a target stage', async () => {
    const ctx = await context('args', {
      Dockerfile: [
        'FROM busybox AS base',
        'ARG WHO=nobody',
        'RUN echo "hello $WHO"',
        'FROM base AS final',
        'RUN echo final stage',
        '',
      ].join('\n'),
    });
    await same(
      'args',
      [
        'build',
        '--no-cache',
        '--build-arg',
        'WHO=moor',
        '--label',
        'a=b',
        '--target',
        'base',
        '-t',
        '@',
        ctx,
      ],
      { transform },
    );
    const inspect = await same('args', argv`image inspect -f ${'{{json .Config.Labels}}'} @`);
    assert.equal(inspect.stdout, '{"a":"b"}\n');
  });

  test('help pages, and builder prune (refused, then forced)', async () => {
    await both(argv`build --help`, { transform });
    await both(argv`builder prune --help`, { transform });
    await both(argv`builder prune`, { transform, input: 'n\n' });
    await both(argv`builder prune -a`, { transform, input: '' });
    await docker(argv`builder prune -f`);
    await both(argv`builder prune -f`, { transform });
    await both(argv`build`, { transform });
  });

  test('the uploaded context is as large as docker’s', async () => {
    const ctx = await context('size', {
      Dockerfile: 'FROM busybox\nCOPY . /c/\n',
      ['a/b/c/long-name-'.padEnd(120, 'x')]: 'x'.repeat(3000),
      'empty.txt': '',
    });
    const sending = (text: string) =>
      text.split('\n').find((line) => line.startsWith('Sending build context'));
    const d = await docker(['build', '--no-cache', ctx]);
    const m = await moor(['build', '--no-cache', ctx]);
    assert.equal(sending(m.stdout), sending(d.stdout));
  });
});

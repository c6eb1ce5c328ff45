import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import { type TestDaemon, cleanupDaemon, startTestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

/** Go's RFC3339Nano in UTC, as dockerd writes json-file times (no trailing zeros). */
const GO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$/;
/** `docker logs -t`: nine fractional digits, always. */
const FIXED_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

interface JsonLine {
  log?: string;
  stream: string;
  time: string;
}

/** A request on the daemon's socket (a JSON body for POST): status, type and the raw body. */
function api(daemon: TestDaemon, path: string, json?: unknown) {
  const method = json === undefined ? 'GET' : 'POST';
  const headers = json === undefined ? {} : { 'Content-Type': 'application/json' };
  return new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
    const req = request({ socketPath: daemon.socket, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: res.headers['content-type'] ?? '',
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(json === undefined ? undefined : JSON.stringify(json));
  });
}

/** Docker's multiplexed frames: [stream, 0, 0, 0, size (BE32)] then the payload. */
function frames(body: Buffer): [number, string][] {
  const out: [number, string][] = [];
  for (let at = 0; at + 8 <= body.length;) {
    const size = body.readUInt32BE(at + 4);
    out.push([body[at] as number, body.toString('utf8', at + 8, at + 8 + size)]);
    at += 8 + size;
  }
  return out;
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('container logs', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-logs-cfg-'));
    daemon = await startDaemonWithBusybox('ctr-logs');
    docker = dockerCli(daemon, config);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  async function inspect(name: string, format: string): Promise<string> {
    const r = await docker(['inspect', '-f', format, name]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  }

  /** The container's json-file logs, oldest first: [name, parsed lines]. */
  async function jsonLogs(name: string): Promise<[string, JsonLine[]][]> {
    const id = await inspect(name, '{{.Id}}');
    const dir = join((daemon as TestDaemon).dataRoot, 'containers', id);
    const names = (await readdir(dir)).filter((n) => n.startsWith(`${id}-json.log`));
    const age = (n: string) => Number(/\.(\d+)$/.exec(n)?.[1] ?? 0);
    names.sort((a, b) => age(b) - age(a));
    const out: [string, JsonLine[]][] = [];
    for (const n of names) {
      const text = await readFile(join(dir, n), 'utf8');
      out.push([n.slice(id.length), lines(text).map((l) => JSON.parse(l) as JsonLine)]);
    }
    return out;
  }

  test("json-file: Docker's JSON lines at LogPath, the daemon's rotation in inspect", async () => {
    const script = 'echo out; echo err >&2; printf "tab\\there \\"q\\" <b>\\n"; printf last';
    const r = await docker(['run', '--name', 'lg-format', 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    // `docker run` returns once the container is gone: its output is all in the log.
    const id = await inspect('lg-format', '{{.Id}}');
    const path = await inspect('lg-format', '{{.LogPath}}');
    assert.equal(path, join((daemon as TestDaemon).dataRoot, 'containers', id, `${id}-json.log`));
    assert.deepEqual(JSON.parse(await inspect('lg-format', '{{json .HostConfig.LogConfig}}')), {
      Type: 'json-file',
      Config: { 'max-file': '5', 'max-size': '20m' },
    });
    const raw = lines(await readFile(path, 'utf8'));
    for (const line of raw) {
      assert.match(line, /^\{"log":".*","stream":"std(out|err)","time":"[^"]+"\}$/);
      assert.match((JSON.parse(line) as JsonLine).time, GO_TIME);
    }
    assert.match(raw.join('\n'), /"log":"tab\\u0009here \\"q\\" \\u003cb\\u003e\\n"/);
    const parsed = raw.map((l) => JSON.parse(l) as JsonLine);
    const of = (s: string) => parsed.filter((p) => p.stream === s).map((p) => p.log);
    assert.deepEqual(of('stdout'), ['out\n', 'tab\there "q" <b>\n', 'last']);
    assert.deepEqual(of('stderr'), ['err\n']);
    const logs = await docker(['logs', 'lg-format']);
    assert.equal(logs.stdout, 'out\ntab\there "q" <b>\nlast');
    assert.equal(logs.stderr, 'err\n');
  });

  test('rotation: max-size=10k, max-file=3 keeps three files; logs shows what remains', async () => {
    const script = 'i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i+1)); done';
    const opts = ['--log-opt', 'max-size=10k', '--log-opt', 'max-file=3'];
    const r = await docker(['run', '--name', 'lg-rotate', ...opts, 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lines(r.stdout).length, 3000);
    assert.deepEqual(JSON.parse(await inspect('lg-rotate', '{{json .HostConfig.LogConfig}}')), {
      Type: 'json-file',
      Config: { 'max-file': '3', 'max-size': '10k' },
    });
    const files = await jsonLogs('lg-rotate');
    assert.deepEqual(
      files.map(([n]) => n),
      ['-json.log.2', '-json.log.1', '-json.log'],
    );
    const path = await inspect('lg-rotate', '{{.LogPath}}');
    for (const suffix of ['', '.1', '.2']) {
      assert.ok((await stat(path + suffix)).size <= 10_000, `${suffix} within max-size`);
    }
    const stored = files.flatMap(([, entries]) => entries.map((e) => e.log ?? ''));
    const logs = await docker(['logs', 'lg-rotate']);
    assert.equal(logs.stdout, stored.join(''));
    const shown = lines(logs.stdout);
    const first = Number(shown[0]?.split(' ')[1]);
    assert.ok(first > 0, 'the oldest lines were dropped');
    assert.deepEqual(
      shown,
      Array.from({ length: 3000 - first }, (_, i) => `line ${first + i}`),
    );
  });

  test('logs -f follows across rotations and ends when the container exits', async () => {
    const script =
      'sleep 1; i=0; while [ $i -lt 1500 ]; do echo "line $i"; i=$((i+1)); ' +
      '[ $((i % 100)) = 0 ] && sleep 0.1; done';
    const opts = ['--log-opt', 'max-size=10k', '--log-opt', 'max-file=3'];
    const run = await docker([
      'run',
      '-d',
      '--name',
      'lg-follow',
      ...opts,
      'busybox',
      'sh',
      '-c',
      script,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const follow = await docker(['logs', '-f', 'lg-follow'], { timeoutMs: 30_000 });
    assert.equal(follow.code, 0, follow.stderr);
    assert.deepEqual(
      lines(follow.stdout),
      Array.from({ length: 1500 }, (_, i) => `line ${i}`),
    );
    assert.equal((await jsonLogs('lg-follow')).length, 3, 'the log was rotated meanwhile');
  });

  test('--since, --until, --tail and -t; stdout and stderr apart', async () => {
    const script = 'echo a; sleep 1.1; echo b; echo e >&2; sleep 1.1; echo c';
    const r = await docker(['run', '--name', 'lg-times', 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    const stamped = await docker(['logs', '-t', 'lg-times']);
    const times = new Map<string, string>();
    for (const line of [...lines(stamped.stdout), ...lines(stamped.stderr)]) {
      const [time = '', text = ''] = line.split(' ');
      assert.match(time, FIXED_TIME);
      times.set(text, time);
    }
    assert.deepEqual([...times.keys()].sort(), ['a', 'b', 'c', 'e']);
    const b = times.get('b') as string;
    const show = async (...args: string[]) => {
      const out = await docker(['logs', ...args, 'lg-times']);
      assert.equal(out.code, 0, out.stderr);
      return [lines(out.stdout), lines(out.stderr)];
    };
    assert.deepEqual(await show('--since', b), [['b', 'c'], ['e']]);
    assert.deepEqual(await show('--until', b), [['a', 'b'], []]);
    assert.deepEqual(await show('--since', b, '--until', b), [['b'], []]);
    assert.deepEqual(await show('--tail', '1'), [['c'], []]);
    assert.deepEqual(await show('--tail', '0'), [[], []]);
    assert.deepEqual(await show('--since', '1h', '--tail', 'all'), [['a', 'b', 'c'], ['e']]);
    // Over the API: one stream or the other, in Docker's frames.
    const base = '/containers/lg-times/logs?';
    const out = await api(daemon as TestDaemon, `${base}stdout=1`);
    assert.equal(out.status, 200);
    assert.equal(out.type, 'application/vnd.docker.multiplexed-stream');
    assert.deepEqual(frames(out.body), [
      [1, 'a\n'],
      [1, 'b\n'],
      [1, 'c\n'],
    ]);
    const err = await api(daemon as TestDaemon, `${base}stderr=1&timestamps=1`);
    assert.deepEqual(frames(err.body), [[2, `${times.get('e')} e\n`]]);
    const neither = await api(daemon as TestDaemon, base);
    assert.equal(neither.status, 400);
  });

  test('a TTY container: output is not split into streams', async () => {
    const r = await docker([
      'run',
      '-t',
      '--name',
      'lg-tty',
      'busybox',
      'sh',
      '-c',
      'echo out; echo err >&2',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const logs = await docker(['logs', 'lg-tty']);
    assert.equal(logs.stdout, 'out\r\nerr\r\n');
    assert.equal(logs.stderr, '');
    const [[, stored] = ['', []]] = await jsonLogs('lg-tty');
    assert.deepEqual(
      stored.map((e) => [e.stream, e.log]),
      [
        ['stdout', 'out\r\n'],
        ['stdout', 'err\r\n'],
      ],
    );
    const res = await api(daemon as TestDaemon, '/containers/lg-tty/logs?stdout=1&stderr=1');
    assert.equal(res.type, 'application/vnd.docker.raw-stream');
    assert.equal(res.body.toString(), 'out\r\nerr\r\n');
  });

  test('local driver: a round trip, no LogPath (as dockerd)', async () => {
    const script = 'echo one; echo two >&2; printf three';
    const r = await docker([
      'run',
      '--name',
      'lg-local',
      '--log-driver',
      'local',
      'busybox',
      'sh',
      '-c',
      script,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await inspect('lg-local', '{{.LogPath}}'), '');
    assert.deepEqual(JSON.parse(await inspect('lg-local', '{{json .HostConfig.LogConfig}}')), {
      Type: 'local',
      Config: {},
    });
    const id = await inspect('lg-local', '{{.Id}}');
    const file = join(
      (daemon as TestDaemon).dataRoot,
      'containers',
      id,
      'local-logs',
      'container.log',
    );
    assert.ok((await stat(file)).size > 0);
    const logs = await docker(['logs', 'lg-local']);
    assert.deepEqual([logs.stdout, logs.stderr], ['one\nthree', 'two\n']);
  });

  test('none: nothing kept; logs says the driver does not support reading', async () => {
    const r = await docker([
      'run',
      '--name',
      'lg-none',
      '--log-driver',
      'none',
      'busybox',
      'echo',
      'hi',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n', 'attach still works');
    assert.equal(await inspect('lg-none', '{{.LogPath}}'), '');
    const logs = await docker(['logs', 'lg-none']);
    assert.notEqual(logs.code, 0);
    assert.match(logs.stderr, /configured logging driver does not support reading/);
    const res = await api(daemon as TestDaemon, '/containers/lg-none/logs?stdout=1');
    assert.equal(res.status, 501);
  });

  test('a 20 KiB line: stored in 16 KiB pieces with one time, read back whole', async () => {
    const script = 'head -c 20480 /dev/zero | tr "\\0" a; echo; echo short';
    const r = await docker(['run', '--name', 'lg-long', 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    const [[, stored] = ['', []]] = await jsonLogs('lg-long');
    assert.deepEqual(
      stored.map((e) => e.log),
      ['a'.repeat(16384), `${'a'.repeat(4096)}\n`, 'short\n'],
    );
    assert.equal(stored[0]?.time, stored[1]?.time);
    const logs = await docker(['logs', 'lg-long']);
    assert.equal(logs.stdout, `${'a'.repeat(20480)}\nshort\n`);
    // With -t, one time per line: the first piece's (dockerd prints one per piece).
    const stamped = lines((await docker(['logs', '-t', 'lg-long'])).stdout);
    assert.equal(stamped.length, 2);
    const [time = '', text] = stamped[0]?.split(' ') ?? [];
    assert.match(time, FIXED_TIME);
    assert.equal(time.replace(/\.?0+Z$/, 'Z'), stored[0]?.time);
    assert.equal(text, 'a'.repeat(20480));
  });

  test('invalid log options are refused at create, in dockerd words (400)', async () => {
    const cases: [string[], string][] = [
      [['--log-opt', 'foo=bar'], "unknown log opt 'foo' for json-file log driver"],
      [['--log-opt', 'max-size=abc'], "failed to initialize logging driver: invalid size: 'abc'"],
      [['--log-opt', 'max-file=0', '--log-opt', 'max-size=1m'], 'max-file cannot be less than 1'],
      [['--log-driver', 'local', '--log-opt', 'max-file=x'], 'invalid value for max-file: x'],
      [
        ['--log-driver', 'bogus'],
        'error looking up logging plugin bogus: plugin "bogus" not found',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await docker(['create', ...args, 'busybox', 'true']);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.ok(r.stderr.includes(message), `${args.join(' ')}: ${r.stderr}`);
    }
    const bad = await api(daemon as TestDaemon, '/containers/create?name=lg-bad', {
      Image: 'busybox',
      HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '-1' } } },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.body.toString()), {
      message: "failed to initialize logging driver: invalid size: '-1'",
    });
    const ps = await docker(['ps', '-aq', '--filter', 'status=created']);
    assert.equal(ps.stdout, '', 'nothing was created');
  });
});

describe("the daemon's log options", { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-logs-daemon-cfg-'));
    daemon = await startDaemonWithBusybox('ctr-logs-daemon', {
      config: { 'log-opts': { 'max-size': '1k', 'max-file': '2' } },
    });
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  test('daemon.json log-opts apply to containers, which may override them', async () => {
    const docker = dockerCli(daemon as TestDaemon, config);
    const script = 'i=0; while [ $i -lt 100 ]; do echo "line $i"; i=$((i+1)); done';
    const r = await docker(['run', '--name', 'lgd-default', 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    const conf = async (name: string) => {
      const out = await docker(['inspect', '-f', '{{json .HostConfig.LogConfig}}', name]);
      return JSON.parse(out.stdout) as unknown;
    };
    assert.deepEqual(await conf('lgd-default'), {
      Type: 'json-file',
      Config: { 'max-file': '2', 'max-size': '1k' },
    });
    const path = (await docker(['inspect', '-f', '{{.LogPath}}', 'lgd-default'])).stdout.trim();
    assert.ok((await stat(path)).size <= 1000);
    assert.ok((await stat(`${path}.1`)).size <= 1000);
    await assert.rejects(stat(`${path}.2`), { code: 'ENOENT' });
    await docker(['create', '--name', 'lgd-own', '--log-opt', 'max-file=3', 'busybox', 'true']);
    const created = await docker(['inspect', '-f', '[{{.LogPath}}]', 'lgd-own']);
    assert.equal(created.stdout.trim(), '[]', 'no LogPath before the first start (as dockerd)');
    assert.deepEqual(await conf('lgd-own'), {
      Type: 'json-file',
      Config: { 'max-file': '3', 'max-size': '1k' },
    });
    await docker(['create', '--name', 'lgd-local', '--log-driver', 'local', 'busybox', 'true']);
    assert.deepEqual(await conf('lgd-local'), { Type: 'local', Config: {} });
  });

  test('a bad default log option stops moord from starting, in dockerd words', async () => {
    const bad = await startTestDaemon('ctr-logs-bad', { args: ['--log-opt', 'foo=bar'] });
    try {
      assert.notEqual(await bad.exited, 0);
      assert.match(
        bad.logs(),
        /failed to set log opts: unknown log opt 'foo' for json-file log driver/,
      );
    } finally {
      await cleanupDaemon(bad);
    }
  });
});

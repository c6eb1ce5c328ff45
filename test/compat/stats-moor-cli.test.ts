import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { argv, cliComparer } from '../helpers/cli-compare.js';
import { cleanupContainerDaemon, startDaemonWithBusybox, until } from '../helpers/containers.js';
import { MOOR, type TestDaemon } from '../helpers/moord.js';
import { runInPty } from '../helpers/pty.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'stats-cli';
const BUSY = `${NAME}-busy`;
const IDLE = `${NAME}-idle`;
const STOPPED = `${NAME}-stopped`;
const ESC = '\x1b';

const COLUMNS = [
  'CONTAINER ID',
  'NAME',
  'CPU %',
  'MEM USAGE / LIMIT',
  'MEM %',
  'NET I/O',
  'BLOCK I/O',
  'PIDS',
];

/** The figures that change from one sample to the next, and the padding they move. */
function unmeasured(text: string): string {
  return text
    .replace(/\d+\.\d\d%/g, '<pct>')
    .replace(/\b\d+(\.\d+)?(e\+\d\d)?(B|kB|MB|GB|KiB|MiB|GiB|TiB)\b/g, '<size>')
    .replace(/ {2,}/g, '  ');
}

/** A table line's columns (tabwriter pads them with at least 3 spaces). */
function cells(line: string): string[] {
  return line.split(/ {2,}/);
}

/**
 * `moor stats` against `docker stats` on one moord: columns, figures, `--format`, `-a`, errors;
 * streaming as frames, following a container that starts.
 */
describe('moor stats prints what docker stats prints', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  const { both, docker, moor } = cliComparer({
    daemon: () => daemon!,
    dir: () => dir,
    prefix: NAME,
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    daemon = await startDaemonWithBusybox(NAME);
    const busy = ['--cpus', '0.5', 'busybox', 'sh', '-c', 'while :; do :; done'];
    for (const args of [
      ['run', '-d', '--network', 'none', '--name', BUSY, ...busy],
      ['run', '-d', '--network', 'none', '--name', IDLE, 'busybox', 'sleep', '300'],
      ['create', '--network', 'none', '--name', STOPPED, 'busybox', 'true'],
    ]) {
      const r = await docker(args);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  test('--no-stream: the running containers in docker’s columns; the busy one near 50%', async () => {
    const r = await moor(argv`stats --no-stream`);
    assert.equal(r.code, 0, r.stderr);
    const [header = '', ...rows] = r.stdout.trimEnd().split('\n');
    assert.deepEqual(cells(header), COLUMNS);
    const byName = new Map(rows.map((row) => [cells(row)[1], cells(row)]));
    assert.deepEqual([...byName.keys()].sort(), [BUSY, IDLE]);
    const busy = byName.get(BUSY) ?? [];
    const cpu = Number.parseFloat(busy[2] ?? '');
    assert.ok(cpu > 30 && cpu < 70, `CPU % of a --cpus 0.5 loop: ${busy[2]}`);
    assert.match(busy[3] ?? '', /^\d+(\.\d+)?(B|KiB|MiB) \/ \d+(\.\d+)?(MiB|GiB|TiB)$/);
    assert.equal(busy[5], '0B / 0B');
    assert.equal(busy[7], '1');
    await both(argv`stats --no-stream`, { transform: unmeasured });
    await both(argv`container stats --no-stream -a`, { transform: unmeasured });
  });

  test('--format json, -a: a stopped container’s zeros', async () => {
    const r = await moor(argv`stats --no-stream -a --format json`);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);
    assert.deepEqual(
      rows.map((row) => row['Name']),
      [STOPPED, IDLE, BUSY],
    );
    const [stopped, , busy] = rows;
    assert.deepEqual(Object.keys(busy ?? {}), [
      'BlockIO',
      'CPUPerc',
      'Container',
      'ID',
      'MemPerc',
      'MemUsage',
      'Name',
      'NetIO',
      'PIDs',
    ]);
    assert.match(busy?.['ID'] ?? '', /^[0-9a-f]{12}$/);
    assert.equal(busy?.['Container'], busy?.['ID']);
    assert.deepEqual(stopped, {
      BlockIO: '0B / 0B',
      CPUPerc: '0.00%',
      Container: stopped?.['ID'],
      ID: stopped?.['ID'],
      MemPerc: '0.00%',
      MemUsage: '0B / 0B',
      Name: STOPPED,
      NetIO: '0B / 0B',
      PIDs: '0',
    });
    await both(['stats', '--no-stream', '-a', '--format', '{{.Name}} {{.PIDs}} {{.NetIO}}']);
  });

  test('named containers, --no-trunc; errors as docker prints them', async () => {
    await both(['stats', '--no-stream', '--format', '{{.Container}} {{.Name}}', IDLE, BUSY]);
    await both(['stats', '--no-stream', '--no-trunc', '--format', 'table {{.ID}}', STOPPED]);
    const missing = await both(argv`stats --no-stream stats-cli-nosuch`);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      'Error response from daemon: No such container: stats-cli-nosuch\n',
    );
    await both(['stats', '--no-stream', 'stats-cli-nosuch', BUSY, 'stats-cli-nosuch2']);
    await both(['stats', '--no-stream', '--format', '{{.Nope}}', IDLE]);
    await both(argv`stats --no-stream --bogus`);
  });

  test('streaming: a frame every half second; containers join and leave', async () => {
    const child = spawn(MOOR, ['stats', '--format', 'table {{.Name}}'], {
      env: { ...process.env, DOCKER_HOST: daemon!.host, MOOR_HOST: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const lastFrame = () => output.slice(output.lastIndexOf('NAME\n'));
    try {
      await until(() => Promise.resolve(lastFrame().includes(BUSY)), 10_000);
      const late = `${NAME}-late`;
      const r = await docker(argv`run -d --network none --name ${late} busybox sleep 2`);
      assert.equal(r.code, 0, r.stderr);
      await until(() => Promise.resolve(lastFrame().includes(late)), 10_000);
      // Without -a, a container that dies leaves the table.
      const without = (frame: string) => frame.includes(`${BUSY}\n`) && !frame.includes(late);
      await until(() => Promise.resolve(without(lastFrame())), 10_000);
      // Off a terminal, plain frames follow each other: no cursor movements.
      assert.ok(!output.includes(ESC), JSON.stringify(output));
      assert.ok(output.split('NAME\n').length > 3, output);
    } finally {
      child.kill();
      await once(child, 'close');
    }
  });

  test('on a terminal, each frame is drawn over the previous one', async () => {
    const env = { DOCKER_HOST: daemon!.host, MOOR_HOST: '' };
    // Cursor home, each line then erased to its end, as docker draws them.
    const frame = new RegExp(
      `${ESC}\\[HCONTAINER ID {3}NAME[^\\n]* ${ESC}\\[K\\r?\\n[^\\n]*${BUSY}[^\\n]* ${ESC}\\[K`,
    );
    const steps = [{ expect: frame }, { expect: frame, send: '\x03' }];
    const r = await runInPty(`${MOOR} stats ${BUSY}`, steps, { env });
    assert.ok(r.output.includes(`${ESC}[J`), JSON.stringify(r.output));
  });
});

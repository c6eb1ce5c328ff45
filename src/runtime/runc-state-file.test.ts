import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { deleteStoppedState, liveInit } from './runc-state-file.js';

let base: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'runc-state-test-'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** This process's start time (field 22 of /proc/self/stat). */
async function ownStartTime(): Promise<string> {
  const text = await readFile('/proc/self/stat', 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

async function stateDir(name: string, state: unknown): Promise<string> {
  const dir = join(base, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'state.json'), JSON.stringify(state));
  return dir;
}

test('liveInit: the recorded pid only while the process with that start time lives', async () => {
  const start = Number(await ownStartTime());
  const alive = await stateDir('alive', {
    init_process_pid: process.pid,
    init_process_start: start,
    config: {
      namespaces: [
        { type: 'NEWNS', path: '' },
        { type: 'NEWPID', path: '' },
      ],
    },
  });
  assert.deepEqual(liveInit(alive), { pid: process.pid, ownPidNamespace: true });
  const joined = await stateDir('joined', {
    init_process_pid: process.pid,
    init_process_start: start,
    config: { namespaces: [{ type: 'NEWPID', path: '/proc/1/ns/pid' }] },
  });
  assert.deepEqual(liveInit(joined), { pid: process.pid, ownPidNamespace: false });
  const reused = await stateDir('reused', {
    init_process_pid: process.pid,
    init_process_start: start + 1,
  });
  assert.equal(liveInit(reused), undefined, 'a reused pid is not the init');
  assert.equal(liveInit(join(base, 'missing')), undefined);
});

test('deleteStoppedState leaves to runc what it does not expect', async () => {
  const start = Number(await ownStartTime());
  const running = await stateDir('running', {
    init_process_pid: process.pid,
    init_process_start: start,
    cgroup_paths: {},
  });
  assert.equal(await deleteStoppedState(running), false, 'the init still runs');
  const outside = await stateDir('outside', {
    init_process_pid: 2 ** 22 + 1,
    init_process_start: 1,
    cgroup_paths: { memory: '/etc' },
  });
  assert.equal(await deleteStoppedState(outside), false, 'a cgroup path outside cgroupfs');
  const odd = join(base, 'odd');
  await mkdir(odd);
  await writeFile(join(odd, 'state.json'), 'not json');
  assert.equal(await deleteStoppedState(odd), false);
  // Stopped, with no cgroup left: the state directory goes.
  const stopped = await stateDir('stopped', {
    init_process_pid: 2 ** 22 + 1,
    init_process_start: 1,
    cgroup_paths: { memory: '/sys/fs/cgroup/memory/moor-test-never-made' },
  });
  assert.equal(await deleteStoppedState(stopped), true);
  await assert.rejects(readFile(join(stopped, 'state.json')), { code: 'ENOENT' });
});

test('deleteStoppedState: with its own PID namespace, the cgroups are left for later', async () => {
  const cgroup = '/sys/fs/cgroup/pids/moor-test-never-made';
  const own = await stateDir('own', {
    init_process_pid: 2 ** 22 + 1,
    init_process_start: 1,
    cgroup_paths: { pids: cgroup },
    config: { namespaces: [{ type: 'NEWPID', path: '' }] },
  });
  const left: Array<() => Promise<boolean>> = [];
  assert.equal(await deleteStoppedState(own, (remove) => left.push(remove)), true);
  await assert.rejects(readFile(join(own, 'state.json')), { code: 'ENOENT' });
  assert.equal(left.length, 1, 'the cgroups wait');
  assert.equal(await left[0]?.(), true);
  // A joined PID namespace may leave processes in the cgroups: removed now, or runc's job.
  const joined = await stateDir('joined-pid', {
    init_process_pid: 2 ** 22 + 1,
    init_process_start: 1,
    cgroup_paths: { pids: cgroup },
    config: { namespaces: [{ type: 'NEWPID', path: '/proc/1/ns/pid' }] },
  });
  assert.equal(await deleteStoppedState(joined, (remove) => left.push(remove)), true);
  assert.equal(left.length, 1, 'nothing left for later');
});

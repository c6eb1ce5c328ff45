import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  assembleMounts,
  etcFileMounts,
  mergeTmpfsOptions,
  sortMounts,
  tmpfsMounts,
} from './spec-mounts.js';

const plan = {
  shmSize: 67108864,
  userMounts: [],
  noShm: false,
  readonlyRootfs: false,
  privileged: false,
  writableCgroups: false,
};

test('default mounts in Docker order with Docker options', () => {
  const mounts = assembleMounts(plan);
  assert.deepEqual(
    mounts.map((m) => `${m.destination} ${m.type}`),
    [
      '/proc proc',
      '/dev tmpfs',
      '/dev/pts devpts',
      '/sys sysfs',
      '/sys/fs/cgroup cgroup',
      '/dev/mqueue mqueue',
      '/dev/shm tmpfs',
    ],
  );
  assert.deepEqual(mounts[1]!.options, ['nosuid', 'strictatime', 'mode=755', 'size=65536k']);
  assert.deepEqual(mounts[2]!.options, [
    'nosuid',
    'noexec',
    'newinstance',
    'ptmxmode=0666',
    'mode=0620',
    'gid=5',
  ]);
  assert.deepEqual(mounts[3]!.options, ['nosuid', 'noexec', 'nodev', 'ro']);
  assert.deepEqual(mounts[4]!.options, ['ro', 'nosuid', 'noexec', 'nodev']);
  assert.deepEqual(mounts[6]!.options, ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864']);
});

test('a user mount replaces the default at its path; a user /dev drops everything under it', () => {
  const shm = { destination: '/dev/shm', type: 'bind', source: '/host/shm', options: ['rbind'] };
  const mounts = assembleMounts({ ...plan, userMounts: [shm] });
  assert.equal(mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.equal(mounts.at(-1), shm);
  const dev = { destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] };
  const withDev = assembleMounts({ ...plan, userMounts: [dev] });
  assert.deepEqual(
    withDev.map((m) => m.destination),
    ['/proc', '/sys', '/sys/fs/cgroup', '/dev'],
  );
});

test('IpcMode none has no /dev/shm; the init binary follows the defaults, read-only', () => {
  const mounts = assembleMounts({ ...plan, noShm: true, initPath: '/usr/bin/tini-static' });
  assert.ok(!mounts.some((m) => m.destination === '/dev/shm'));
  assert.deepEqual(mounts.at(-1), {
    destination: '/sbin/docker-init',
    type: 'bind',
    source: '/usr/bin/tini-static',
    options: ['bind', 'ro'],
  });
});

test('read-only rootfs: default mounts read-only except /proc and /dev ones', () => {
  const mounts = assembleMounts({ ...plan, readonlyRootfs: true });
  const ro = mounts.filter((m) => m.options?.includes('ro')).map((m) => m.destination);
  assert.deepEqual(ro, ['/sys', '/sys/fs/cgroup']);
});

test('privileged makes /sys writable; writable cgroups the cgroup mount', () => {
  const mounts = assembleMounts({ ...plan, privileged: true, writableCgroups: true });
  assert.deepEqual(mounts[3]!.options, ['nosuid', 'noexec', 'nodev']);
  assert.deepEqual(mounts[4]!.options, ['nosuid', 'noexec', 'nodev']);
});

test('/etc files: resolv.conf, hostname, hosts; read-only with a read-only rootfs', () => {
  const files = { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' };
  assert.deepEqual(etcFileMounts(files, false), [
    {
      destination: '/etc/resolv.conf',
      type: 'bind',
      source: '/c/resolv.conf',
      options: ['rbind', 'rprivate'],
    },
    {
      destination: '/etc/hostname',
      type: 'bind',
      source: '/c/hostname',
      options: ['rbind', 'rprivate'],
    },
    { destination: '/etc/hosts', type: 'bind', source: '/c/hosts', options: ['rbind', 'rprivate'] },
  ]);
  assert.deepEqual(etcFileMounts(files, true)[0]!.options, ['rbind', 'ro', 'rprivate']);
  assert.deepEqual(etcFileMounts({ hosts: '/c/hosts' }, false).length, 1);
});

test('tmpfs options: Docker defaults, later flags and keys win', () => {
  assert.deepEqual(tmpfsMounts({ '/run': '' }), [
    {
      destination: '/run',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['noexec', 'nosuid', 'nodev', 'rprivate'],
    },
  ]);
  assert.deepEqual(tmpfsMounts({ '/t': 'rw,exec,size=1m,size=2m,mode=1777' })[0]!.options, [
    'nosuid',
    'nodev',
    'rprivate',
    'rw',
    'exec',
    'size=2m',
    'mode=1777',
  ]);
  assert.deepEqual(mergeTmpfsOptions(['defaults', 'private', 'shared']), ['shared']);
  assert.throws(() => tmpfsMounts({ '/t': 'bogus' }), {
    message: 'invalid tmpfs option ["bogus"]',
  });
  assert.throws(() => tmpfsMounts({ '/t': 'foo=1' }), {
    message: 'invalid tmpfs option ["foo" "1"]',
  });
  assert.throws(() => tmpfsMounts({ t: '' }), /must be absolute/);
});

test('sortMounts puts parents first and keeps the order of equals', () => {
  const m = (destination: string) => ({ destination });
  assert.deepEqual(
    sortMounts([m('/a/b/c'), m('/x'), m('/a/b'), m('/y'), m('/a/')]).map((x) => x.destination),
    ['/x', '/y', '/a/', '/a/b', '/a/b/c'],
  );
});

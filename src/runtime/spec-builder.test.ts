import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './capabilities.js';
import { type SpecInput, buildRuntimeSpec } from './spec-builder.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from './spec-defaults.js';

function input(overrides: Partial<SpecInput> = {}): SpecInput {
  return {
    id: 'c1',
    rootfs: '/var/lib/moor/c1/rootfs',
    args: ['sh', '-c', 'true'],
    env: ['PATH=/bin', 'HOSTNAME=c1'],
    cwd: '',
    user: { uid: 1000, gid: 1000, additionalGids: [1000, 10] },
    hostname: 'c1',
    domainname: '',
    config: {},
    hostConfig: {},
    cgroupsPath: '/moor/c1',
    cgroupVersion: 2,
    networkNamespace: { kind: 'new' },
    files: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' },
    ...overrides,
  };
}

const nsTypes = (spec: ReturnType<typeof buildRuntimeSpec>) =>
  spec.linux.namespaces.map((n) => (n.path ? `${n.type}=${n.path}` : n.type));

test('process: args, env, cwd default /, user, default capabilities, oom score', () => {
  const spec = buildRuntimeSpec(input());
  assert.equal(spec.ociVersion, '1.0.2');
  const p = spec.process;
  assert.equal(p.terminal, false);
  assert.deepEqual(p.args, ['sh', '-c', 'true']);
  assert.deepEqual(p.env, ['PATH=/bin', 'HOSTNAME=c1']);
  assert.equal(p.cwd, '/');
  assert.deepEqual(p.user, { uid: 1000, gid: 1000, additionalGids: [1000, 10] });
  assert.deepEqual(p.capabilities, {
    bounding: [...DEFAULT_CAPABILITIES],
    effective: [...DEFAULT_CAPABILITIES],
    permitted: [...DEFAULT_CAPABILITIES],
  });
  assert.equal(p.noNewPrivileges, undefined);
  assert.equal(p.oomScoreAdj, 0);
  assert.deepEqual(p.rlimits, []);
  assert.deepEqual(spec.root, { path: '/var/lib/moor/c1/rootfs', readonly: false });
  assert.equal(spec.hostname, 'c1');
  assert.equal(spec.domainname, undefined);
});

test('tty, console size, cap add/drop, no-new-privileges, ulimits, oom score', () => {
  const spec = buildRuntimeSpec(
    input({
      cwd: '/srv',
      config: { Tty: true },
      hostConfig: {
        ConsoleSize: [24, 80],
        CapAdd: ['net_admin'],
        CapDrop: ['CAP_MKNOD'],
        SecurityOpt: ['no-new-privileges:true'],
        Ulimits: [{ Name: 'nofile', Soft: 100, Hard: 200 }],
        OomScoreAdj: 500,
      },
    }),
  );
  const p = spec.process;
  assert.equal(p.terminal, true);
  assert.deepEqual(p.consoleSize, { height: 24, width: 80 });
  assert.equal(p.cwd, '/srv');
  assert.ok(p.capabilities?.bounding?.includes('CAP_NET_ADMIN'));
  assert.ok(!p.capabilities?.effective?.includes('CAP_MKNOD'));
  assert.equal(p.noNewPrivileges, true);
  assert.deepEqual(p.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 200 }]);
  assert.equal(p.oomScoreAdj, 500);
});

test('errors of the parts surface: capability, security opt, sysctl, ulimit', () => {
  const bad = (hostConfig: SpecInput['hostConfig'], message: string | RegExp) =>
    assert.throws(() => buildRuntimeSpec(input({ hostConfig })), { message });
  bad({ CapAdd: ['FOO'] }, 'unknown capability: "CAP_FOO"');
  bad({ SecurityOpt: ['foo'] }, 'invalid --security-opt 1: "foo"');
  bad({ Sysctls: { 'vm.overcommit_memory': '1' } }, /is not in a separate kernel namespace/);
  bad({ OomScoreAdj: -2000 }, /range for oom score adj/);
  assert.throws(
    () =>
      buildRuntimeSpec(
        input({
          hostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 5000000 }] },
          hostRlimitHard: { RLIMIT_NOFILE: 1048576 },
        }),
      ),
    /above the host's hard limit/,
  );
});

test('namespaces: v2 adds a private cgroup namespace; host modes and paths', () => {
  assert.deepEqual(nsTypes(buildRuntimeSpec(input())), [
    'mount',
    'network',
    'uts',
    'pid',
    'ipc',
    'cgroup',
  ]);
  assert.deepEqual(nsTypes(buildRuntimeSpec(input({ cgroupVersion: 1 }))), [
    'mount',
    'network',
    'uts',
    'pid',
    'ipc',
  ]);
  const hosty = buildRuntimeSpec(
    input({
      networkNamespace: { kind: 'host' },
      hostConfig: { PidMode: 'host', IpcMode: 'host', UTSMode: 'host', CgroupnsMode: 'host' },
    }),
  );
  assert.deepEqual(nsTypes(hosty), ['mount']);
  assert.equal(hosty.hostname, '');
  const joined = buildRuntimeSpec(
    input({
      cgroupVersion: 1,
      networkNamespace: { kind: 'path', path: '/run/netns/x' },
      hostConfig: { PidMode: 'container:other', CgroupnsMode: 'private' },
      pidNamespace: { kind: 'path', path: '/proc/42/ns/pid', joined: true },
    }),
  );
  assert.deepEqual(nsTypes(joined), [
    'mount',
    'network=/run/netns/x',
    'uts',
    'pid=/proc/42/ns/pid',
    'ipc',
    'cgroup',
  ]);
});

test('invalid namespace modes are refused', () => {
  const bad = (hostConfig: SpecInput['hostConfig'], message: string | RegExp) =>
    assert.throws(() => buildRuntimeSpec(input({ hostConfig })), { message });
  bad({ PidMode: 'bogus' }, 'invalid PID mode: bogus');
  bad({ IpcMode: 'bogus' }, 'invalid IPC mode: bogus');
  bad({ UTSMode: 'bogus' }, 'invalid UTS mode: bogus');
  bad({ CgroupnsMode: 'bogus' }, 'invalid cgroup namespace mode: bogus');
  bad({ PidMode: 'container:x' }, /path is required/);
});

test('default sysctls in an own network namespace; domainname; user sysctls override', () => {
  const spec = buildRuntimeSpec(
    input({
      domainname: 'example.org',
      hostConfig: {
        Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '1024', 'kernel.shmmax': '1' },
      },
    }),
  );
  assert.deepEqual(spec.linux.sysctl, {
    'net.ipv4.ping_group_range': '0 2147483647',
    'net.ipv4.ip_unprivileged_port_start': '1024',
    'kernel.domainname': 'example.org',
    'kernel.shmmax': '1',
  });
  assert.equal(spec.domainname, 'example.org');
  const host = buildRuntimeSpec(input({ networkNamespace: { kind: 'host' } }));
  assert.deepEqual(host.linux.sysctl, {});
  const joined = { kind: 'path', path: '/proc/9/ns/net', joined: true } as const;
  assert.deepEqual(buildRuntimeSpec(input({ networkNamespace: joined })).linux.sysctl, {});
  assert.throws(
    () =>
      buildRuntimeSpec(
        input({ networkNamespace: { kind: 'host' }, hostConfig: { Sysctls: { 'net.x': '1' } } }),
      ),
    { message: 'sysctl "net.x" is not allowed in the hosts network namespace' },
  );
});

test('mounts: defaults, shm size, tmpfs and /etc files after them, binds by depth', () => {
  const spec = buildRuntimeSpec(
    input({
      hostConfig: { ShmSize: 1 << 20, Tmpfs: { '/run': 'size=1m' } },
      mounts: [
        { destination: '/data/sub', type: 'bind', source: '/h/sub', options: ['rbind'] },
        { destination: '/data', type: 'bind', source: '/h/data', options: ['rbind'] },
      ],
    }),
  );
  assert.deepEqual(
    spec.mounts.map((m) => m.destination),
    [
      '/proc',
      '/dev',
      '/dev/pts',
      '/sys',
      '/sys/fs/cgroup',
      '/dev/mqueue',
      '/dev/shm',
      '/data',
      '/run',
      '/data/sub',
      '/etc/resolv.conf',
      '/etc/hostname',
      '/etc/hosts',
    ],
  );
  assert.ok(spec.mounts[6]!.options!.includes('size=1048576'));
});

test('read-only rootfs: root and /etc files read-only', () => {
  const spec = buildRuntimeSpec(input({ hostConfig: { ReadonlyRootfs: true } }));
  assert.equal(spec.root.readonly, true);
  const hosts = spec.mounts.find((m) => m.destination === '/etc/hosts');
  assert.deepEqual(hosts?.options, ['rbind', 'ro', 'rprivate']);
});

test('a rootfs mount made by the runtime comes before every other mount', () => {
  const rootfsMount = {
    type: 'overlay',
    source: 'overlay',
    options: ['lowerdir=/l', 'upperdir=/u', 'workdir=/w'],
  };
  const spec = buildRuntimeSpec(input({ rootfsMount }));
  assert.deepEqual(spec.mounts[0], { destination: '/', ...rootfsMount });
  assert.equal(spec.mounts.filter((m) => m.destination === '/').length, 1);
  assert.equal(
    buildRuntimeSpec(input()).mounts.some((m) => m.destination === '/'),
    false,
  );
});

test('shared /dev/shm from shmPath; IpcMode none has none', () => {
  const shared = buildRuntimeSpec(input({ shmPath: '/var/lib/moor/c1/shm' }));
  const shm = shared.mounts.filter((m) => m.destination === '/dev/shm');
  assert.deepEqual(shm, [
    {
      destination: '/dev/shm',
      type: 'bind',
      source: '/var/lib/moor/c1/shm',
      options: ['rbind', 'rprivate'],
    },
  ]);
  const none = buildRuntimeSpec(input({ hostConfig: { IpcMode: 'none' }, shmPath: '/x' }));
  assert.ok(!none.mounts.some((m) => m.destination === '/dev/shm'));
});

test('init: args wrapped and the binary bind-mounted, only in a private PID namespace', () => {
  const spec = buildRuntimeSpec(input({ initPath: '/usr/bin/tini-static' }));
  assert.deepEqual(spec.process.args, ['/sbin/docker-init', '--', 'sh', '-c', 'true']);
  const init = spec.mounts.find((m) => m.destination === '/sbin/docker-init');
  assert.deepEqual(init, {
    destination: '/sbin/docker-init',
    type: 'bind',
    source: '/usr/bin/tini-static',
    options: ['bind', 'ro'],
  });
  const hostPid = buildRuntimeSpec(
    input({ initPath: '/usr/bin/tini-static', hostConfig: { PidMode: 'host' } }),
  );
  assert.deepEqual(hostPid.process.args, ['sh', '-c', 'true']);
  assert.ok(!hostPid.mounts.some((m) => m.destination === '/sbin/docker-init'));
});

test('masked and readonly paths: defaults, overrides, none when privileged', () => {
  const spec = buildRuntimeSpec(
    input({ extraMaskedPaths: ['/sys/devices/system/cpu/cpu0/thermal_throttle'] }),
  );
  assert.deepEqual(spec.linux.maskedPaths, [
    ...DEFAULT_MASKED_PATHS,
    '/sys/devices/system/cpu/cpu0/thermal_throttle',
  ]);
  assert.deepEqual(spec.linux.readonlyPaths, [...DEFAULT_READONLY_PATHS]);
  assert.ok(spec.linux.maskedPaths?.includes('/proc/kcore'));
  const custom = buildRuntimeSpec(
    input({ hostConfig: { MaskedPaths: ['/x'], ReadonlyPaths: [] } }),
  );
  assert.deepEqual(custom.linux.maskedPaths, ['/x']);
  assert.deepEqual(custom.linux.readonlyPaths, []);
  const priv = buildRuntimeSpec(input({ hostConfig: { Privileged: true } }));
  assert.deepEqual(priv.linux.maskedPaths, []);
  assert.deepEqual(priv.linux.readonlyPaths, []);
});

test('privileged: all capabilities, /sys and cgroups writable, host devices, allow-all rule', () => {
  const tun = {
    type: 'c',
    path: '/dev/net/tun',
    major: 10,
    minor: 200,
    fileMode: 0o666,
    uid: 0,
    gid: 0,
  };
  const spec = buildRuntimeSpec(input({ hostConfig: { Privileged: true }, hostDevices: [tun] }));
  assert.deepEqual(spec.process.capabilities?.bounding, [...ALL_CAPABILITIES]);
  const sys = spec.mounts.find((m) => m.destination === '/sys');
  assert.ok(!sys?.options?.includes('ro'));
  const cgroup = spec.mounts.find((m) => m.destination === '/sys/fs/cgroup');
  assert.ok(!cgroup?.options?.includes('ro'));
  assert.ok(spec.linux.devices?.some((d) => d.path === '/dev/net/tun'));
  assert.deepEqual(spec.linux.resources?.devices, [{ allow: true, access: 'rwm' }]);
});

test('devices: default nodes plus mapped ones; default rules deny first', () => {
  const fuse = {
    type: 'c',
    path: '/dev/fuse',
    major: 10,
    minor: 229,
    fileMode: 0o666,
    uid: 0,
    gid: 0,
  };
  const spec = buildRuntimeSpec(input({ devices: [fuse] }));
  assert.deepEqual(
    spec.linux.devices?.map((d) => d.path),
    ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty', '/dev/fuse'],
  );
  assert.deepEqual(spec.linux.resources?.devices?.[0], { allow: false, access: 'rwm' });
  assert.ok(
    spec.linux.resources?.devices?.some((r) => r.allow && r.major === 10 && r.minor === 229),
  );
});

test('resources and cgroups path', () => {
  const spec = buildRuntimeSpec(
    input({ hostConfig: { Memory: 1 << 30, NanoCpus: 5e8, PidsLimit: 64 } }),
  );
  assert.equal(spec.linux.cgroupsPath, '/moor/c1');
  assert.deepEqual(spec.linux.resources?.memory, { limit: 1 << 30 });
  assert.deepEqual(spec.linux.resources?.cpu, { period: 100000, quota: 50000 });
  assert.deepEqual(spec.linux.resources?.pids, { limit: 64 });
});

test('annotations are passed; apparmor only where the host has it', () => {
  const spec = buildRuntimeSpec(
    input({ hostConfig: { Annotations: { a: 'b' }, SecurityOpt: ['apparmor=my-profile'] } }),
  );
  assert.deepEqual(spec.annotations, { a: 'b' });
  assert.equal(spec.process.apparmorProfile, undefined);
  const withAa = buildRuntimeSpec(
    input({ appArmor: true, hostConfig: { SecurityOpt: ['apparmor=my-profile'] } }),
  );
  assert.equal(withAa.process.apparmorProfile, 'my-profile');
});

test('the builder is pure: inputs are not modified', () => {
  const i = input({ hostConfig: { CapAdd: ['ALL'] } });
  const before = JSON.stringify(i);
  const spec = buildRuntimeSpec(i);
  spec.process.args.push('x');
  spec.process.user.additionalGids?.push(9);
  assert.equal(JSON.stringify(i), before);
});

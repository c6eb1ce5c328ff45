import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  rmdir,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { HostConfig } from '../../src/api-types/index.js';
import { hasErrno } from '../../src/core/index.js';
import {
  type SpecInput,
  buildProcessEnv,
  buildRuntimeSpec,
  capabilitiesFromMask,
  resolveUser,
  serializeRuntimeSpec,
} from '../../src/runtime/index.js';
import { detectCgroupLayout } from '../../src/sys/index.js';
import { run } from '../helpers/run.js';

/**
 * The runtime config builder against the real runc: a busybox bundle per case, run with
 * `runc run`, its output checked. Needs root, runc and /bin/busybox (Debian busybox-static).
 */
const RUNC = ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc'].find(executable);
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find(executable);
const INIT = ['/usr/bin/tini-static', '/usr/bin/docker-init'].find(executable);
const TEST_NAME = 'moor-runtime-spec-test';
const CGROUP_PARENT = `/${TEST_NAME}`;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'EACCES', 'ENOTDIR')) return false;
    throw err;
  }
}

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (runc creates namespaces and cgroups)';
  if (!RUNC) return 'runc is not installed';
  if (!BUSYBOX) return 'busybox is not installed (Debian: busybox-static)';
  return false;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n';
const GROUP = 'root:x:0:\nwheel:x:10:app\napp:x:1000:\n';

async function rmdirQuiet(path: string): Promise<void> {
  try {
    await rmdir(path);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
  }
}

async function childDirs(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => join(path, e.name));
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return [];
    throw err;
  }
}

/** Removes the test's cgroups (runc leaves the parent; a killed run, more), v1 and v2. */
async function removeCgroups(): Promise<void> {
  const root = '/sys/fs/cgroup';
  for (const hierarchy of ['', ...(await readdir(root))]) {
    const parent = join(root, hierarchy, CGROUP_PARENT);
    for (const child of await childDirs(parent)) await rmdirQuiet(child);
    await rmdirQuiet(parent);
  }
}

describe('runtime spec accepted by runc', { skip: skipReason() }, () => {
  let dir = '';
  let cgroupVersion: 1 | 2 = 2;
  /** This process's bounding set: what a privileged container can get here. */
  let hostCapBnd = '';
  const ids: string[] = [];
  const stateRoot = () => join(dir, 'runc');

  async function cleanup(): Promise<void> {
    for (const id of ids) {
      if (dir) await run(RUNC!, ['--root', stateRoot(), 'delete', '-f', id]);
    }
    await removeCgroups();
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  before(async () => {
    await removeCgroups();
    cgroupVersion = (await detectCgroupLayout()).version;
    const status = await readFile('/proc/self/status', 'utf8');
    hostCapBnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '';
    dir = await mkdtemp(join(os.tmpdir(), `${TEST_NAME}-`));
    const rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await mkdir(join(rootfs, 'etc'));
    await copyFile(BUSYBOX!, join(rootfs, 'bin/busybox'));
    for (const tool of ['sh', 'echo', 'cat', 'id', 'grep', 'mount', 'touch', 'hostname', 'tr']) {
      await symlink('busybox', join(rootfs, 'bin', tool));
    }
    await writeFile(join(rootfs, 'etc/passwd'), PASSWD);
    await writeFile(join(rootfs, 'etc/group'), GROUP);
    await writeFile(join(dir, 'hosts'), '127.0.0.1\tlocalhost\n');
    await writeFile(join(dir, 'hostname'), 'spec-test\n');
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  });
  after(cleanup);

  /** Builds the spec for `hostConfig` and `user`, runs `script` in it, returns its output. */
  async function runContainer(
    name: string,
    script: string,
    options: { user?: string; hostConfig?: HostConfig; init?: boolean } = {},
  ): Promise<string> {
    const id = `${TEST_NAME}-${name}-${process.pid}`;
    ids.push(id);
    const hostConfig = options.hostConfig ?? {};
    const user = resolveUser({
      passwd: PASSWD,
      group: GROUP,
      user: options.user ?? '',
      groupAdd: hostConfig.GroupAdd ?? [],
    });
    const env = buildProcessEnv({
      hostname: 'spec-test',
      imageEnv: [],
      requestEnv: [],
      tty: false,
      home: user.home,
    });
    const input: SpecInput = {
      id,
      rootfs: join(dir, 'rootfs'),
      args: ['sh', '-c', script],
      env,
      cwd: '/',
      user,
      hostname: 'spec-test',
      domainname: 'spec.example',
      config: {},
      hostConfig,
      cgroupsPath: `${CGROUP_PARENT}/${id}`,
      cgroupVersion,
      availableCapabilities: capabilitiesFromMask(hostCapBnd),
      networkNamespace: { kind: 'new' },
      files: {
        hosts: join(dir, 'hosts'),
        hostname: join(dir, 'hostname'),
        resolvConf: join(dir, 'resolv.conf'),
      },
      ...(options.init && INIT ? { initPath: INIT } : {}),
    };
    const bundle = join(dir, `bundle-${name}`);
    await mkdir(bundle);
    await writeFile(join(bundle, 'config.json'), serializeRuntimeSpec(buildRuntimeSpec(input)));
    const r = await run(RUNC!, ['--root', stateRoot(), 'run', '--bundle', bundle, id], {
      timeoutMs: 20_000,
    });
    assert.equal(r.code, 0, `runc run failed: ${r.stderr}`);
    return r.stdout;
  }

  const capLine = (out: string, name: string) =>
    new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(out)?.[1];
  const mountLine = (out: string, target: string) =>
    out.split('\n').find((l) => l.split(' ')[2] === target);

  test('defaults: root with Docker capabilities and mounts', async () => {
    const script =
      'id; cat /proc/self/status | grep Cap; mount; hostname; cat /proc/sys/kernel/domainname';
    const out = await runContainer('defaults', script);
    assert.match(out, /^uid=0\(root\) gid=0\(root\) groups=0\(root\)$/m);
    assert.match(out, /^spec-test\nspec\.example$/m);
    // Docker's 14 default capabilities.
    assert.equal(capLine(out, 'CapBnd'), '00000000a80425fb');
    assert.equal(capLine(out, 'CapEff'), '00000000a80425fb');
    assert.equal(capLine(out, 'CapInh'), '0000000000000000');
    assert.match(mountLine(out, '/proc') ?? '', /type proc \(rw,nosuid,nodev,noexec/);
    assert.match(mountLine(out, '/dev') ?? '', /type tmpfs \(rw,nosuid,size=65536k,mode=755/);
    assert.match(mountLine(out, '/dev/pts') ?? '', /type devpts .*gid=5,mode=620,ptmxmode=666/);
    assert.match(mountLine(out, '/sys') ?? '', /type sysfs \(ro,nosuid,nodev,noexec/);
    assert.match(mountLine(out, '/dev/mqueue') ?? '', /type mqueue \(rw,nosuid,nodev,noexec/);
    assert.match(
      mountLine(out, '/dev/shm') ?? '',
      /type tmpfs \(rw,nosuid,nodev,noexec.*size=65536k/,
    );
    for (const file of ['/etc/resolv.conf', '/etc/hostname', '/etc/hosts']) {
      assert.match(mountLine(out, file) ?? '', /\(rw,/, file);
    }
    assert.match(mountLine(out, '/proc/sys') ?? '', /type proc \(ro,/);
    assert.ok(mountLine(out, '/proc/kcore') || mountLine(out, '/proc/keys'), 'masked paths');
    assert.ok(
      out.split('\n').some((l) => / on \/sys\/fs\/cgroup/.test(l)),
      'cgroup mounted',
    );
  });

  test('a user with groups, cap-add, read-only rootfs, tmpfs and init', async () => {
    const script = [
      'id',
      'grep Cap /proc/self/status',
      'mount',
      'touch /x 2>/dev/null && echo rootfs-writable',
      'touch /run/ok && echo run-writable',
      'echo "pid1=$(cat /proc/1/cmdline | tr "\\0" " ")"',
      'echo "home=$HOME"',
    ].join('; ');
    const out = await runContainer('user', script, {
      user: 'app',
      init: true,
      hostConfig: {
        CapAdd: ['net_admin'],
        ReadonlyRootfs: true,
        Tmpfs: { '/run': 'size=1m' },
        GroupAdd: ['4242'],
      },
    });
    assert.match(out, /^uid=1000\(app\) gid=1000\(app\) groups=10\(wheel\),1000\(app\),4242$/m);
    // The defaults plus NET_ADMIN (bit 12) bound; a non-root user keeps no effective ones.
    assert.equal(capLine(out, 'CapBnd'), '00000000a80435fb');
    assert.equal(capLine(out, 'CapEff'), '0000000000000000');
    assert.match(mountLine(out, '/') ?? '', /\(ro,/);
    assert.match(mountLine(out, '/etc/hosts') ?? '', /\(ro,/);
    assert.match(mountLine(out, '/run') ?? '', /type tmpfs \(rw,nosuid,nodev,noexec.*size=1024k/);
    assert.doesNotMatch(out, /^rootfs-writable$/m);
    assert.match(out, /^run-writable$/m);
    assert.match(out, /^home=\/home\/app$/m);
    if (INIT) {
      assert.match(out, /^pid1=\/sbin\/docker-init -- sh -c /m);
      assert.match(mountLine(out, '/sbin/docker-init') ?? '', /\(ro,/);
    }
  });

  test('privileged: every capability the daemon has, /sys writable, nothing masked', async () => {
    const out = await runContainer('privileged', 'grep Cap /proc/self/status; mount', {
      hostConfig: { Privileged: true },
    });
    // All 41 (000001ffffffffff) where the daemon has them all; sandboxes may lack some.
    assert.equal(capLine(out, 'CapBnd'), hostCapBnd);
    assert.equal(capLine(out, 'CapEff'), hostCapBnd);
    assert.match(mountLine(out, '/sys') ?? '', /type sysfs \(rw,/);
    assert.equal(mountLine(out, '/proc/kcore'), undefined);
    assert.equal(mountLine(out, '/proc/sys'), undefined);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RLIM_INFINITY } from './oci-spec.js';
import {
  buildRlimits,
  parseSecurityOpts,
  validateOomScoreAdj,
  validateSysctls,
} from './spec-security.js';

test('no-new-privileges in its three spellings; the daemon default applies', () => {
  assert.equal(parseSecurityOpts(['no-new-privileges']).noNewPrivileges, true);
  assert.equal(parseSecurityOpts(['no-new-privileges:true']).noNewPrivileges, true);
  assert.equal(parseSecurityOpts(['no-new-privileges=1']).noNewPrivileges, true);
  assert.equal(parseSecurityOpts([]).noNewPrivileges, false);
  assert.equal(
    parseSecurityOpts(['no-new-privileges=false'], { noNewPrivileges: true }).noNewPrivileges,
    false,
  );
});

test('apparmor, seccomp, label and writable-cgroups are accepted', () => {
  const opts = parseSecurityOpts([
    'apparmor=unconfined',
    'seccomp=unconfined',
    'label=disable',
    'label:type:svirt_t',
    'writable-cgroups=true',
  ]);
  assert.equal(opts.appArmorProfile, 'unconfined');
  assert.equal(opts.seccompProfile, 'unconfined');
  assert.deepEqual(opts.labels, ['disable', 'type:svirt_t']);
  assert.equal(opts.writableCgroups, true);
});

test('unknown security options fail with Docker messages', () => {
  assert.throws(() => parseSecurityOpts(['foo']), {
    kind: 'InvalidArgument',
    message: 'invalid --security-opt 1: "foo"',
  });
  assert.throws(() => parseSecurityOpts(['foo=bar']), {
    message: 'invalid --security-opt 2: "foo=bar"',
  });
  assert.throws(() => parseSecurityOpts(['no-new-privileges=maybe']), {
    message: 'invalid --security-opt 2: "no-new-privileges=maybe"',
  });
});

const ALL = new Set(['mount', 'network', 'uts', 'pid', 'ipc'] as const);

test('namespaced sysctls pass in a container with its own namespaces', () => {
  validateSysctls(
    {
      'kernel.shmmax': '1',
      'kernel.sem': '1 2 3 4',
      'fs.mqueue.msg_max': '10',
      'net.ipv4.ip_forward': '1',
      'kernel.domainname': 'x',
    },
    { own: ALL, hostNetwork: false },
  );
});

test('sysctls outside the container namespaces fail with runc words', () => {
  assert.throws(() => validateSysctls({ 'vm.swappiness': '1' }, { own: ALL, hostNetwork: false }), {
    kind: 'InvalidArgument',
    message: 'sysctl "vm.swappiness" is not in a separate kernel namespace',
  });
  assert.throws(
    () => validateSysctls({ 'net.core.somaxconn': '1' }, { own: ALL, hostNetwork: true }),
    { message: 'sysctl "net.core.somaxconn" is not allowed in the hosts network namespace' },
  );
  const noIpc = new Set(['mount', 'network', 'uts'] as const);
  assert.throws(
    () => validateSysctls({ 'kernel.msgmax': '1' }, { own: noIpc, hostNetwork: false }),
    {
      message: 'sysctl "kernel.msgmax" is not allowed in the hosts ipc namespace',
    },
  );
  assert.throws(
    () => validateSysctls({ 'kernel.hostname': 'x' }, { own: ALL, hostNetwork: false }),
    {
      message:
        'sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "hostname" field',
    },
  );
});

test('ulimits become rlimits; -1 is unlimited; daemon defaults fill the gaps', () => {
  const rl = buildRlimits(
    [
      { Name: 'nofile', Soft: 1024, Hard: 2048 },
      { Name: 'core', Soft: -1, Hard: -1 },
    ],
    [
      { Name: 'nofile', Soft: 1, Hard: 1 },
      { Name: 'nproc', Soft: 100, Hard: 200 },
    ],
  );
  assert.deepEqual(rl, [
    { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
    { type: 'RLIMIT_CORE', soft: RLIM_INFINITY, hard: RLIM_INFINITY },
    { type: 'RLIMIT_NPROC', soft: 100, hard: 200 },
  ]);
});

test('bad ulimits are refused: unknown name, soft above hard, above the host hard limit', () => {
  assert.throws(() => buildRlimits([{ Name: 'bogus', Soft: 1, Hard: 1 }]), {
    message: 'invalid ulimit type: bogus',
  });
  assert.throws(() => buildRlimits([{ Name: 'nofile', Soft: 10, Hard: 5 }]), {
    message: 'ulimit soft limit must be less than or equal to hard limit: 10 > 5',
  });
  const host = { RLIMIT_NOFILE: 1048576, RLIMIT_CORE: RLIM_INFINITY };
  assert.throws(() => buildRlimits([{ Name: 'nofile', Soft: 1, Hard: 2000000 }], [], host), {
    kind: 'InvalidArgument',
    message:
      "ulimit nofile: hard limit 2000000 is above the host's hard limit 1048576 (raising it is not permitted)",
  });
  assert.throws(
    () => buildRlimits([{ Name: 'nofile', Soft: -1, Hard: -1 }], [], host),
    /unlimited/,
  );
  assert.equal(
    buildRlimits([{ Name: 'nofile', Soft: 1048576, Hard: 1048576 }], [], host).length,
    1,
  );
  assert.equal(buildRlimits([{ Name: 'core', Soft: -1, Hard: -1 }], [], host).length, 1);
});

test('oom score adj must be within [-1000, 1000]', () => {
  validateOomScoreAdj(-1000);
  validateOomScoreAdj(1000);
  assert.throws(() => validateOomScoreAdj(1001), {
    message: 'Invalid value 1001, range for oom score adj is [-1000, 1000]',
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cgroupLayoutFromMounts } from './cgroups.js';
import { parseMounts } from './mounts.js';

const HYBRID = `tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime 0 0
cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
cgroup /sys/fs/cgroup/pids cgroup rw,nosuid,nodev,noexec,relatime,pids 0 0
`;

const PURE_V2 = `sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0
`;

test('a hybrid host is cgroup v1 with its controllers located', () => {
  const layout = cgroupLayoutFromMounts(parseMounts(HYBRID));
  assert.equal(layout.version, 1);
  assert.equal(layout.v1Controllers.get('cpu'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(layout.v1Controllers.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(layout.v1Controllers.get('memory'), '/sys/fs/cgroup/memory');
  assert.equal(layout.unifiedRoot, '/sys/fs/cgroup/unified');
});

test('a host with cgroup2 on /sys/fs/cgroup is cgroup v2', () => {
  const layout = cgroupLayoutFromMounts(parseMounts(PURE_V2));
  assert.equal(layout.version, 2);
  assert.equal(layout.unifiedRoot, '/sys/fs/cgroup');
  assert.equal(layout.v1Controllers.size, 0);
});

test('parseMounts unescapes octal sequences in paths', () => {
  const [entry] = parseMounts('/dev/sda1 /mnt/with\\040space ext4 rw 0 0\n');
  assert.equal(entry?.target, '/mnt/with space');
  assert.deepEqual(entry?.options, ['rw']);
});

import type { OciDevice, OciDeviceRule, OciMount } from './oci-spec.js';

/** Docker's defaults for a Linux container's runtime config (`oci/defaults.go` in moby). */

/** `PATH` when neither the image nor the request sets one. */
export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where `--init` mounts the init binary in the container, as Docker does. */
export const IN_CONTAINER_INIT_PATH = '/sbin/docker-init';

/** `/dev/shm` size when HostConfig.ShmSize is 0: 64 MiB. */
export const DEFAULT_SHM_SIZE = 67108864;

/** The filesystems every container gets, in Docker's order; /dev/shm sized `shmSize` bytes. */
export function defaultMounts(shmSize: number): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', 'ro'],
    },
    // On cgroup v1 runc expands this into one bind per controller.
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['ro', 'nosuid', 'noexec', 'nodev'],
    },
    {
      destination: '/dev/mqueue',
      type: 'mqueue',
      source: 'mqueue',
      options: ['nosuid', 'noexec', 'nodev'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`],
    },
  ];
}

/**
 * Paths hidden from unprivileged containers (Docker 28's list; Docker also masks each CPU's
 * /sys/devices/system/cpu/cpuN/thermal_throttle where present — pass those as input).
 */
export const DEFAULT_MASKED_PATHS: readonly string[] = Object.freeze([
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
]);

/** Paths mounted read-only in unprivileged containers. */
export const DEFAULT_READONLY_PATHS: readonly string[] = Object.freeze([
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
]);

const char = (major: number, minor: number, access = 'rwm'): OciDeviceRule => ({
  allow: true,
  type: 'c',
  major,
  minor,
  access,
});

/** Docker's device cgroup rules: deny all, then allow the basic character devices. */
export function dockerDeviceRules(): OciDeviceRule[] {
  return [
    { allow: false, access: 'rwm' },
    char(1, 5),
    char(1, 3),
    char(1, 9),
    char(1, 8),
    char(5, 0),
    char(5, 1),
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
  ];
}

/**
 * The rules runc appends on its own (mknod of anything; /dev/full, pts, ptmx, tun), written
 * out so the config says everything the container may use whichever runtime reads it.
 */
export function runtimeDeviceRules(): OciDeviceRule[] {
  return [
    { allow: true, type: 'c', major: -1, minor: -1, access: 'm' },
    { allow: true, type: 'b', major: -1, minor: -1, access: 'm' },
    char(1, 7),
    char(136, -1),
    char(5, 2),
    char(10, 200),
  ];
}

const node = (path: string, major: number, minor: number): OciDevice => ({
  type: 'c',
  path,
  major,
  minor,
  fileMode: 0o666,
  uid: 0,
  gid: 0,
});

/** The device nodes every container has (the OCI spec's default devices). */
export function defaultDevices(): OciDevice[] {
  return [
    node('/dev/null', 1, 3),
    node('/dev/zero', 1, 5),
    node('/dev/full', 1, 7),
    node('/dev/random', 1, 8),
    node('/dev/urandom', 1, 9),
    node('/dev/tty', 5, 0),
  ];
}

/** Sysctls Docker sets in a container's own network namespace (kernel 4.11+ has both). */
export const DEFAULT_NETWORK_SYSCTLS: Readonly<Record<string, string>> = Object.freeze({
  'net.ipv4.ping_group_range': '0 2147483647',
  'net.ipv4.ip_unprivileged_port_start': '0',
});

/** `--ulimit` names Docker accepts → the rlimit they set. */
export const ULIMIT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  as: 'RLIMIT_AS',
  core: 'RLIMIT_CORE',
  cpu: 'RLIMIT_CPU',
  data: 'RLIMIT_DATA',
  fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK',
  msgqueue: 'RLIMIT_MSGQUEUE',
  nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC',
  rss: 'RLIMIT_RSS',
  rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING',
  stack: 'RLIMIT_STACK',
});

/** Sysctls of the IPC namespace (plus every `fs.mqueue.*`). */
export const IPC_SYSCTLS: readonly string[] = Object.freeze([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

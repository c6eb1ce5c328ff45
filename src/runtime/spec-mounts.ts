import { invalidArgument } from '../core/index.js';
import type { OciMount } from './oci-spec.js';
import { IN_CONTAINER_INIT_PATH, defaultMounts } from './spec-defaults.js';

/** The container's mount list, assembled in dockerd's order and with its rules. */

/** Host files bind-mounted over the container's /etc files ('' or absent: not mounted). */
export interface EtcFiles {
  hosts?: string;
  hostname?: string;
  resolvConf?: string;
}

/** Mount flags → the group a later option of which overrides them ('rw' overrides 'ro', ...). */
const FLAG_GROUPS = new Map<string, string>();
for (const pair of [
  ['ro', 'rw'],
  ['suid', 'nosuid'],
  ['dev', 'nodev'],
  ['exec', 'noexec'],
  ['sync', 'async'],
  ['mand', 'nomand'],
  ['atime', 'noatime'],
  ['diratime', 'nodiratime'],
  ['relatime', 'norelatime'],
  ['strictatime', 'nostrictatime'],
  ['dirsync'],
  ['remount'],
  ['bind'],
  ['rbind'],
  ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable'],
]) {
  for (const flag of pair) FLAG_GROUPS.set(flag, pair[0] as string);
}

const TMPFS_DATA = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

/** Go's %q of a []string, as Docker's tmpfs error prints it. */
function goQuotedList(parts: string[]): string {
  return `[${parts.map((p) => JSON.stringify(p)).join(' ')}]`;
}

/**
 * Tmpfs options with duplicates resolved as Docker does: the last of each flag group and of
 * each `key=value` wins, in the order of the survivors; `defaults` is dropped.
 */
export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = options.length - 1; i >= 0; i--) {
    const option = options[i] as string;
    if (option === 'defaults') continue;
    const group = FLAG_GROUPS.get(option);
    let key: string;
    if (group !== undefined) key = `flag:${group}`;
    else {
      const parts = option.split('=');
      const name = parts[0] ?? '';
      if (parts.length < 2 || !TMPFS_DATA.has(name)) {
        const shown = parts.length < 2 ? [option] : [name, option.slice(name.length + 1)];
        throw invalidArgument(`invalid tmpfs option ${goQuotedList(shown)}`);
      }
      key = `data:${name}`;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.unshift(option);
  }
  return out;
}

/** HostConfig.Tmpfs (`/path` → `size=64m,uid=1000`) as tmpfs mounts. */
export function tmpfsMounts(tmpfs: Readonly<Record<string, string>>): OciMount[] {
  return Object.entries(tmpfs).map(([destination, data]) => {
    if (!destination.startsWith('/')) {
      throw invalidArgument(`invalid mount path: '${destination}' mount path must be absolute`);
    }
    const extra = data === '' ? [] : data.split(',');
    return {
      destination,
      type: 'tmpfs',
      source: 'tmpfs',
      options: mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', 'rprivate', ...extra]),
    };
  });
}

function etcBind(source: string, destination: string, readonly: boolean): OciMount {
  const options = readonly ? ['rbind', 'ro', 'rprivate'] : ['rbind', 'rprivate'];
  return { destination, type: 'bind', source, options };
}

/** /etc/resolv.conf, /etc/hostname, /etc/hosts binds; read-only with a read-only rootfs. */
export function etcFileMounts(files: EtcFiles, readonlyRootfs: boolean): OciMount[] {
  const list: Array<[string | undefined, string]> = [
    [files.resolvConf, '/etc/resolv.conf'],
    [files.hostname, '/etc/hostname'],
    [files.hosts, '/etc/hosts'],
  ];
  return list
    .filter((entry): entry is [string, string] => Boolean(entry[0]))
    .map(([source, destination]) => etcBind(source, destination, readonlyRootfs));
}

function depth(destination: string): number {
  const clean = destination.replace(/\/+$/, '') || '/';
  return clean === '/' ? 0 : clean.split('/').length - 1;
}

/** Mounts sorted so parents come before children (by path depth, stable). */
export function sortMounts(mounts: readonly OciMount[]): OciMount[] {
  return [...mounts].sort((a, b) => depth(a.destination) - depth(b.destination));
}

export interface MountPlan {
  shmSize: number;
  /** Mounts the container asked for (binds, volumes, tmpfs, /etc files, a shared /dev/shm). */
  userMounts: readonly OciMount[];
  /** Host path of the init binary, bind-mounted read-only at /sbin/docker-init. */
  initPath?: string;
  /** IpcMode `none`: no /dev/shm at all. */
  noShm: boolean;
  readonlyRootfs: boolean;
  /** /sys read-write. */
  privileged: boolean;
  writableCgroups: boolean;
}

function without(options: string[] | undefined, option: string): string[] {
  return (options ?? []).filter((o) => o !== option);
}

/** Default mounts a read-only rootfs does not make read-only. */
const KEEP_WRITABLE = new Set(['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev']);

/**
 * The full mount list: the default filesystems (minus those a user mount replaces, everything
 * under /dev when /dev is user-mounted, /dev/shm for IpcMode none), the init binary, then the
 * user mounts parents first. A read-only rootfs makes default mounts read-only except the
 * kernel and /dev ones; privileged makes /sys writable; writable cgroups /sys/fs/cgroup.
 */
export function assembleMounts(plan: MountPlan): OciMount[] {
  const user = sortMounts(plan.userMounts);
  const taken = new Set(user.map((m) => m.destination));
  const userDev = taken.has('/dev');
  const base: OciMount[] = defaultMounts(plan.shmSize).filter((m) => {
    if (taken.has(m.destination)) return false;
    if (userDev && m.destination.startsWith('/dev/')) return false;
    return !(plan.noShm && m.destination === '/dev/shm');
  });
  if (plan.initPath) {
    base.push({
      destination: IN_CONTAINER_INIT_PATH,
      type: 'bind',
      source: plan.initPath,
      options: ['bind', 'ro'],
    });
  }
  for (const m of base) {
    if (plan.readonlyRootfs && !KEEP_WRITABLE.has(m.destination) && !m.options?.includes('ro')) {
      m.options = [...(m.options ?? []), 'ro'];
    }
    if (plan.privileged && m.destination === '/sys') m.options = without(m.options, 'ro');
    if (plan.writableCgroups && m.type === 'cgroup') m.options = without(m.options, 'ro');
  }
  return [...base, ...user];
}

import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { invalidArgument } from '../core/index.js';
import { runHostCommand } from './host-command.js';

/**
 * mount(2) copies at most one page of option data, NUL included. Overlay stacks name every lower
 * directory in it, so long stacks (Docker allows 128 layers) overflow it with absolute paths.
 * 4096 is the smallest page size Linux runs with; stay a little under it.
 */
export const MAX_MOUNT_DATA = 4000;

/** overlayfs refuses more lower layers than this (OVL_MAX_STACK). */
export const MAX_OVERLAY_LOWER_DIRS = 500;

export interface OverlayMountOptions {
  /** Top layer first. */
  lowerDirs: readonly string[];
  /** Both or neither: without them the mount is read-only (needs at least two lower dirs). */
  upperDir?: string;
  workDir?: string;
  target: string;
  /** Extra mount options appended as given (e.g. `index=off`). */
  extraOptions?: readonly string[];
  signal?: AbortSignal;
}

interface OverlayDirs {
  lowerDirs: readonly string[];
  upperDir?: string | undefined;
  workDir?: string | undefined;
  extraOptions?: readonly string[] | undefined;
}

/** True if the kernel's overlayfs knows the `volatile` option (Linux 5.10 and later). */
export function overlayVolatileSupported(kernelRelease = release()): boolean {
  const match = /^(\d+)\.(\d+)/.exec(kernelRelease);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 5 || (major === 5 && minor >= 10);
}

/** The mount data string for the given directories, as passed to mount(2). */
export function overlayMountData(dirs: OverlayDirs): string {
  const parts = [`lowerdir=${dirs.lowerDirs.join(':')}`];
  if (dirs.upperDir !== undefined) parts.push(`upperdir=${dirs.upperDir}`);
  if (dirs.workDir !== undefined) parts.push(`workdir=${dirs.workDir}`);
  parts.push(...(dirs.extraOptions ?? []));
  return parts.join(',');
}

/** True if a path can be put in overlay mount data without escaping. */
function isPlainPath(path: string): boolean {
  return !/[,:\\\s]/.test(path);
}

/**
 * The directories as short names relative to a scratch directory of symlinks: lower dirs are
 * `0`, `1`, ..., the upper dir `u` and the work dir `w`. The kernel resolves them (and the
 * symlinks) at mount time, so the scratch directory can go right after the mount.
 */
export function shortOverlayDirs(dirs: OverlayDirs): {
  links: Array<{ name: string; target: string }>;
  dirs: OverlayDirs;
} {
  const links = dirs.lowerDirs.map((target, i) => ({ name: String(i), target }));
  if (dirs.upperDir !== undefined) links.push({ name: 'u', target: dirs.upperDir });
  if (dirs.workDir !== undefined) links.push({ name: 'w', target: dirs.workDir });
  return {
    links,
    dirs: {
      lowerDirs: dirs.lowerDirs.map((_, i) => String(i)),
      upperDir: dirs.upperDir === undefined ? undefined : 'u',
      workDir: dirs.workDir === undefined ? undefined : 'w',
      extraOptions: dirs.extraOptions,
    },
  };
}

function validate(options: OverlayMountOptions): void {
  const { lowerDirs, upperDir, workDir } = options;
  if (lowerDirs.length === 0) throw invalidArgument('overlay mount needs at least one lower dir');
  if (lowerDirs.length > MAX_OVERLAY_LOWER_DIRS) {
    throw invalidArgument(
      `overlay mount: ${lowerDirs.length} lower dirs, the kernel allows ${MAX_OVERLAY_LOWER_DIRS}`,
    );
  }
  if ((upperDir === undefined) !== (workDir === undefined)) {
    throw invalidArgument('overlay mount: upperDir and workDir go together');
  }
  if (upperDir === undefined && lowerDirs.length < 2) {
    throw invalidArgument('overlay mount: a read-only overlay needs at least two lower dirs');
  }
  for (const dir of [...lowerDirs, upperDir, workDir]) {
    if (dir !== undefined && !dir.startsWith('/')) {
      throw invalidArgument(`overlay mount: "${dir}" is not an absolute path`);
    }
  }
}

/**
 * The overlay mount data for the directories when it can be given to mount(2) as it is —
 * absolute paths without characters overlay would need escaped, within one page — or
 * undefined (then only `mountOverlay`'s short names fit).
 */
export function plainOverlayMountData(options: OverlayDirs): string | undefined {
  const data = overlayMountData(options);
  const dirs = [...options.lowerDirs, options.upperDir, options.workDir];
  const plain = dirs.every((dir) => dir === undefined || isPlainPath(dir));
  return plain && data.length <= MAX_MOUNT_DATA ? data : undefined;
}

/**
 * Mounts an overlay file system on `target`. When the absolute paths do not fit in one page of
 * mount data (or need escaping), the mount runs in a scratch directory of short-named symlinks to
 * the directories, as Docker's overlay2 driver does with its `l/` directory.
 */
export async function mountOverlay(options: OverlayMountOptions): Promise<void> {
  validate(options);
  const data = plainOverlayMountData(options);
  if (data !== undefined) {
    await runMount(data, options.target, undefined, options.signal);
    return;
  }
  const short = shortOverlayDirs(options);
  const shortData = overlayMountData(short.dirs);
  if (shortData.length > MAX_MOUNT_DATA) {
    throw invalidArgument(`overlay mount: too many lower dirs (${options.lowerDirs.length})`);
  }
  const scratchParent = options.workDir === undefined ? tmpdir() : dirname(options.workDir);
  const scratch = await mkdtemp(join(scratchParent, '.overlay-links-'));
  try {
    for (const link of short.links) await symlink(link.target, join(scratch, link.name));
    await runMount(shortData, options.target, scratch, options.signal);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function runMount(
  data: string,
  target: string,
  cwd: string | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  await runHostCommand('mount', ['-t', 'overlay', '-o', data, 'overlay', target], {
    cwd,
    signal,
    packageName: 'mount',
  });
}

/** Unmounts `target`; `detach` makes it lazy (MNT_DETACH) for mounts still in use. */
export async function unmount(target: string, options: { detach?: boolean } = {}): Promise<void> {
  const args = options.detach ? ['--lazy', target] : [target];
  await runHostCommand('umount', args, { packageName: 'mount' });
}

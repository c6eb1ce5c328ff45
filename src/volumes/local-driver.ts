import { internal, invalidArgument } from '../core/index.js';
import { type FilesystemMount, isMountedOn, mountFilesystem, unmount } from '../sys/index.js';

/** The options Docker's local driver knows on Linux. */
const LOCAL_OPTIONS = new Set(['type', 'device', 'o', 'size']);
/** Option → the options it needs beside it. */
const REQUIRED_WITH: ReadonlyArray<[string, string[]]> = [
  ['device', ['type']],
  ['type', ['device']],
  ['o', ['device', 'type']],
];

/** Throws Docker's InvalidArgument for options the local driver refuses. */
export function validateLocalOptions(options: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(options)) {
    if (!LOCAL_OPTIONS.has(key)) throw invalidArgument(`invalid option: "${key}"`);
  }
  const size = options['size'];
  if (size !== undefined && size !== '' && !/^0+(\.0*)?\s*[a-zA-Z]*$/.test(size)) {
    // moord has no quota support (Docker's needs xfs project quotas).
    throw invalidArgument('quota size requested but no quota support');
  }
  for (const [key, needs] of REQUIRED_WITH) {
    if (!Object.hasOwn(options, key)) continue;
    const missing = needs.find((n) => !Object.hasOwn(options, n));
    if (missing) throw invalidArgument(`missing required option: "${missing}"`);
  }
}

/** A mount error with any `password=` of the options masked (never shown or logged). */
function maskedMountError(err: unknown, options: string): Error {
  const password = /(?:^|,)password=([^,]*)/.exec(options)?.[1];
  let message = err instanceof Error ? err.message : String(err);
  if (password) message = message.replaceAll(`password=${password}`, 'password=********');
  return internal(`failed to mount local volume: ${message}`);
}

/** Whether a volume with these options is a mount (tmpfs, a device, nfs...) over its `_data`. */
export function mountsData(options: Readonly<Record<string, string>>): boolean {
  return Boolean(options['device'] || options['type']);
}

/** The mount the options describe, on `target`. */
export function dataMount(
  options: Readonly<Record<string, string>>,
  target: string,
): FilesystemMount {
  return {
    type: options['type'] ?? '',
    device: options['device'] ?? '',
    options: options['o'] ?? '',
    target,
  };
}

/**
 * Mounts on `_data` while containers use the volume: counted per volume, mounted by the first
 * user and unmounted after the last (as Docker's local driver does). A mount found in place
 * (a restarted daemon) is adopted.
 */
export function createMountCounter() {
  const counts = new Map<string, number>();
  return {
    async acquire(options: Readonly<Record<string, string>>, target: string): Promise<void> {
      const count = counts.get(target) ?? 0;
      if (count === 0 && !(await isMountedOn(target))) {
        try {
          await mountFilesystem(dataMount(options, target));
        } catch (err) {
          throw maskedMountError(err, options['o'] ?? '');
        }
      }
      counts.set(target, count + 1);
    },
    async release(target: string): Promise<void> {
      const count = counts.get(target) ?? 0;
      if (count > 1) {
        counts.set(target, count - 1);
        return;
      }
      counts.delete(target);
      if (await isMountedOn(target)) await unmount(target);
    },
    /** Unmounts a volume's data before it is removed (no container uses it). */
    async drop(target: string): Promise<void> {
      counts.delete(target);
      if (await isMountedOn(target)) await unmount(target);
    },
  };
}

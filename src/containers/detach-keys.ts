import { invalidArgument } from '../core/index.js';

/** Docker's default detach sequence: ctrl-p, ctrl-q. */
export const DEFAULT_DETACH_KEYS = [16, 17];

/**
 * Parses Docker's `--detach-keys` (`ctrl-p,ctrl-q`, `ctrl-a,x`): `ctrl-<c>` for c in a-z, @, [,
 * \, ], ^, _, or a single character. '' → the default.
 */
export function parseDetachKeys(spec: string | undefined | null): number[] {
  if (!spec) return DEFAULT_DETACH_KEYS;
  return spec.split(',').map((key) => {
    const lower = key.toLowerCase();
    if (lower.startsWith('ctrl-') && key.length === 6) {
      const c = lower.charCodeAt(5);
      if (c >= 97 && c <= 122) return c - 96;
      const special = ['@', '[', '\\', ']', '^', '_'].indexOf(key[5] as string);
      if (special >= 0) return special === 0 ? 0 : 26 + special;
    }
    if (key.length === 1) return key.charCodeAt(0);
    throw invalidArgument(`Unknown character: '${key}'`);
  });
}

/**
 * Watches a byte stream for the detach sequence. `push` returns the bytes to pass on (bytes
 * that might start the sequence are held back until it is clear they do not) and whether the
 * sequence was seen (the bytes after it are dropped).
 */
export function createDetachScanner(keys: readonly number[]): {
  push(chunk: Buffer): { pass: Buffer; detached: boolean };
} {
  let held: number[] = [];
  return {
    push(chunk) {
      if (keys.length === 0) return { pass: chunk, detached: false };
      const out: number[] = [];
      for (const byte of chunk) {
        if (byte === keys[held.length]) {
          held.push(byte);
          if (held.length === keys.length) return { pass: Buffer.from(out), detached: true };
          continue;
        }
        out.push(...held);
        held = [];
        if (byte === keys[0]) held.push(byte);
        else out.push(byte);
      }
      return { pass: Buffer.from(out), detached: false };
    },
  };
}

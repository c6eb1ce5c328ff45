/**
 * The detach sequence (ctrl-p ctrl-q unless `--detach-keys` says otherwise), spotted by the
 * client in what the user types when the container has a TTY, as docker's CLI does (moby/term's
 * EscapeProxy): the sequence is not forwarded, and the CLI leaves the container running.
 */

/** ctrl-p, ctrl-q. */
export const DEFAULT_DETACH_KEYS: readonly number[] = [16, 17];

const CTRL_SPECIALS = ['@', '[', '\\', ']', '^', '_'];

/**
 * moby/term's ToBytes: comma-separated keys, each one character or `ctrl-<c>` with c in a-z,
 * @, [, \, ], ^, _. Throws `Unknown character: 'x'`.
 */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const lower = key.toLowerCase();
    if (lower.length === 6 && lower.startsWith('ctrl-')) {
      const c = lower[5] as string;
      if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96;
      const special = CTRL_SPECIALS.indexOf(c);
      if (special !== -1) return special === 0 ? 0 : 26 + special;
    }
    throw new Error(`Unknown character: '${key}'`);
  });
}

export interface EscapeScanner {
  /**
   * Feeds typed bytes; returns those to forward and whether the sequence was completed. Bytes
   * that may begin the sequence are held back until the next byte shows they do not.
   */
  push(chunk: Buffer): { pass: Buffer; detached: boolean };
}

/** Watches input for `keys` (none: never detaches). */
export function createEscapeScanner(keys: readonly number[]): EscapeScanner {
  let matched = 0;
  return {
    push(chunk) {
      if (keys.length === 0) return { pass: chunk, detached: false };
      const out: number[] = [];
      for (const byte of chunk) {
        if (byte === keys[matched]) {
          matched++;
          if (matched === keys.length) return { pass: Buffer.from(out), detached: true };
          continue;
        }
        out.push(...keys.slice(0, matched));
        matched = byte === keys[0] ? 1 : 0;
        if (matched === 0) out.push(byte);
      }
      return { pass: Buffer.from(out), detached: false };
    },
  };
}

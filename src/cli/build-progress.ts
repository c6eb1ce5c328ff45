/**
 * The docker CLI's progress lines for data it reads (progress.NewProgressReader with the raw
 * stream formatter): `Sending build context to Docker daemon  1.234MB` rewritten in place with
 * `\r`, the last one ended by `\r\r\n`. Updates come every 512 KiB (or 1% of a known size),
 * at most ten a second; off a terminal docker keeps only the last one.
 */
import type { Writable } from 'node:stream';

import { formatProgress } from './json-stream.js';

export const SENDING_CONTEXT = 'Sending build context to Docker daemon';

export interface ProgressOptions {
  out: Writable;
  /** The text before the numbers. */
  action: string;
  /** Bytes expected, 0 (or less) when unknown. */
  size: number;
  /** Only the final line (docker's lastProgressOutput, used off a terminal). */
  lastOnly: boolean;
  /** Columns for the progress bar (docker: stdin's terminal, else 200). */
  width?: number;
  now?: () => number;
}

const UPDATE_EVERY = 512 * 1024;
const MIN_INTERVAL_MS = 100;

/** One progress line as docker's rawProgressFormatter writes it. */
export function progressLine(action: string, current: number, size: number, width = 200): string {
  const numbers = formatProgress({ current, total: size }, width);
  return `${action} ${numbers}\r${numbers === '' ? '\n' : ''}`;
}

/** Passes `source` through, writing progress lines about it to `options.out`. */
export async function* withProgress(
  source: AsyncIterable<Buffer>,
  options: ProgressOptions,
): AsyncGenerator<Buffer> {
  const now = options.now ?? Date.now;
  const every =
    options.size > 0 ? Math.min(UPDATE_EVERY, Math.trunc(0.01 * options.size)) : UPDATE_EVERY;
  let current = 0;
  let lastUpdate = 0;
  // golang.org/x/time/rate with a burst of one: the first update may print at once.
  let nextAllowed = -Infinity;
  const update = (last: boolean) => {
    const allowed = now() >= nextAllowed;
    if (!last && current !== options.size && !allowed) return;
    if (allowed && !last && current !== options.size) nextAllowed = now() + MIN_INTERVAL_MS;
    if (options.lastOnly && !last) return;
    let text = progressLine(options.action, current, options.size, options.width);
    if (last) text += '\r\n';
    options.out.write(text);
  };
  for await (const chunk of source) {
    current += chunk.length;
    if (current - lastUpdate > every) {
      update(false);
      lastUpdate = current;
    }
    yield chunk;
  }
  update(true);
}

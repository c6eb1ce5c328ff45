/**
 * Renders Docker's JSON message stream (pull, push, load, import, build answers) as the docker
 * CLI's jsonmessage.DisplayJSONMessagesStream does. On a terminal each `id` owns a line that is
 * rewritten in place (cursor up, erase, `\r`) with a progress bar; elsewhere progress updates
 * are dropped and every other message prints as a plain line. `stream` text prints as it comes,
 * `aux` goes to a callback, and a message with an error ends the display by throwing it.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';

import type { JsonMessage } from '../api-types/index.js';
import { goDuration } from './human-time.js';
import { humanSize } from './units.js';

/** The progress fields docker sends, beyond the wire type's current/total. */
export interface JsonProgress {
  current?: number;
  total?: number;
  /** Unix seconds when the transfer started: enables the time-left estimate. */
  start?: number;
  hidecounts?: boolean;
  units?: string;
}

export interface DisplayOptions {
  out: Writable;
  /** Progress bars in place; defaults to whether `out` is a TTY. */
  isTerminal?: boolean;
  /** Terminal width: the bar shows above 110 columns; defaults to the TTY's, else 200. */
  width?: number;
  /** Receives each message's `aux` (e.g. the ID of a built image). */
  onAux?: (aux: Record<string, unknown>) => void;
  /** Clock for the time-left estimate, in milliseconds. */
  now?: () => number;
}

/** The error a message in the stream reported (docker prints its message and exits 1). */
export class JsonMessageError extends Error {
  readonly code: number | undefined;

  constructor(message: string, code?: number) {
    super(message);
    this.name = 'JsonMessageError';
    this.code = code;
  }
}

const ESC = '\x1b[';

/** docker's JSONProgress.String(): `[=====>    ]  12.3MB/45.6MB 3s`. */
export function formatProgress(p: JsonProgress, width: number, now = Date.now()): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) {
    return p.units ? `${current} ${p.units}` : humanSize(current, 4).padStart(8);
  }
  const percentage = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  const bar =
    width > 110 ? `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] ` : '';
  let numbers = '';
  if (p.hidecounts) numbers = '';
  else if (!p.units) {
    const cur = humanSize(current, 4).padStart(8);
    numbers = current > total ? cur : `${cur}/${humanSize(total, 4)}`;
  } else {
    numbers = current > total ? `${current} ${p.units}` : `${current}/${total} ${p.units}`;
  }
  let left = '';
  if (width > 50 && current > 0 && (p.start ?? 0) > 0 && percentage < 50) {
    const perEntry = (now - (p.start ?? 0) * 1000) / current;
    left = ` ${goDuration((total - current) * perEntry)}`;
  }
  return bar + numbers + left;
}

function hasProgress(m: JsonMessage): boolean {
  return m.progressDetail !== undefined && m.progressDetail !== null;
}

/**
 * Writes one message as jsonmessage.Display; throws its error. On a terminal, a progress
 * message erases the line first and ends with `\r` instead of a newline.
 */
export function displayMessage(m: JsonMessage, options: DisplayOptions): void {
  const { out } = options;
  const errorText = m.errorDetail?.message ?? m.error;
  if (errorText !== undefined) throw new JsonMessageError(errorText, m.errorDetail?.code);
  const terminal = isTerminal(options);
  const progress = (m.progressDetail ?? {}) as JsonProgress;
  const width = terminalWidth(options);
  const now = options.now?.() ?? Date.now();
  let endl = '';
  if (terminal && !m.stream && hasProgress(m)) {
    endl = '\r';
    out.write(`${ESC}2K${endl}`);
  } else if (hasProgress(m) && formatProgress(progress, width, now) !== '') {
    return; // no progress bars off a terminal
  }
  let line = '';
  if (m.id) line += `${m.id}: `;
  const status = m.status ?? '';
  if (hasProgress(m) && terminal)
    line += `${status} ${formatProgress(progress, width, now)}${endl}`;
  else if (m.progress) line += `${status} ${m.progress}${endl}`;
  else if (m.stream) line += `${m.stream}${endl}`;
  else line += `${status}${endl}\n`;
  out.write(line);
}

function isTerminal(options: DisplayOptions): boolean {
  return options.isTerminal ?? (options.out as { isTTY?: boolean }).isTTY === true;
}

function terminalWidth(options: DisplayOptions): number {
  return options.width ?? (options.out as { columns?: number }).columns ?? 200;
}

/** Splits concatenated JSON values (as Go's json.Decoder reads them) out of a text stream. */
export async function* jsonValues(input: AsyncIterable<Buffer | string>): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  const take = function* (final: boolean): Generator<unknown> {
    for (;;) {
      const start = buffer.search(/\S/);
      if (start === -1) {
        buffer = '';
        return;
      }
      const end = valueEnd(buffer, start);
      if (end === -1) {
        if (final) throw new Error('unexpected EOF');
        buffer = buffer.slice(start);
        return;
      }
      yield JSON.parse(buffer.slice(start, end));
      buffer = buffer.slice(end);
    }
  };
  for await (const chunk of input) {
    buffer += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    yield* take(false);
  }
  buffer += decoder.end();
  yield* take(true);
}

/** The index just past the JSON object or array starting at `start`, or -1 if incomplete. */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first !== '{' && first !== '[') {
    // A bare value: let JSON.parse report it, up to the next whitespace.
    const next = text.slice(start).search(/\s/);
    return next === -1 ? -1 : start + next;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if ((ch === '}' || ch === ']') && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Displays a whole message stream (jsonmessage.DisplayJSONMessagesStream). Resolves when the
 * stream ends; rejects with JsonMessageError for a message carrying an error.
 */
export async function displayJsonMessages(
  input: AsyncIterable<Buffer | string>,
  options: DisplayOptions,
): Promise<void> {
  const terminal = isTerminal(options);
  let ids = new Map<string, number>();
  for await (const value of jsonValues(input)) {
    const m = value as JsonMessage;
    if (m.aux !== undefined && m.aux !== null) {
      options.onAux?.(m.aux);
      continue;
    }
    let diff = 0;
    if (m.id && (hasProgress(m) || m.progress)) {
      let line = ids.get(m.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(m.id, line);
        if (terminal) options.out.write('\n');
      }
      diff = ids.size - line;
      if (terminal && diff > 0) options.out.write(`${ESC}${diff}A`);
    } else {
      // Something that is not a progress line: the lines above are history now.
      ids = new Map();
    }
    try {
      displayMessage(m, options);
    } finally {
      if (m.id && terminal && diff > 0) options.out.write(`${ESC}${diff}B`);
    }
  }
}

/**
 * The terminal side of attach, run and exec, as docker's hijackedIOStreamer: stdin goes to the
 * hijacked connection (through the detach-key scanner, and in raw mode, when there is a TTY),
 * the output comes back raw (TTY) or demultiplexed to stdout/stderr. Also the TTY size monitor
 * (resize at start and on SIGWINCH) and the signal proxy (signals the CLI gets are sent to the
 * container with `POST /containers/{id}/kill`).
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

import { type HijackedConnection, escapePath, stdCopy } from '../client/index.js';
import { errorMessage } from '../core/index.js';
import { type CliContext, isTerminal } from './context.js';
import { DEFAULT_DETACH_KEYS, createEscapeScanner, parseDetachKeys } from './detach-keys.js';
import { makeRaw } from './raw-terminal.js';
import { containerPath } from './container-path.js';

export interface StreamOptions {
  /** What the user types; undefined when stdin is not attached. */
  input?: Readable;
  output?: Writable;
  error?: Writable;
  tty: boolean;
  /** `--detach-keys`; '' for ctrl-p,ctrl-q. */
  detachKeys: string;
  /** Warnings (an invalid detach key spec). */
  stderr: Writable;
  /** Ends the streaming early (the container exited and no output is attached). */
  signal?: AbortSignal;
}

/** How streaming ended: the output ended (or was not attached), or the user detached. */
export type StreamEnd = 'done' | 'detached';

function escapeKeys(spec: string, stderr: Writable): readonly number[] {
  if (spec === '') return DEFAULT_DETACH_KEYS;
  try {
    return parseDetachKeys(spec);
  } catch (err) {
    stderr.write(`invalid detach escape keys, using default: ${errorMessage(err)}\n`);
    return DEFAULT_DETACH_KEYS;
  }
}

/** Copies input to the connection; resolves 'eof' or 'detached'. `stop()` ends it early. */
function pumpInput(
  conn: HijackedConnection,
  input: Readable,
  keys: readonly number[] | undefined,
): { done: Promise<'eof' | 'detached'>; stop: () => void } {
  const scanner = keys ? createEscapeScanner(keys) : undefined;
  let finish: (how: 'eof' | 'detached') => void = () => undefined;
  const done = new Promise<'eof' | 'detached'>((resolve) => (finish = resolve));
  const onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const { pass, detached } = scanner ? scanner.push(bytes) : { pass: bytes, detached: false };
    if (pass.length > 0 && !conn.socket.destroyed && !conn.socket.write(pass)) {
      input.pause();
      conn.socket.once('drain', () => input.resume());
    }
    if (detached) end('detached');
  };
  const onEnd = () => end('eof');
  const end = (how: 'eof' | 'detached') => {
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('error', onEnd);
    input.pause();
    finish(how);
  };
  input.on('data', onData);
  input.once('end', onEnd);
  input.once('error', onEnd);
  return { done, stop: () => end('eof') };
}

async function pumpOutput(conn: HijackedConnection, options: StreamOptions): Promise<void> {
  if (options.tty && options.output) {
    for await (const chunk of conn.output()) {
      if (!options.output.write(chunk)) await once(options.output, 'drain');
    }
    return;
  }
  await stdCopy(conn.output(), options.output, options.error);
}

/**
 * Streams a hijacked connection (docker's hijackedIOStreamer.stream). Input ends with a
 * half-close, as docker's CloseWrite; without input the write side is closed at once. Resolves
 * when the output ends (or the input, when no output is attached), 'detached' when the user
 * typed the detach keys; rejects when the connection fails. The terminal is restored in every
 * case.
 */
export async function streamHijacked(
  conn: HijackedConnection,
  options: StreamOptions,
): Promise<StreamEnd> {
  const restore = options.input && options.tty ? makeRaw(options.input) : () => undefined;
  const keys = options.tty ? escapeKeys(options.detachKeys, options.stderr) : undefined;
  const input = options.input ? pumpInput(conn, options.input, keys) : undefined;
  const hasOutput = options.output !== undefined || options.error !== undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (options.signal?.aborted) resolve('aborted');
    options.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    const inputDone = (input?.done ?? Promise.resolve('eof' as const)).then((how) => {
      restore();
      if (how === 'eof') conn.closeWrite();
      return how;
    });
    const outputDone = hasOutput
      ? pumpOutput(conn, options).finally(restore)
      : new Promise<void>(() => undefined);
    // After a detach nobody waits for the output any more; its end must not go unhandled.
    outputDone.catch(() => undefined);
    const first = await Promise.race([
      outputDone.then(() => 'output' as const),
      inputDone,
      aborted,
    ]);
    if (first === 'detached') return 'detached';
    if (first === 'eof' && hasOutput) {
      const next = await Promise.race([outputDone.then(() => 'output' as const), aborted]);
      if (next === 'aborted') return 'done';
    }
    return 'done';
  } finally {
    input?.stop();
    restore();
  }
}

/** [rows, columns] of a TTY output, [0, 0] otherwise (docker's GetTtySize). */
export function ttySize(stream: Writable): [number, number] {
  if (!isTerminal(stream)) return [0, 0];
  const tty = stream as Writable & { rows?: number; columns?: number };
  return [tty.rows ?? 0, tty.columns ?? 0];
}

async function resize(ctx: CliContext, path: string): Promise<void> {
  const [h, w] = ttySize(ctx.stdout);
  if (h === 0 && w === 0) return;
  await ctx.client().json('POST', path, { query: { h, w } });
}

/**
 * docker's MonitorTtySize: sizes the container's (or exec's) TTY to the terminal now — retrying
 * a few times, as the process may not be up yet — and again on every SIGWINCH. Returns the
 * function that stops watching.
 */
export function monitorTtySize(ctx: CliContext, id: string, isExec: boolean): () => void {
  const path = `/${isExec ? 'exec' : 'containers'}/${escapePath(id)}/resize`;
  const initial = async () => {
    for (let attempt = 0; attempt <= 10; attempt++) {
      try {
        await resize(ctx, path);
        return;
      } catch (err) {
        if (attempt === 10) throw err;
        await new Promise((r) => setTimeout(r, (attempt + 1) * 10));
      }
    }
  };
  initial().catch(() => ctx.stderr.write('failed to resize tty, using default size\n'));
  const onResize = () => {
    resize(ctx, path).catch(() => undefined);
  };
  process.on('SIGWINCH', onResize);
  return () => process.off('SIGWINCH', onResize);
}

/** The signals a Node process can catch and forward (docker forwards all it can catch). */
const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/**
 * docker's ForwardAllSignals: each signal the CLI receives is sent to the container by name
 * (`kill?signal=INT`). Returns the function that stops forwarding.
 */
export function forwardSignals(ctx: CliContext, id: string): () => void {
  const handlers = PROXIED_SIGNALS.map((name) => {
    const handler = () => {
      ctx
        .client()
        .json('POST', containerPath(id, '/kill'), { query: { signal: name.slice(3) } })
        .catch(() => undefined);
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return () => {
    for (const [name, handler] of handlers) process.off(name, handler);
  };
}

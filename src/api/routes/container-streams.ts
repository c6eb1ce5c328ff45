import type { ExecConfig, ExecStartConfig } from '../../api-types/index.js';
import { type ContainerService, parseDetachKeys } from '../../containers/index.js';
import { conflict, invalidArgument } from '../../core/index.js';
import { type LogEntry, apiTimestampToTime, isBufferedIterator } from '../../logging/index.js';
import {
  MULTIPLEXED_STREAM,
  RAW_STREAM,
  STDERR,
  STDOUT,
  closeHijacked,
  frame,
  hijack,
  socketInput,
} from '../hijack.js';
import { queryBool, queryInt, readJsonBody } from '../request.js';
import type { RequestContext, Route } from '../router.js';
import { toExecInspect } from './container-wire.js';

/** Writes entries to a client: raw bytes for a TTY, Docker's frames otherwise. */
function entryWriter(
  write: (chunk: Buffer) => void,
  tty: boolean,
  timestamps = false,
): (entry: LogEntry) => void {
  return (entry) => {
    const payload = timestamps
      ? Buffer.concat([Buffer.from(`${entry.time} `), entry.line])
      : entry.line;
    if (payload.length === 0) return;
    write(tty ? payload : frame(entry.stream === 'stderr' ? STDERR : STDOUT, payload));
  };
}

/** Docker's since/until: Unix seconds with an optional fraction (or an RFC 3339 time). */
function queryTime(ctx: RequestContext, name: string): string | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '' || raw === '0') return undefined;
  const time = apiTimestampToTime(raw);
  if (time === undefined) throw invalidArgument(`invalid value for ${name}: ${raw}`);
  return time;
}

const BLOCK = 64 * 1024;

/**
 * Packs log entries into blocks of about 64 KiB for the response: raw bytes for a TTY, Docker's
 * frames otherwise, written straight into the block (no buffer per entry). `take` hands over
 * what was packed; the blocks are never written to again.
 */
function logPacker(tty: boolean, timestamps: boolean) {
  let block = Buffer.allocUnsafe(BLOCK);
  let used = 0;
  const full: Buffer[] = [];
  let size = 0;
  return {
    get size() {
      return size + used;
    },
    add(entry: LogEntry): void {
      const stamp = timestamps ? entry.time.length + 1 : 0;
      const length = stamp + entry.line.length;
      if (length === 0) return;
      const need = length + (tty ? 0 : 8);
      if (used + need > block.length) {
        if (used > 0) full.push(block.subarray(0, used));
        size += used;
        block = Buffer.allocUnsafe(Math.max(BLOCK, need));
        used = 0;
      }
      if (!tty) {
        // The frame header: [stream, 0, 0, 0, length (BE32)], byte by byte (the hot path).
        block[used] = entry.stream === 'stderr' ? STDERR : STDOUT;
        block[used + 1] = 0;
        block[used + 2] = 0;
        block[used + 3] = 0;
        block[used + 4] = length >>> 24;
        block[used + 5] = (length >>> 16) & 0xff;
        block[used + 6] = (length >>> 8) & 0xff;
        block[used + 7] = length & 0xff;
        used += 8;
      }
      if (timestamps) {
        used += block.write(entry.time, used, 'latin1');
        block[used++] = 0x20;
      }
      used += entry.line.copy(block, used);
    },
    take(): Buffer | undefined {
      if (used > 0) full.push(block.subarray(0, used));
      const data = full.length === 1 ? full[0] : full.length > 1 ? Buffer.concat(full) : undefined;
      if (used > 0) block = Buffer.allocUnsafe(BLOCK);
      full.length = 0;
      size = 0;
      used = 0;
      return data;
    },
  };
}

const WAITING = Symbol('waiting');
const waiting = Promise.resolve(WAITING);

async function logsRoute(backend: ContainerService, ctx: RequestContext): Promise<void> {
  const record = backend.resolve(ctx.params.id ?? '');
  const stdout = queryBool(ctx.query, 'stdout');
  const stderr = queryBool(ctx.query, 'stderr');
  if (!stdout && !stderr) {
    throw invalidArgument('Bad parameters: you must choose at least one stream');
  }
  const tailRaw = ctx.query.get('tail') ?? 'all';
  const tail = tailRaw === 'all' || tailRaw === '' ? undefined : Number.parseInt(tailRaw, 10);
  const since = queryTime(ctx, 'since');
  const until = queryTime(ctx, 'until');
  const entries = backend.logs(record.id, {
    follow: queryBool(ctx.query, 'follow'),
    stdout,
    stderr,
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(tail === undefined || Number.isNaN(tail) || tail < 0 ? {} : { tail }),
    signal: ctx.signal,
  });
  const iterator = entries[Symbol.asyncIterator]();
  // Errors such as "configured logging driver does not support reading" come before headers.
  let step = await iterator.next();
  const tty = record.config.Tty === true;
  ctx.res.writeHead(200, { 'Content-Type': tty ? RAW_STREAM : MULTIPLEXED_STREAM });
  ctx.res.flushHeaders();
  const packer = logPacker(tty, queryBool(ctx.query, 'timestamps'));
  // Waits for the client to take what was written (or to go away: the reader then ends).
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        ctx.res.off('drain', done);
        ctx.res.off('close', done);
        resolve();
      };
      ctx.res.on('drain', done);
      ctx.res.on('close', done);
    });
  const flush = async () => {
    const data = packer.take();
    if (data && !ctx.res.write(data) && !ctx.res.destroyed) await drained();
  };
  const batched = isBufferedIterator(iterator);
  while (step.done !== true) {
    packer.add(step.value);
    // The rest of the reader's batch without an await per entry.
    if (batched) for (const entry of iterator.takeBuffered()) packer.add(entry);
    if (packer.size >= BLOCK) await flush();
    const next = iterator.next();
    // An entry the reader already has settles before `waiting` (reactions run in order); when
    // the reader has to wait (the next file chunk, follow mode), send what is packed first.
    const ready = await Promise.race([next, waiting]);
    if (ready === WAITING) {
      await flush();
      step = await next;
    } else step = ready;
  }
  await flush();
  ctx.res.end();
}

async function attachRoute(backend: ContainerService, ctx: RequestContext): Promise<void> {
  const record = backend.resolve(ctx.params.id ?? '');
  const detachKeys = parseDetachKeys(ctx.query.get('detachKeys'));
  const stdin = queryBool(ctx.query, 'stdin');
  const stdout = queryBool(ctx.query, 'stdout');
  const stderr = queryBool(ctx.query, 'stderr');
  const tty = record.config.Tty === true;
  const socket = hijack(ctx, tty ? RAW_STREAM : MULTIPLEXED_STREAM);
  const write = entryWriter((c) => socket.write(c), tty);
  const abort = new AbortController();
  socket.on('close', () => abort.abort());
  socket.on('error', () => abort.abort());
  if (queryBool(ctx.query, 'logs')) {
    for await (const entry of backend.logs(record.id, {
      follow: false,
      stdout,
      stderr,
      signal: abort.signal,
    })) {
      write(entry);
    }
  }
  if (!queryBool(ctx.query, 'stream')) {
    closeHijacked(socket);
    return;
  }
  const upgraded = (ctx.req.headers.upgrade ?? '') !== '';
  await backend.attach(record.id, { stdin: stdin && upgraded, stdout, stderr }, detachKeys, {
    output: write,
    ...(stdin && upgraded ? { input: socketInput(socket) } : {}),
    signal: abort.signal,
  });
  closeHijacked(socket);
}

async function execStartRoute(backend: ContainerService, ctx: RequestContext): Promise<void> {
  const execId = ctx.params.id ?? '';
  const session = backend.exec(execId);
  const body = ((await readJsonBody(ctx.req)) ?? {}) as ExecStartConfig;
  if (session.started) throw conflict(`Error: Exec command ${execId} is already running`);
  const tty = body.Tty ?? session.config.Tty === true;
  const detachKeys = parseDetachKeys(session.config.DetachKeys);
  if (body.Detach) {
    await backend.execStart(execId, { detach: true, detachKeys });
    ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
    ctx.res.end();
    return;
  }
  const socket = hijack(ctx, tty ? RAW_STREAM : MULTIPLEXED_STREAM);
  const write = entryWriter((c) => socket.write(c), tty);
  const abort = new AbortController();
  socket.on('close', () => abort.abort());
  socket.on('error', () => abort.abort());
  const upgraded = (ctx.req.headers.upgrade ?? '') !== '';
  try {
    await backend.execStart(
      execId,
      { detach: false, detachKeys },
      {
        output: (entry) => {
          const wanted =
            entry.stream === 'stderr' ? session.config.AttachStderr : session.config.AttachStdout;
          if (wanted !== false) write(entry);
        },
        ...(upgraded && session.config.AttachStdin ? { input: socketInput(socket) } : {}),
        signal: abort.signal,
      },
    );
  } catch (err) {
    // The connection is already a stream: the error goes to the client's stdout, as dockerd
    // does; the exit code (126/127) is in the exec's inspect.
    const text = Buffer.from(`${(err as Error).message}\r\n`);
    socket.write(tty ? text : frame(STDOUT, text));
  }
  closeHijacked(socket);
}

export function containerStreamRoutes(backend: ContainerService): Route[] {
  return [
    { method: 'GET', path: '/containers/{id}/logs', handler: (ctx) => logsRoute(backend, ctx) },
    {
      method: 'POST',
      path: '/containers/{id}/attach',
      handler: (ctx) => attachRoute(backend, ctx),
    },
    {
      method: 'POST',
      path: '/containers/{id}/exec',
      handler: async (ctx) => {
        const body = ((await readJsonBody(ctx.req)) ?? {}) as ExecConfig;
        if (body.DetachKeys) parseDetachKeys(body.DetachKeys);
        return { status: 201, body: { Id: backend.execCreate(ctx.params.id ?? '', body) } };
      },
    },
    { method: 'POST', path: '/exec/{id}/start', handler: (ctx) => execStartRoute(backend, ctx) },
    {
      method: 'POST',
      path: '/exec/{id}/resize',
      handler: async (ctx) => {
        await backend.execResize(
          ctx.params.id ?? '',
          queryInt(ctx.query, 'h') ?? 0,
          queryInt(ctx.query, 'w') ?? 0,
        );
        return { status: 200 };
      },
    },
    {
      method: 'GET',
      path: '/exec/{id}/json',
      handler: (ctx) => ({ status: 200, body: toExecInspect(backend.exec(ctx.params.id ?? '')) }),
    },
  ];
}

import type { Socket } from 'node:net';

import type { ExecConfig, ExecStartConfig } from '../../api-types/index.js';
import { type ContainerService, parseDetachKeys } from '../../containers/index.js';
import { conflict, invalidArgument } from '../../core/index.js';
import type { LogEntry } from '../../logging/index.js';
import {
  MULTIPLEXED_STREAM,
  RAW_STREAM,
  STDERR,
  STDOUT,
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
function queryTime(ctx: RequestContext, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '' || raw === '0') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const parsed = Date.parse(raw);
  if (Number.isNaN(parsed)) throw invalidArgument(`invalid value for ${name}: ${raw}`);
  return parsed / 1000;
}

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
  let first = await iterator.next();
  const tty = record.config.Tty === true;
  ctx.res.writeHead(200, { 'Content-Type': tty ? RAW_STREAM : MULTIPLEXED_STREAM });
  ctx.res.flushHeaders();
  const chunks: Buffer[] = [];
  let pending = 0;
  const flush = async () => {
    if (chunks.length === 0) return;
    const data = Buffer.concat(chunks);
    chunks.length = 0;
    pending = 0;
    if (!ctx.res.write(data)) await new Promise((r) => ctx.res.once('drain', r));
  };
  const write = entryWriter(
    (c) => {
      chunks.push(c);
      pending += c.length;
    },
    tty,
    queryBool(ctx.query, 'timestamps'),
  );
  while (!first.done) {
    write(first.value);
    if (pending > 64 * 1024) await flush();
    const next = iterator.next();
    // Send what we have when the reader has to wait (follow mode).
    const ready = await Promise.race([next, new Promise((r) => setImmediate(r, undefined))]);
    if (ready === undefined) await flush();
    first = await next;
  }
  await flush();
  ctx.res.end();
}

function closeHijacked(socket: Socket): void {
  if (!socket.destroyed) socket.end();
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

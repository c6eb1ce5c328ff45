import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

import { invalidArgument } from '../core/index.js';

/** Largest JSON request body accepted; anything bigger is refused with 400. */
export const MAX_JSON_BODY = 16 * 1024 * 1024;

/** Bodies of upgrade requests, read off the raw socket before the handler runs. */
const upgradeBodies = new WeakMap<IncomingMessage, Buffer>();

/**
 * Node does not parse the body of an upgrade request (exec start sends `{"Detach":false,...}`
 * with `Upgrade: tcp`): the body's Content-Length bytes are taken off the socket here, so they
 * are not mistaken for the process's stdin, and kept for `readBodyText`.
 */
export async function takeUpgradeBody(
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(declared) || declared <= 0 || declared > MAX_JSON_BODY) {
    if (head.length > 0) socket.unshift(head);
    return;
  }
  const chunks: Buffer[] = [head];
  let size = head.length;
  while (size < declared) {
    const chunk = await nextChunk(socket);
    if (!chunk) break;
    chunks.push(chunk);
    size += chunk.length;
  }
  const all = Buffer.concat(chunks);
  if (all.length > declared) socket.unshift(all.subarray(declared));
  upgradeBodies.set(req, all.subarray(0, declared));
}

function nextChunk(socket: Socket): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const read = () => {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) return;
      done(chunk);
    };
    const ended = () => done(undefined);
    const done = (chunk: Buffer | undefined) => {
      socket.off('readable', read);
      socket.off('end', ended);
      socket.off('close', ended);
      resolve(chunk);
    };
    socket.on('readable', read);
    socket.once('end', ended);
    socket.once('close', ended);
    read();
  });
}

/** Reads the whole body as text, refusing bodies over `limit` bytes. */
export async function readBodyText(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<string> {
  const upgraded = upgradeBodies.get(req);
  if (upgraded) return upgraded.toString('utf8');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw invalidArgument(`request body too large: over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw invalidArgument(`request body too large: over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a JSON request body as Docker does: an empty body is `undefined`; a body with another
 * Content-Type, or one that does not parse, is a 400 with Docker's wording.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBodyText(req);
  if (text.trim() === '') return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (type !== '' && type !== 'application/json') {
    throw invalidArgument(`unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalidArgument(`invalid JSON: ${(err as Error).message}`, err);
  }
}

/** Docker's boolean query values: `1`, `true`, `True` are true; absent, `0`, `false` false. */
export function queryBool(query: URLSearchParams, name: string, fallback = false): boolean {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  const lower = value.toLowerCase();
  if (lower === '1' || lower === 'true') return true;
  if (lower === '0' || lower === 'false') return false;
  throw invalidArgument(`invalid value for ${name}: ${value}`);
}

export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidArgument(`invalid value for ${name}: ${value}`);
  return Number(value);
}

/**
 * Docker's `filters` query parameter: `{"key":["v1","v2"]}`, or the legacy
 * `{"key":{"v1":true}}` form. Malformed JSON is a 400.
 */
export function queryFilters(query: URLSearchParams): Record<string, string[]> {
  const raw = query.get('filters');
  if (raw === null || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw invalidArgument(`invalid filter: ${(err as Error).message}`, err);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidArgument('invalid filter: not a JSON object');
  }
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) out[key] = value.map(String);
    else if (typeof value === 'object' && value !== null) {
      out[key] = Object.entries(value as Record<string, unknown>)
        .filter(([, on]) => on === true)
        .map(([v]) => v);
    } else throw invalidArgument(`invalid filter: value of ${key} must be a list`);
  }
  return out;
}

/** Every value of a repeated query parameter (`names=a&names=b`). */
export function queryList(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).filter((v) => v !== '');
}

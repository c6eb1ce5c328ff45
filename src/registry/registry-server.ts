import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { errorMessage } from '../core/index.js';
import { type Digest, isDigest } from '../oci/index.js';
import { RegistryError, registryErrors } from './registry-errors.js';
import { pageOf } from './registry-pages.js';
import type { RegistryStorage } from './registry-storage.js';
import { referencedDigests } from './manifest-references.js';

/**
 * The distribution API (v2) over a registry's storage: the base endpoint, blobs (with
 * ranges), monolithic and chunked uploads and cross-repository mounts, manifests by tag and
 * digest, tag lists and the catalog with pagination, and the spec's error bodies.
 */
export type RegistryHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const NAME = `${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;
const TAG = /^[\w][\w.-]{0,127}$/;
const ROUTE = new RegExp(
  `^/v2/(${NAME})/(tags/list|manifests/([^/]+)|blobs/uploads/([^/]*)|blobs/([^/]+))$`,
);
const MAX_MANIFEST = 4 * 1024 * 1024;
/** Blobs are read and sent in 1 MiB chunks (fewer, larger socket writes). */
const READ_CHUNK = 1 << 20;

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  storage: RegistryStorage;
}

export function createRegistryHandler(storage: RegistryStorage): RegistryHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    const ctx: Ctx = { req, res, url, storage };
    try {
      await route(ctx);
    } catch (err) {
      const error = err instanceof RegistryError ? err : registryErrors.unknown(errorMessage(err));
      if (res.headersSent) {
        res.destroy();
        return;
      }
      req.resume();
      send(res, error.status, { errors: [error.body()] });
    }
  };
}

function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function route(ctx: Ctx): Promise<void> {
  const { req, url } = ctx;
  const method = req.method ?? 'GET';
  if (url.pathname === '/v2/' || url.pathname === '/v2') {
    return send(ctx.res, 200, {});
  }
  if (url.pathname === '/v2/_catalog' && method === 'GET') return catalog(ctx);
  const match = ROUTE.exec(url.pathname);
  if (!match) {
    if (url.pathname.startsWith('/v2/')) throw registryErrors.nameInvalid(url.pathname);
    return send(ctx.res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] });
  }
  const [, name = '', what = '', reference, uploadId, blob] = match;
  if (what === 'tags/list' && method === 'GET') return tagList(ctx, name);
  if (reference !== undefined) return manifest(ctx, method, name, reference);
  if (uploadId !== undefined) return upload(ctx, method, name, uploadId);
  if (blob !== undefined) return blobRoute(ctx, method, name, blob);
  throw registryErrors.unsupported();
}

async function catalog(ctx: Ctx): Promise<void> {
  const page = pageOf(await ctx.storage.repositories(), ctx.url, '/v2/_catalog');
  send(ctx.res, 200, { repositories: page.items }, page.headers);
}

async function tagList(ctx: Ctx, name: string): Promise<void> {
  const tags = await ctx.storage.tags(name);
  if (tags === undefined) throw registryErrors.nameUnknown(name);
  const page = pageOf(tags, ctx.url, `/v2/${name}/tags/list`);
  send(ctx.res, 200, { name, tags: page.items }, page.headers);
}

function parseDigest(text: string): Digest {
  if (!isDigest(text)) throw registryErrors.digestInvalid(text);
  return text;
}

async function blobRoute(ctx: Ctx, method: string, name: string, text: string): Promise<void> {
  const digest = parseDigest(text);
  const { storage, res } = ctx;
  if (method === 'DELETE') {
    if (!(await storage.unlink(name, digest))) throw registryErrors.blobUnknown(digest);
    return send(res, 202, undefined, { 'Docker-Content-Digest': digest });
  }
  if (method !== 'GET' && method !== 'HEAD') throw registryErrors.unsupported();
  const size = (await storage.hasLink(name, digest)) ? await storage.blobSize(digest) : undefined;
  if (size === undefined) throw registryErrors.blobUnknown(digest);
  const range = /^bytes=(\d+)-(\d*)$/.exec(ctx.req.headers.range ?? '');
  const headers = {
    'Docker-Content-Digest': digest,
    'Content-Type': 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
  };
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (range) {
    start = Number(range[1]);
    end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size || start > end) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    status = 206;
    Object.assign(headers, { 'Content-Range': `bytes ${start}-${end}/${size}` });
  }
  res.writeHead(status, { ...headers, 'Content-Length': String(size === 0 ? 0 : end - start + 1) });
  if (method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(storage.blobPath(digest), {
      start,
      end,
      highWaterMark: READ_CHUNK,
    });
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

function uploadHeaders(name: string, uuid: string, size: number): Record<string, string> {
  return {
    Location: `/v2/${name}/blobs/uploads/${uuid}`,
    'Docker-Upload-UUID': uuid,
    Range: `0-${Math.max(size - 1, 0)}`,
  };
}

async function upload(ctx: Ctx, method: string, name: string, uuid: string): Promise<void> {
  const { storage, res, req, url } = ctx;
  if (uuid === '') {
    if (method !== 'POST') throw registryErrors.unsupported();
    const mount = url.searchParams.get('mount');
    const from = url.searchParams.get('from');
    if (mount && from) {
      const digest = parseDigest(mount);
      if ((await storage.hasLink(from, digest)) && (await storage.blobSize(digest)) !== undefined) {
        req.resume();
        await storage.link(name, digest);
        return send(res, 201, undefined, blobCreated(name, digest));
      }
    }
    const id = await storage.startUpload();
    const monolithic = url.searchParams.get('digest');
    if (monolithic) return finishUpload(ctx, name, id, monolithic);
    req.resume();
    return send(res, 202, undefined, uploadHeaders(name, id, 0));
  }
  if (method === 'GET') {
    const size = await storage.uploadSize(uuid);
    if (size === undefined) throw registryErrors.uploadUnknown();
    return send(res, 204, undefined, uploadHeaders(name, uuid, size));
  }
  if (method === 'DELETE') {
    if (!(await storage.cancelUpload(uuid))) throw registryErrors.uploadUnknown();
    return send(res, 204);
  }
  if (method === 'PATCH') {
    const range = /^(\d+)-(\d+)$/.exec(req.headers['content-range'] ?? '');
    const size = await storage.appendUpload(uuid, req, range ? Number(range[1]) : undefined);
    if (size === undefined) throw registryErrors.uploadUnknown();
    if (size === -1) {
      req.resume();
      throw registryErrors.rangeInvalid();
    }
    return send(res, 202, undefined, uploadHeaders(name, uuid, size));
  }
  if (method === 'PUT') {
    const digest = url.searchParams.get('digest');
    if (!digest) throw registryErrors.digestInvalid('');
    return finishUpload(ctx, name, uuid, digest);
  }
  throw registryErrors.unsupported();
}

function blobCreated(name: string, digest: Digest): Record<string, string> {
  return { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest };
}

/** The last (or only) bytes of an upload, then the digest check and the blob in place. */
async function finishUpload(ctx: Ctx, name: string, uuid: string, text: string): Promise<void> {
  const digest = parseDigest(text);
  const size = await ctx.storage.appendUpload(uuid, ctx.req);
  if (size === undefined) throw registryErrors.uploadUnknown();
  const expected = ctx.req.headers['content-length'];
  const result = await ctx.storage.commitUpload(uuid, digest);
  if (result === 'unknown') throw registryErrors.uploadUnknown();
  if (result === 'mismatch') throw registryErrors.digestInvalid(digest, expected);
  await ctx.storage.link(name, digest);
  send(ctx.res, 201, undefined, blobCreated(name, digest));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_MANIFEST) throw registryErrors.manifestInvalid('manifest too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function manifest(ctx: Ctx, method: string, name: string, reference: string): Promise<void> {
  const { storage, res } = ctx;
  const byDigest = reference.startsWith('sha256:');
  if (!byDigest && !TAG.test(reference)) throw registryErrors.tagInvalid(reference);
  if (method === 'PUT') return putManifest(ctx, name, reference, byDigest);
  const digest = byDigest ? parseDigest(reference) : await storage.resolveTag(name, reference);
  const mediaType = digest ? await storage.manifestType(name, digest) : undefined;
  if (!digest || mediaType === undefined) throw registryErrors.manifestUnknown(reference);
  if (method === 'DELETE') {
    if (!byDigest) throw registryErrors.unsupported();
    await storage.untagDigest(name, digest);
    await storage.unlinkManifest(name, digest);
    return send(res, 202);
  }
  if (method !== 'GET' && method !== 'HEAD') throw registryErrors.unsupported();
  const size = (await storage.blobSize(digest)) ?? 0;
  res.writeHead(200, {
    'Content-Type': mediaType,
    'Content-Length': String(size),
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
  });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(storage.blobPath(digest), { highWaterMark: READ_CHUNK });
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

async function putManifest(ctx: Ctx, name: string, reference: string, byDigest: boolean) {
  const { storage } = ctx;
  const body = await readBody(ctx.req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw registryErrors.manifestInvalid('invalid JSON');
  }
  const declared = (parsed as { mediaType?: unknown }).mediaType;
  const mediaType =
    typeof declared === 'string'
      ? declared
      : (ctx.req.headers['content-type'] ?? 'application/vnd.oci.image.manifest.v1+json');
  const refs = referencedDigests(parsed, mediaType);
  if (refs === undefined)
    throw registryErrors.manifestInvalid(`unsupported manifest media type ${mediaType}`);
  for (const ref of refs.blobs) {
    if (!(await storage.hasLink(name, ref)) || (await storage.blobSize(ref)) === undefined) {
      throw registryErrors.manifestBlobUnknown(ref);
    }
  }
  for (const ref of refs.manifests) {
    if ((await storage.manifestType(name, ref)) === undefined) {
      throw registryErrors.manifestBlobUnknown(ref);
    }
  }
  const digest = await storage.putBlob(body);
  if (byDigest && digest !== reference) throw registryErrors.digestInvalid(reference);
  await storage.linkManifest(name, digest, mediaType);
  if (!byDigest) await storage.tag(name, reference, digest);
  send(ctx.res, 201, undefined, {
    Location: `/v2/${name}/manifests/${digest}`,
    'Docker-Content-Digest': digest,
  });
}

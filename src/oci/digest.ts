import { createHash } from 'node:crypto';

import { invalidArgument } from '../core/index.js';

/** A content digest, `sha256:<64 lowercase hex>` (the only algorithm moor writes). */
export type Digest = `sha256:${string}`;

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: string): value is Digest {
  return DIGEST.test(value);
}

/** Validates a digest string, with the distribution spec's wording for bad ones. */
export function parseDigest(value: string): Digest {
  if (isDigest(value)) return value;
  if (/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:/.test(value) && !value.startsWith('sha256:')) {
    throw invalidArgument(`unsupported digest algorithm: ${value}`);
  }
  throw invalidArgument(`invalid digest format: ${value}`);
}

/** The 64 hex characters of a digest (its file name in stores). */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

export function sha256Digest(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * The chain id of a layer stack (OCI image spec): the first layer's chain id is its diff id;
 * each next is sha256 of "<parent chain id> <diff id>".
 */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? diffId : sha256Digest(`${parent} ${diffId}`));
  }
  return out;
}

/** Docker's short image id: the first 12 hex characters. */
export function shortId(digestOrHex: string): string {
  return digestOrHex.replace(/^sha256:/, '').slice(0, 12);
}

import { API_VERSION, MIN_API_VERSION, invalidArgument } from '../core/index.js';

/** Compares dotted API versions numerically: -1, 0 or 1. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export interface VersionedPath {
  /** The API version the request asked for; the server's own when the path has none. */
  version: string;
  /** The path with any `/vX.Y` prefix removed. */
  path: string;
}

const VERSION_PREFIX = /^\/v([0-9]+\.[0-9]+)(\/.*)?$/;

/**
 * Splits `/v1.41/containers/json` into version and route path, enforcing the supported range
 * with Docker's messages. Unversioned paths are served at the current version.
 */
export function splitVersionedPath(pathname: string): VersionedPath {
  const match = VERSION_PREFIX.exec(pathname);
  if (!match) return { version: API_VERSION, path: pathname };
  const version = match[1] as string;
  const path = match[2] ?? '/';
  if (compareApiVersions(version, MIN_API_VERSION) < 0) {
    throw invalidArgument(
      `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  if (compareApiVersions(version, API_VERSION) > 0) {
    throw invalidArgument(
      `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`,
    );
  }
  return { version, path };
}

import { invalidArgument } from '../core/index.js';
import type { Digest } from './digest.js';

/**
 * Image references in Docker's grammar (distribution/reference), normalised as docker does:
 * `busybox` is `docker.io/library/busybox`, `index.docker.io/x` is `docker.io/library/x`, and a
 * first component is a registry domain only when it holds `.` or `:`, is `localhost`, or has an
 * uppercase letter.
 */
export interface Reference {
  /** Registry host with optional port: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  domain: string;
  /** Repository path inside the registry: `library/busybox`, `team/app`. */
  path: string;
  /** Present when given, or defaulted by `withDefaultTag`. */
  tag?: string;
  digest?: Digest;
}

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const NAME_MAX = 255;

// The grammar, as distribution/reference/regexp.go builds it.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const HOST = `(?:${DOMAIN_NAME}|\\[(?:[a-fA-F0-9:]+)\\])`;
const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;

const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** True for a valid tag: `[\w][\w.-]{0,127}`. */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** True for a full 64-hex image id, which docker refuses as a repository name. */
export function isFullImageId(text: string): boolean {
  return IDENTIFIER_RE.test(text);
}

/**
 * Parses and normalises a reference as docker's ParseNormalizedNamed does. Throws
 * InvalidArgument with docker's messages: `invalid reference format`, `invalid reference format:
 * repository name (library/Busybox) must be lowercase`, `invalid repository name (<hex>), cannot
 * specify 64-byte hexadecimal strings`.
 */
export function parseReference(text: string): Reference {
  if (IDENTIFIER_RE.test(text)) {
    throw invalidArgument(
      `invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const { domain, remainder } = splitDockerDomain(text);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep === -1 ? remainder : remainder.slice(0, tagSep);
  if (remote.toLowerCase() !== remote) {
    throw invalidArgument(
      `invalid reference format: repository name (${remote}) must be lowercase`,
    );
  }
  return parseCanonical(`${domain}/${remainder}`);
}

/** distribution/reference Parse on an already-normalised string. */
function parseCanonical(text: string): Reference {
  const m = REFERENCE_RE.exec(text);
  if (!m) {
    if (text === '') throw invalidArgument('repository name must have at least one component');
    if (REFERENCE_RE.test(text.toLowerCase())) {
      throw invalidArgument('repository name must be lowercase');
    }
    throw invalidArgument('invalid reference format');
  }
  const name = ANCHORED_NAME_RE.exec(m[1] ?? '');
  const domain = name?.[1] ?? '';
  const path = name?.[2] ?? m[1] ?? '';
  if (path.length > NAME_MAX) {
    throw invalidArgument(`repository name must not be more than ${NAME_MAX} characters`);
  }
  const ref: Reference = { domain, path };
  if (m[2] !== undefined) ref.tag = m[2];
  if (m[3] !== undefined) ref.digest = parseReferenceDigest(m[3]);
  return ref;
}

/** go-digest's Parse, restricted to the one algorithm moor stores. */
function parseReferenceDigest(text: string): Digest {
  const sep = text.indexOf(':');
  const algorithm = text.slice(0, sep);
  const encoded = text.slice(sep + 1);
  if (algorithm !== 'sha256') throw invalidArgument('unsupported digest algorithm');
  if (encoded.length !== 64) throw invalidArgument('invalid checksum digest length');
  if (!/^[a-f0-9]{64}$/.test(encoded)) throw invalidArgument('invalid checksum digest format');
  return `sha256:${encoded}`;
}

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_PREFIX + name };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, rest];
  } else if (
    first === 'localhost' ||
    first.includes('.') ||
    first.includes(':') ||
    first.toLowerCase() !== first
  ) {
    [domain, remainder] = [first, rest];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/'))
    remainder = OFFICIAL_PREFIX + remainder;
  return { domain, remainder };
}

/** Adds tag `latest` when the reference has neither tag nor digest (docker's TagNameOnly). */
export function withDefaultTag(ref: Reference): Reference {
  if (ref.tag !== undefined || ref.digest !== undefined) return ref;
  return { ...ref, tag: DEFAULT_TAG };
}

/**
 * The reference docker stores for a pull or tag (ParseDockerRef): a digest wins over a tag
 * (`name:tag@digest` → `name@digest`), a bare name gets `latest`.
 */
export function toDockerRef(ref: Reference): Reference {
  if (ref.digest !== undefined) return { domain: ref.domain, path: ref.path, digest: ref.digest };
  return withDefaultTag(ref);
}

/** Returns the reference with `tag` (validated: `invalid tag format`). */
export function withTag(ref: Reference, tag: string): Reference {
  if (!isValidTag(tag)) throw invalidArgument('invalid tag format');
  return { ...ref, tag };
}

/** `docker.io/library/busybox`. */
export function repositoryName(ref: Reference): string {
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`;
}

/** The full form: `docker.io/library/busybox:latest`, `name@sha256:...`, `name:tag@sha256:...`. */
export function formatReference(ref: Reference): string {
  return repositoryName(ref) + suffix(ref);
}

/** Docker's FamiliarName: `busybox`, `team/app`, `localhost:5000/x`. */
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  if (ref.path.startsWith(OFFICIAL_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** Docker's FamiliarString: what `docker images` and save archives show (`busybox:latest`). */
export function familiarString(ref: Reference): string {
  return familiarName(ref) + suffix(ref);
}

function suffix(ref: Reference): string {
  return (
    (ref.tag !== undefined ? `:${ref.tag}` : '') +
    (ref.digest !== undefined ? `@${ref.digest}` : '')
  );
}

import { invalidArgument } from '../core/index.js';
import { type Digest, isDigest } from './digest.js';
import {
  type JsonObject,
  isObject,
  isStringArray,
  isStringMap,
  jsonTypeOf,
  parseJson,
} from './json-shape.js';
import { type Platform, compatiblePlatforms, samePlatform } from './platform.js';

/** Media types of image content, Docker's (schema 2) and the OCI image spec's. */
export const MediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Schema 1, which docker no longer pulls. */
  dockerManifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerPluginConfig: 'application/vnd.docker.plugin.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  inToto: 'application/vnd.in-toto+json',
} as const;

/** Well-known annotation keys. */
export const Annotation = {
  /** OCI layout index.json: the tag (or full reference, as docker writes it). */
  refName: 'org.opencontainers.image.ref.name',
  created: 'org.opencontainers.image.created',
  /** containerd / docker save index.json: the full image name. */
  imageName: 'io.containerd.image.name',
  /** Buildkit attestations: `attestation-manifest` on the index entry. */
  dockerReferenceType: 'vnd.docker.reference.type',
  dockerReferenceDigest: 'vnd.docker.reference.digest',
} as const;

export const ATTESTATION_MANIFEST = 'attestation-manifest';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

const INDEX_TYPES: readonly string[] = [MediaType.dockerManifestList, MediaType.ociIndex];
const MANIFEST_TYPES: readonly string[] = [MediaType.dockerManifest, MediaType.ociManifest];

/** True for the media types parseManifest accepts (image manifests and indexes). */
export function isManifestMediaType(mediaType: string): boolean {
  return INDEX_TYPES.includes(mediaType) || MANIFEST_TYPES.includes(mediaType);
}

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_TYPES.includes(mediaType);
}

/** The compression of a layer media type, or undefined when it is not a layer type. */
export function layerCompression(mediaType: string): 'none' | 'gzip' | 'zstd' | undefined {
  switch (mediaType) {
    case MediaType.ociLayer:
    case MediaType.ociLayerNondistributable:
      return 'none';
    case MediaType.dockerLayer:
    case MediaType.dockerForeignLayer:
    case MediaType.ociLayerGzip:
    case MediaType.ociLayerNondistributableGzip:
      return 'gzip';
    case MediaType.ociLayerZstd:
    case MediaType.ociLayerNondistributableZstd:
      return 'zstd';
    default:
      return undefined;
  }
}

export function isImageIndex(x: ImageManifest | ImageIndex): x is ImageIndex {
  return Array.isArray((x as Partial<ImageIndex>).manifests);
}

const fail = (message: string) => invalidArgument(`invalid manifest: ${message}`);

/**
 * Parses an image manifest or index, telling them apart by the body's `mediaType`, else by
 * `contentType` (a registry's Content-Type), else by shape (`manifests` vs `config`). Unknown
 * fields are kept. Throws InvalidArgument: `unsupported manifest media type: X` for other types
 * (schema 1 included), `invalid manifest: ...` for bad JSON or shape.
 */
export function parseManifest(bytes: Buffer, contentType?: string): ImageManifest | ImageIndex {
  const body = parseJson(bytes, fail);
  if (!isObject(body)) throw fail(`expected a JSON object, got ${jsonTypeOf(body)}`);
  if (body['mediaType'] !== undefined && typeof body['mediaType'] !== 'string') {
    throw fail('mediaType must be a string');
  }
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  let mediaType = body['mediaType'] ?? (header && !isGenericType(header) ? header : undefined);
  if (mediaType === undefined && body['schemaVersion'] === 1) {
    mediaType = MediaType.dockerManifestV1Signed;
  }
  if (mediaType !== undefined && !isManifestMediaType(mediaType)) {
    throw invalidArgument(`unsupported manifest media type: ${mediaType}`);
  }
  if (body['schemaVersion'] !== 2) {
    throw fail(`unsupported schemaVersion ${JSON.stringify(body['schemaVersion'] ?? null)}`);
  }
  const index =
    mediaType !== undefined ? INDEX_TYPES.includes(mediaType) : Array.isArray(body['manifests']);
  if (index) {
    checkIndex(body);
    return body as unknown as ImageIndex;
  }
  if (mediaType === undefined && !isObject(body['config'])) {
    throw fail('neither an image manifest nor an index');
  }
  checkManifest(body);
  return body as unknown as ImageManifest;
}

/** Content types a registry may send that say nothing about the manifest kind. */
function isGenericType(mediaType: string): boolean {
  return (
    mediaType === 'application/json' ||
    mediaType === 'application/octet-stream' ||
    mediaType === 'text/plain'
  );
}

function checkManifest(body: JsonObject): void {
  checkDescriptor(body['config'], 'config');
  if (!Array.isArray(body['layers'])) throw fail('layers must be an array');
  body['layers'].forEach((layer, i) => checkDescriptor(layer, `layers[${i}]`));
  checkCommon(body);
}

function checkIndex(body: JsonObject): void {
  if (!Array.isArray(body['manifests'])) throw fail('manifests must be an array');
  body['manifests'].forEach((m, i) => checkDescriptor(m, `manifests[${i}]`));
  checkCommon(body);
}

function checkCommon(body: JsonObject): void {
  if (body['subject'] !== undefined) checkDescriptor(body['subject'], 'subject');
  if (body['annotations'] !== undefined && !isStringMap(body['annotations'])) {
    throw fail('annotations must map strings to strings');
  }
}

function checkDescriptor(value: unknown, where: string): void {
  if (!isObject(value)) throw fail(`${where} must be a descriptor object`);
  if (typeof value['mediaType'] !== 'string') throw fail(`${where}.mediaType must be a string`);
  const digest = value['digest'];
  if (typeof digest !== 'string' || !isDigest(digest)) {
    throw fail(`${where}.digest ${JSON.stringify(digest ?? null)} is not a sha256 digest`);
  }
  const size = value['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw fail(`${where}.size must be a non-negative integer`);
  }
  if (value['urls'] !== undefined && !isStringArray(value['urls'])) {
    throw fail(`${where}.urls must be a list of strings`);
  }
  if (value['annotations'] !== undefined && !isStringMap(value['annotations'])) {
    throw fail(`${where}.annotations must map strings to strings`);
  }
  const platform = value['platform'];
  if (platform !== undefined) {
    if (
      !isObject(platform) ||
      typeof platform['architecture'] !== 'string' ||
      typeof platform['os'] !== 'string'
    ) {
      throw fail(`${where}.platform must have string architecture and os`);
    }
  }
}

/** A buildkit attestation entry of an index (not a runnable image). */
export function isAttestation(desc: Descriptor): boolean {
  if (desc.annotations?.[Annotation.dockerReferenceType] === ATTESTATION_MANIFEST) return true;
  return desc.platform?.os === 'unknown' && desc.platform.architecture === 'unknown';
}

/**
 * The index entries a host of `want` can run, best first, as docker's pull filters them:
 * an exact (normalised, variant-aware) match first, then compatible platforms in containerd's
 * order (arm64 → arm/v8..v5, arm/v7 → v6, v5, amd64/v3 → v2, v1, 386), then entries without
 * a platform. Attestation manifests are skipped. Ties keep index order.
 */
export function matchingManifests(index: ImageIndex, want: Platform): Descriptor[] {
  const vector = compatiblePlatforms(want);
  const ranked: { desc: Descriptor; rank: number }[] = [];
  for (const desc of index.manifests) {
    if (isAttestation(desc)) continue;
    const platform = desc.platform;
    const rank =
      platform === undefined
        ? vector.length
        : vector.findIndex((p) => samePlatform(p, platform) && osVersionFits(want, platform));
    if (rank >= 0) ranked.push({ desc, rank });
  }
  return ranked.sort((a, b) => a.rank - b.rank).map((r) => r.desc);
}

/** Windows images must match the host's build (major.minor.build); other OSes ignore it. */
function osVersionFits(want: Platform, have: Platform): boolean {
  if (want.os !== 'windows' || !want['os.version'] || !have['os.version']) return true;
  const prefix = (v: string) => v.split('.').slice(0, 3).join('.');
  return prefix(want['os.version']) === prefix(have['os.version']);
}

/** The best entry of `index` for `want` (see matchingManifests), or undefined. */
export function selectPlatform(index: ImageIndex, want: Platform): Descriptor | undefined {
  return matchingManifests(index, want)[0];
}

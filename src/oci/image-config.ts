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

/** A container healthcheck; durations are nanoseconds, as Go's time.Duration marshals. */
export interface HealthConfig {
  /** `[]` inherit, `['NONE']` off, `['CMD', ...args]`, `['CMD-SHELL', command]`. */
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/**
 * The run configuration in an image config (`config`, and docker's legacy `container_config`).
 * Docker marshals unset lists and maps as `null`, so those fields may hold null on the wire.
 * Set-valued maps (`ExposedPorts`, `Volumes`) map each key to `{}`.
 */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig | null;
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[] | null;
}

/** The ContainerConfig fields Go's encoding leaves out when empty (`omitempty`), in order. */
export const CONFIG_OMITTED_WHEN_EMPTY = [
  'ExposedPorts',
  'Healthcheck',
  'ArgsEscaped',
  'NetworkDisabled',
  'MacAddress',
  'StopSignal',
  'StopTimeout',
  'Shell',
] as const satisfies readonly (keyof ContainerConfig)[];

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface RootFS {
  type: 'layers';
  /** Uncompressed layer digests, bottom first. Absent on the wire for an image without layers. */
  diff_ids: Digest[];
}

/**
 * An image config (OCI image-spec config.json, with Docker's extra fields). Parsed configs keep
 * every field they were given, known or not; the content store keeps the original bytes, which
 * are what the image id is computed over.
 */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  created?: string;
  author?: string;
  config?: ContainerConfig;
  container_config?: ContainerConfig;
  container?: string;
  docker_version?: string;
  comment?: string;
  /** Docker's legacy parent image id (set by the classic builder and commit). */
  parent?: string;
  rootfs: RootFS;
  history?: HistoryEntry[];
}

const OPTIONAL_STRINGS = [
  'variant',
  'os.version',
  'created',
  'author',
  'container',
  'docker_version',
  'comment',
  'parent',
];

const fail = (message: string) => invalidArgument(`invalid image config: ${message}`);

/**
 * Parses and validates an image config. Throws InvalidArgument `invalid image config: ...` for
 * bad JSON, a missing or non-`layers` rootfs, diff ids that are not sha256 digests, mistyped
 * known fields, or a history whose non-empty entries do not match the layers. A missing
 * `architecture`/`os` reads as '' and a missing `diff_ids` as [] (Go's zero values); a null `config` or `container_config` as absent.
 */
export function parseImageConfig(bytes: Buffer): ImageConfig {
  const body = parseJson(bytes, fail);
  if (!isObject(body)) throw fail(`expected a JSON object, got ${jsonTypeOf(body)}`);
  for (const key of ['architecture', 'os']) {
    if (body[key] === undefined || body[key] === null) body[key] = '';
    else if (typeof body[key] !== 'string') throw fail(`${key} must be a string`);
  }
  for (const key of OPTIONAL_STRINGS) optionalString(body, key, key);
  const features = body['os.features'];
  if (features !== undefined && features !== null && !isStringArray(features)) {
    throw fail('os.features must be a list of strings');
  }
  checkRootFS(body['rootfs']);
  for (const key of ['config', 'container_config']) {
    const value = body[key];
    if (value === null) delete body[key];
    if (value === undefined || value === null) continue;
    if (!isObject(value)) throw fail(`${key} must be an object`);
    checkContainerConfig(value, key);
  }
  checkHistory(body);
  return body as unknown as ImageConfig;
}

function optionalString(obj: JsonObject, key: string, where: string): void {
  const value = obj[key];
  if (value !== undefined && value !== null && typeof value !== 'string') {
    throw fail(`${where} must be a string`);
  }
}

function checkRootFS(rootfs: unknown): void {
  if (!isObject(rootfs)) throw fail('no rootfs');
  if (rootfs['type'] !== 'layers') {
    throw fail(`rootfs type must be "layers", not ${JSON.stringify(rootfs['type'] ?? null)}`);
  }
  if (rootfs['diff_ids'] === undefined || rootfs['diff_ids'] === null) rootfs['diff_ids'] = [];
  const diffIds = rootfs['diff_ids'];
  if (!Array.isArray(diffIds)) throw fail('rootfs.diff_ids must be an array');
  for (const id of diffIds) {
    if (typeof id !== 'string' || !isDigest(id))
      throw fail(`invalid diff id ${JSON.stringify(id)}`);
  }
}

const STRING_FIELDS = ['Hostname', 'Domainname', 'User', 'Image', 'WorkingDir', 'StopSignal'];
const BOOLEAN_FIELDS = ['AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin'];
const LIST_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'OnBuild', 'Shell'];
const SET_FIELDS = ['ExposedPorts', 'Volumes'];

function checkContainerConfig(cfg: JsonObject, where: string): void {
  for (const key of STRING_FIELDS) optionalString(cfg, key, `${where}.${key}`);
  for (const key of [...BOOLEAN_FIELDS, 'StdinOnce', 'ArgsEscaped', 'NetworkDisabled']) {
    const value = cfg[key];
    if (value !== undefined && value !== null && typeof value !== 'boolean') {
      throw fail(`${where}.${key} must be a boolean`);
    }
  }
  for (const key of LIST_FIELDS) {
    const value = cfg[key];
    if (value !== undefined && value !== null && !isStringArray(value)) {
      throw fail(`${where}.${key} must be a list of strings`);
    }
  }
  for (const key of SET_FIELDS) {
    const value = cfg[key];
    if (value !== undefined && value !== null && !isObject(value)) {
      throw fail(`${where}.${key} must be an object`);
    }
  }
  const labels = cfg['Labels'];
  if (labels !== undefined && labels !== null && !isStringMap(labels)) {
    throw fail(`${where}.Labels must map strings to strings`);
  }
  const health = cfg['Healthcheck'];
  if (health !== undefined && health !== null) {
    if (!isObject(health)) throw fail(`${where}.Healthcheck must be an object`);
    if (health['Test'] !== undefined && health['Test'] !== null && !isStringArray(health['Test'])) {
      throw fail(`${where}.Healthcheck.Test must be a list of strings`);
    }
  }
}

function checkHistory(body: JsonObject): void {
  const history = body['history'];
  if (history === undefined || history === null) return;
  if (!Array.isArray(history)) throw fail('history must be an array');
  let layers = 0;
  for (const [i, entry] of history.entries()) {
    if (!isObject(entry)) throw fail(`history[${i}] must be an object`);
    for (const key of ['created', 'created_by', 'author', 'comment']) {
      optionalString(entry, key, `history[${i}].${key}`);
    }
    const empty = entry['empty_layer'];
    if (empty !== undefined && empty !== null && typeof empty !== 'boolean') {
      throw fail(`history[${i}].empty_layer must be a boolean`);
    }
    if (empty !== true) layers++;
  }
  const diffIds = (body['rootfs'] as { diff_ids: unknown[] }).diff_ids.length;
  if (history.length > 0 && layers !== diffIds) {
    throw fail(`history has ${layers} non-empty layers but rootfs has ${diffIds} diff ids`);
  }
}

/** The history entries that made a layer, in layer order (empty_layer entries skipped). */
export function layerHistory(config: ImageConfig): HistoryEntry[] {
  return (config.history ?? []).filter((h) => h.empty_layer !== true);
}

import { invalidArgument, isMoorError } from '../core/index.js';

/** The log drivers moor has. */
export const LOG_DRIVERS = ['json-file', 'local', 'none'] as const;
export type LogDriverType = (typeof LOG_DRIVERS)[number];

/** Sizes of the `local` driver when its options do not say (dockerd's: 20 MiB, 5 files). */
export const DEFAULT_MAX_SIZE = 20 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 5;

/**
 * moord's `log-opts` when neither its flags nor daemon.json set any: dockerd has none, so its
 * json-file logs grow for ever; moor rotates them by default (containers get these options
 * merged into their own at create, as dockerd merges its configured `log-opts`).
 */
export const DEFAULT_LOG_OPTS: Readonly<Record<string, string>> = {
  'max-size': '20m',
  'max-file': '5',
};

/** A container's log configuration, in Docker's wire shape (HostConfig.LogConfig). */
export interface LogConfigWire {
  Type?: string;
  Config?: Record<string, string>;
}

/**
 * dockerd's rule for the log configuration a container is created with: no type means the
 * daemon's driver, and a container using the daemon's driver gets the daemon's options it does
 * not set itself. The result is stored with the container (inspect shows it).
 */
export function mergeLogConfig(
  container: LogConfigWire | undefined,
  daemon: { driver: string; opts: Readonly<Record<string, string>> },
): { Type: string; Config: Record<string, string> } {
  const type = container?.Type || daemon.driver;
  const config = { ...(container?.Config ?? {}) };
  if (type === daemon.driver) {
    for (const [key, value] of Object.entries(daemon.opts)) {
      if (!Object.hasOwn(config, key)) config[key] = value;
    }
  }
  return { Type: type, Config: config };
}

/** What a driver's log-opts ask for, validated. */
export interface LogSettings {
  type: LogDriverType;
  /** Rotate before a write would take the file over this many bytes; 0: never. */
  maxSize: number;
  /** Files kept, the current one included (≥ 1). */
  maxFiles: number;
  /**
   * Accepted and validated as dockerd does, but rotated files are kept uncompressed: moor's
   * readers then need no gzip path, and rotated files are small (max-size).
   */
  compress: boolean;
}

/** Options every driver but `none` takes (dockerd's ExtraAttributes and log tag). */
const ATTRIBUTE_OPTS = ['labels', 'labels-regex', 'env', 'env-regex', 'tag'];
const DRIVER_OPTS: Record<Exclude<LogDriverType, 'none'>, readonly string[]> = {
  'json-file': ['max-file', 'max-size', 'compress', ...ATTRIBUTE_OPTS],
  local: ['max-file', 'max-size', 'compress', ...ATTRIBUTE_OPTS],
};
/** Handled by dockerd's logger factory for all drivers, before the driver's own check. */
const BUILT_IN_OPTS = ['mode', 'max-buffer-size'];

const DECIMAL: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const BINARY: Record<string, number> = {
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
};

function parseUnits(value: string, units: Record<string, number>): number {
  let sep = -1;
  for (let i = value.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(value[i] as string)) {
      sep = i;
      break;
    }
  }
  if (sep < 0) throw invalidArgument(`invalid size: '${value}'`);
  const number = value[sep] === ' ' ? value.slice(0, sep) : value.slice(0, sep + 1);
  let suffix = value.slice(sep + 1);
  const size = Number(number);
  if (number.trim() !== number || number === '' || Number.isNaN(size)) {
    throw invalidArgument(`strconv.ParseFloat: parsing ${JSON.stringify(number)}: invalid syntax`);
  }
  if (size < 0) throw invalidArgument(`invalid size: '${value}'`);
  if (suffix === '') return Math.trunc(size);
  suffix = suffix.toLowerCase();
  const bad = () => invalidArgument(`invalid suffix: '${suffix}'`);
  if (suffix.length > 3) throw bad();
  if (suffix[0] === 'b') {
    if (suffix.length > 1) throw bad();
    return Math.trunc(size);
  }
  const multiplier = units[suffix[0] as string];
  if (multiplier === undefined) throw bad();
  if (
    (suffix.length === 2 && suffix[1] !== 'b') ||
    (suffix.length === 3 && suffix !== `${suffix[0]}ib`)
  ) {
    throw bad();
  }
  return Math.trunc(size * multiplier);
}

/**
 * Docker's size parser for `max-size` (go-units FromHumanSize): `10k`, `10m`, `1g`, `1.5GB`…
 * are decimal (k = 1000), as dockerd reads them; a bare number is bytes.
 */
export function parseLogSize(value: string): number {
  return parseUnits(value, DECIMAL);
}

/** go-units RAMInBytes (binary, k = 1024), used by dockerd for `max-buffer-size`. */
export function parseRamSize(value: string): number {
  return parseUnits(value, BINARY);
}

/** Go's strconv.Atoi, with its error text. */
function atoi(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) {
    throw invalidArgument(`strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  return Number(value);
}

const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** Go's strconv.ParseBool, with its error text. */
function parseBool(value: string): boolean {
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw invalidArgument(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

function checkRegex(value: string | undefined): void {
  if (value === undefined || value === '') return;
  try {
    new RegExp(value);
  } catch (err) {
    if (err instanceof SyntaxError) throw invalidArgument(`error parsing regexp: ${err.message}`);
    throw err;
  }
}

/** dockerd's checks common to all drivers (logger.ValidateLogOpts). */
function checkBuiltIn(config: Record<string, string>): void {
  const mode = config.mode ?? '';
  if (mode !== '' && mode !== 'blocking' && mode !== 'non-blocking') {
    throw invalidArgument(`logger: logging mode not supported: ${mode}`);
  }
  const buffer = config['max-buffer-size'];
  if (buffer !== undefined) {
    if (mode !== 'non-blocking') {
      throw invalidArgument(
        "logger: max-buffer-size option is only supported with 'mode=non-blocking'",
      );
    }
    try {
      parseRamSize(buffer);
    } catch (err) {
      throw invalidArgument(`error parsing option max-buffer-size: ${(err as Error).message}`);
    }
  }
}

/** dockerd's json-file: without `max-size`, one file that is never rotated. */
function jsonFileSettings(config: Record<string, string>): LogSettings {
  const size = config['max-size'];
  let maxSize = 0;
  if (size !== undefined) {
    maxSize = parseLogSize(size);
    if (maxSize <= 0) throw invalidArgument('max-size must be a positive number');
  }
  let maxFiles = 1;
  if (config['max-file'] !== undefined) {
    maxFiles = atoi(config['max-file']);
    if (maxFiles < 1) throw invalidArgument('max-file cannot be less than 1');
  }
  let compress = false;
  if (config.compress !== undefined) {
    compress = parseBool(config.compress);
    if (compress && (maxFiles === 1 || size === undefined)) {
      throw invalidArgument(
        'compress cannot be true when max-file is less than 2 or max-size is not set',
      );
    }
  }
  return { type: 'json-file', maxSize, maxFiles, compress };
}

function localSettings(config: Record<string, string>): LogSettings {
  let maxSize = DEFAULT_MAX_SIZE;
  let maxFiles = DEFAULT_MAX_FILES;
  let compress = true;
  const wrap = (what: string, value: string, err: unknown) =>
    invalidArgument(`invalid value for ${what}: ${value}: ${(err as Error).message}`, err);
  const size = config['max-size'];
  if (size !== undefined) {
    try {
      maxSize = parseLogSize(size);
    } catch (err) {
      throw wrap('max-size', size, err);
    }
  }
  const files = config['max-file'];
  if (files !== undefined) {
    try {
      maxFiles = atoi(files);
    } catch (err) {
      throw wrap('max-file', files, err);
    }
    if (maxFiles < 0) throw invalidArgument('max-file must not be negative');
  }
  if (config.compress !== undefined) {
    try {
      compress = parseBool(config.compress);
    } catch (err) {
      throw invalidArgument(`invalid boolean value for compress: ${(err as Error).message}`, err);
    }
  }
  if (compress && maxFiles <= 1) {
    throw invalidArgument('compression cannot be enabled when max file count is 1');
  }
  return { type: 'local', maxSize, maxFiles: Math.max(1, maxFiles), compress };
}

/** dockerd's error for a driver it has neither built in nor as a plugin. */
export function unknownLogDriver(type: string) {
  return invalidArgument(`error looking up logging plugin ${type}: plugin "${type}" not found`);
}

/**
 * Checks a container's log driver and log-opts as dockerd does (same messages, all
 * InvalidArgument) and returns what they ask for. Values are checked here too, which dockerd
 * only does when the container starts — with the same words: `failed to initialize logging
 * driver: …`.
 */
export function validateLogConfig(type: string, config: Record<string, string>): LogSettings {
  // dockerd accepts any option for `none`, unchecked.
  if (type === 'none') return { type: 'none', maxSize: 0, maxFiles: 1, compress: false };
  if (type !== 'json-file' && type !== 'local') throw unknownLogDriver(type);
  checkBuiltIn(config);
  for (const key of Object.keys(config)) {
    if (BUILT_IN_OPTS.includes(key) || DRIVER_OPTS[type].includes(key)) continue;
    throw invalidArgument(
      type === 'local'
        ? `unknown log opt '${key}' for log driver local`
        : `unknown log opt '${key}' for json-file log driver`,
    );
  }
  try {
    checkRegex(config['labels-regex']);
    checkRegex(config['env-regex']);
    return type === 'local' ? localSettings(config) : jsonFileSettings(config);
  } catch (err) {
    if (!isMoorError(err, 'InvalidArgument')) throw err;
    throw invalidArgument(`failed to initialize logging driver: ${err.message}`, err);
  }
}

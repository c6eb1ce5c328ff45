import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { notImplemented } from '../core/index.js';
import { jsonFileFormat } from './json-file-format.js';
import { localFileFormat } from './local-format.js';
import { type LogContainerInfo, logAttributes } from './log-attributes.js';
import type { LogEntry } from './log-entry.js';
import type { LogFormat } from './log-format.js';
import { type LogDriverType, unknownLogDriver, validateLogConfig } from './log-options.js';
import { type LogReadOptions, readLogFiles } from './log-reader.js';
import { RotatingFile } from './rotating-file.js';

/**
 * Stores a container's output and reads it back for `docker logs`. Drivers are registered by
 * name: `json-file` and `local` (dockerd's file formats, rotated by size), `none`.
 */
export interface LogDriver {
  readonly type: LogDriverType;
  /** The file `docker inspect` shows as LogPath ('' when the driver keeps no file). */
  readonly path: string;
  /**
   * Appends entries in order, as one write to the file unless a rotation falls inside the
   * batch. Resolves when the bytes are in the file (page cache; not fsynced). Calls may
   * overlap: they are applied in call order. Rejects after close().
   */
  write(entries: readonly LogEntry[]): Promise<void>;
  /**
   * The stored entries (see LogReadOptions). The iterable throws NotImplemented
   * (`configured logging driver does not support reading`) for `none`.
   */
  readLogs(options: LogReadOptions): AsyncIterable<LogEntry>;
  /** Closes the file; waits for writes in progress. */
  close(): Promise<void>;
}

export interface OpenLogDriverOptions {
  /** `json-file`, `local` or `none`. */
  type: string;
  /** Docker's `--log-opt`s. */
  config: Record<string, string>;
  /** The container's directory. */
  dir: string;
  /** The container's 64-hex id. */
  id: string;
  /** Labels, environment and names, for the `labels`, `env` and `tag` options. */
  container?: LogContainerInfo;
}

export interface ReadLogsOptions extends LogReadOptions {
  type: string;
  dir: string;
  id: string;
}

const FORMATS: Record<Exclude<LogDriverType, 'none'>, LogFormat> = {
  'json-file': jsonFileFormat,
  local: localFileFormat,
};

/** The file a driver writes for a container: its LogPath ('' for none or unknown drivers). */
export function logPathOf(type: string, dir: string, id: string): string {
  if (type === 'json-file') return join(dir, `${id}-json.log`);
  if (type === 'local') return join(dir, 'local-logs', 'container.log');
  return '';
}

/** An iterable whose first step rejects with `err` (the API reports it before any header). */
function failing(err: Error): AsyncIterableIterator<LogEntry> {
  const iterator: AsyncIterableIterator<LogEntry> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => Promise.reject(err),
    return: () => Promise.resolve({ value: undefined, done: true }),
  };
  return iterator;
}

const unreadable = () =>
  failing(notImplemented('configured logging driver does not support reading'));

/**
 * Reads a container's stored log without an open driver (a stopped container, or `docker
 * logs` beside the running pump). Errors come when iteration starts.
 */
export function readContainerLogs(options: ReadLogsOptions): AsyncIterableIterator<LogEntry> {
  const { type, dir, id, ...read } = options;
  if (type === 'none') return unreadable();
  if (type !== 'json-file' && type !== 'local') {
    return failing(unknownLogDriver(type));
  }
  return readLogFiles(logPathOf(type, dir, id), FORMATS[type], read);
}

/**
 * Opens a container's log driver. Checks the log-opts as dockerd does (InvalidArgument with
 * its messages); for file drivers, creates their directory in the container's (which exists)
 * and starts appending to the file.
 */
export async function openLogDriver(options: OpenLogDriverOptions): Promise<LogDriver> {
  const settings = validateLogConfig(options.type, options.config);
  if (settings.type === 'none') {
    return {
      type: 'none',
      path: '',
      write: () => Promise.resolve(),
      readLogs: () => unreadable(),
      close: () => Promise.resolve(),
    };
  }
  const type = settings.type;
  const format = FORMATS[type];
  const path = logPathOf(type, options.dir, options.id);
  // The container's directory exists; `local` keeps its files in a directory of their own.
  if (dirname(path) !== options.dir) await mkdir(dirname(path), { recursive: true });
  const attrs = logAttributes(options.config, options.id, options.container ?? {});
  const encoder = format.createEncoder(attrs);
  const file = new RotatingFile(path, settings.maxSize, settings.maxFiles);
  /** Writes in call order, one at a time. */
  let tail: Promise<void> = Promise.resolve();
  const serial = (step: () => Promise<void>): Promise<void> => {
    const result = tail.then(step);
    tail = result.catch(() => undefined);
    return result;
  };
  return {
    type,
    path,
    write: (entries) =>
      serial(() =>
        entries.length === 0 ? Promise.resolve() : file.append(encoder.encode(entries)),
      ),
    readLogs: (read) => readLogFiles(path, format, read),
    close: () => serial(() => file.close()),
  };
}

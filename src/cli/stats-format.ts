/**
 * `docker stats` figures from the daemon's stats documents (`GET /containers/{id}/stats`), as
 * docker's CLI computes and prints them (cli/command/container/stats_helpers.go and
 * formatter_stats.go): CPU % from the delta against the previous sample, memory without the
 * inactive page cache, network and block I/O totals, and the formatter's columns.
 */
import { goFixed } from './go-float.js';
import { GO_STRUCT } from './go-template.js';
import { type Row, truncateId } from './table.js';
import { bytesSize, humanSize } from './units.js';

/** The CPU part of a stats document (container.CPUStats). */
export interface CpuStats {
  cpu_usage?: {
    total_usage?: number;
    percpu_usage?: number[];
    usage_in_kernelmode?: number;
    usage_in_usermode?: number;
  };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** One blkio entry (container.BlkioStatEntry). */
export interface BlkioEntry {
  major?: number;
  minor?: number;
  op?: string;
  value?: number;
}

/** What the CLI reads of Docker's stats document (container.StatsResponse), as sent. */
export interface StatsDocument {
  name?: string;
  id?: string;
  read?: string;
  preread?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: {
    usage?: number;
    max_usage?: number;
    stats?: Record<string, number>;
    limit?: number;
  };
  blkio_stats?: { io_service_bytes_recursive?: BlkioEntry[] | null };
  pids_stats?: { current?: number; limit?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/** One container's line (docker's StatsEntry): what a document says, computed. */
export interface StatsEntry {
  /** The name or id the container was asked for by (the list's 12-character id without one). */
  container: string;
  /** The document's name, with its leading `/`. */
  name: string;
  id: string;
  cpuPercent: number;
  memory: number;
  memoryLimit: number;
  memoryPercent: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
  /** No valid sample (its stream failed or went quiet): docker then prints `--`. */
  invalid: boolean;
}

/** A container before its first sample: docker's zero StatsEntry. */
export function emptyEntry(container: string): StatsEntry {
  return {
    container,
    name: '',
    id: '',
    cpuPercent: 0,
    memory: 0,
    memoryLimit: 0,
    memoryPercent: 0,
    networkRx: 0,
    networkTx: 0,
    blockRead: 0,
    blockWrite: 0,
    pids: 0,
    invalid: false,
  };
}

/** An entry whose sample is gone (docker's SetErrorAndReset): figures zeroed, shown as `--`. */
export function invalidEntry(entry: StatsEntry): StatsEntry {
  return { ...emptyEntry(entry.container), name: entry.name, id: entry.id, invalid: true };
}

/**
 * CPU % between the previous sample and this one: the container's share of the host's CPU
 * time, times the online CPUs (or, without that field, the per-CPU counters' count). 0 when
 * either delta is not positive (the first sample of a stream has no previous one).
 */
export function cpuPercent(previous: CpuStats | undefined, current: CpuStats | undefined): number {
  const cpuDelta = (current?.cpu_usage?.total_usage ?? 0) - (previous?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (current?.system_cpu_usage ?? 0) - (previous?.system_cpu_usage ?? 0);
  let online = current?.online_cpus ?? 0;
  if (online === 0) online = current?.cpu_usage?.percpu_usage?.length ?? 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/**
 * Memory in use without the page cache that can be dropped: usage minus `total_inactive_file`
 * on cgroup v1 (when that key is there and below usage), minus `inactive_file` on v2.
 */
export function memoryUsage(memory: StatsDocument['memory_stats']): number {
  const usage = memory?.usage ?? 0;
  const stats = memory?.stats ?? {};
  const v1 = stats['total_inactive_file'];
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats['inactive_file'] ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

/** Bytes read and written: the `io_service_bytes_recursive` entries by op (`Read`, `write`...). */
export function blockIo(blkio: StatsDocument['blkio_stats']): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of blkio?.io_service_bytes_recursive ?? []) {
    const op = (entry.op ?? '').charAt(0).toLowerCase();
    if (op === 'r') read += entry.value ?? 0;
    else if (op === 'w') write += entry.value ?? 0;
  }
  return { read, write };
}

/** Bytes received and sent, over all the container's interfaces. */
export function networkIo(networks: StatsDocument['networks']): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return { rx, tx };
}

/** A document's figures, as docker's collect() stores them for a Linux daemon. */
export function statsEntry(container: string, doc: StatsDocument): StatsEntry {
  const memory = memoryUsage(doc.memory_stats);
  const limit = doc.memory_stats?.limit ?? 0;
  const net = networkIo(doc.networks);
  const blk = blockIo(doc.blkio_stats);
  return {
    container,
    name: doc.name ?? '',
    id: doc.id ?? '',
    cpuPercent: cpuPercent(doc.precpu_stats, doc.cpu_stats),
    memory,
    memoryLimit: limit,
    memoryPercent: limit !== 0 ? (memory / limit) * 100 : 0,
    networkRx: net.rx,
    networkTx: net.tx,
    blockRead: blk.read,
    blockWrite: blk.write,
    pids: doc.pids_stats?.current ?? 0,
    invalid: false,
  };
}

/** docker's default `table` format for a Linux daemon. */
export const DEFAULT_STATS_FORMAT =
  'table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\\t{{.MemPerc}}\\t{{.NetIO}}\\t{{.BlockIO}}\\t{{.PIDs}}';

/** The template for a `--format` value: empty and `table` mean docker's default table. */
export function statsFormat(source: string): string {
  return source === '' || source === 'table' ? DEFAULT_STATS_FORMAT : source;
}

/** The column names (docker's stats SubHeaderContext). */
export const STATS_HEADERS: Row = {
  Container: 'CONTAINER',
  Name: 'NAME',
  ID: 'CONTAINER ID',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

/** The Go type docker renders stats rows as (template errors name it). */
const ROW_TYPE = '*container.statsContext';

const NO_VALUE = '--';

function percentage(value: number): string {
  return `${goFixed(value, 2)}%`;
}

function decimalPair(a: number, b: number): string {
  return `${humanSize(a, 3)} / ${humanSize(b, 3)}`;
}

/** One row: docker's statsContext methods as fields; `trunc` shortens the id to 12. */
export function statsRow(entry: StatsEntry, options: { trunc: boolean }): Row {
  const invalid = entry.invalid;
  const row: Record<PropertyKey, unknown> = {
    [GO_STRUCT]: ROW_TYPE,
    Container: entry.container,
    Name: entry.name.length > 1 ? entry.name.slice(1) : NO_VALUE,
    ID: options.trunc ? truncateId(entry.id) : entry.id,
    CPUPerc: invalid ? NO_VALUE : percentage(entry.cpuPercent),
    MemUsage: invalid ? '-- / --' : `${bytesSize(entry.memory)} / ${bytesSize(entry.memoryLimit)}`,
    MemPerc: invalid ? NO_VALUE : percentage(entry.memoryPercent),
    NetIO: invalid ? NO_VALUE : decimalPair(entry.networkRx, entry.networkTx),
    BlockIO: invalid ? NO_VALUE : decimalPair(entry.blockRead, entry.blockWrite),
    PIDs: invalid ? NO_VALUE : String(entry.pids),
  };
  return row as Row;
}

const ESC = '\x1b[';

/**
 * A redrawn frame for a terminal, as docker writes it: cursor home, each line of the table
 * followed by a space and erase-to-end-of-line (Go's Fprintln of the line and the code), then
 * erase below (a shorter table leaves nothing of the previous one).
 */
export function terminalFrame(text: string): string {
  const lines = text.split('\n').map((line) => `${line} ${ESC}K\n`);
  return `${ESC}H${lines.join('')}${ESC}J`;
}

/**
 * One piece of a container's output, as the log drivers store it and `docker logs` and attach
 * streams return it.
 */
export interface LogEntry {
  /**
   * When the monitor read the output: RFC 3339 in UTC with exactly nine fractional digits and
   * `Z` (`2026-11-22T12:47:34.485480612Z`). Times in this form sort as strings.
   */
  time: string;
  stream: 'stdout' | 'stderr';
  /** The bytes, including the trailing `\n` of a full line. */
  line: Buffer;
  /** True when no newline followed yet: a piece of a longer line, or output without newline. */
  partial: boolean;
  /**
   * The driver's extra attributes (`--log-opt labels=`, `env=`, `tag=`), when the stored
   * record has any; `docker logs --details` shows them.
   */
  attrs?: Record<string, string>;
}

export type LogStream = LogEntry['stream'];

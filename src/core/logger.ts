/**
 * The daemon's log: one line per event on stderr, in the `time=... level=... msg=...` shape
 * dockerd uses, so the same log tooling reads both. Secrets must never be passed in fields.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  isEnabled(level: LogLevel): boolean;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

function quote(value: string): string {
  return /^[\w./:@+-]+$/.test(value) ? value : JSON.stringify(value);
}

export function formatLogLine(level: LogLevel, msg: string, fields: LogFields, now: Date): string {
  let line = `time="${now.toISOString()}" level=${level} msg=${JSON.stringify(msg)}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) line += ` ${key}=${quote(String(value))}`;
  }
  return line;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const logger: Logger = {
    level,
    isEnabled: (l) => LOG_LEVELS.indexOf(l) >= LOG_LEVELS.indexOf(logger.level),
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
  function emit(l: LogLevel, msg: string, fields: LogFields = {}): void {
    if (logger.isEnabled(l)) write(formatLogLine(l, msg, fields, new Date()));
  }
  return logger;
}

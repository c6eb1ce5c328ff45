import { invalidArgument } from '../core/index.js';

/** Linux signal numbers by name, as moby/sys/signal's SignalMap (without the SIG prefix). */
const SIGNALS: Record<string, number> = {
  ABRT: 6,
  ALRM: 14,
  BUS: 7,
  CHLD: 17,
  CLD: 17,
  CONT: 18,
  FPE: 8,
  HUP: 1,
  ILL: 4,
  INT: 2,
  IO: 29,
  IOT: 6,
  KILL: 9,
  PIPE: 13,
  POLL: 29,
  PROF: 27,
  PWR: 30,
  QUIT: 3,
  SEGV: 11,
  STKFLT: 16,
  STOP: 19,
  SYS: 31,
  TERM: 15,
  TRAP: 5,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  USR1: 10,
  USR2: 12,
  VTALRM: 26,
  WINCH: 28,
  XCPU: 24,
  XFSZ: 25,
  RTMIN: 34,
  RTMAX: 64,
};
for (let i = 1; i <= 15; i++) SIGNALS[`RTMIN+${i}`] = 34 + i;
for (let i = 1; i <= 14; i++) SIGNALS[`RTMAX-${i}`] = 64 - i;

/**
 * Parses a signal as docker does (moby/sys/signal ParseSignal): a non-zero number, or a name
 * with or without `SIG`, in any case (`KILL`, `sigterm`, `SIGRTMIN+3`). Throws InvalidArgument
 * `invalid signal: X`.
 */
export function parseSignal(raw: string): number {
  if (/^[+-]?\d+$/.test(raw)) {
    const n = Number.parseInt(raw, 10);
    if (n === 0 || !Number.isSafeInteger(n)) throw invalidArgument(`invalid signal: ${raw}`);
    return n;
  }
  const upper = raw.toUpperCase();
  const n = SIGNALS[upper.startsWith('SIG') ? upper.slice(3) : upper];
  if (n === undefined) throw invalidArgument(`invalid signal: ${raw}`);
  return n;
}

/** Whether Linux has the signal (1-31 and the real-time ones, 34-64), as dockerd checks. */
export function isPlatformSignal(n: number): boolean {
  return Object.values(SIGNALS).includes(n);
}

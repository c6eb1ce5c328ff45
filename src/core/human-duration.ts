/**
 * go-units' HumanDuration: how Docker words an elapsed time in `Up 5 seconds`, `Exited (0) 3
 * hours ago` and the CLI's CREATED column. One implementation, shared by the daemon and the CLI.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** HumanDuration of `ms` milliseconds: "Less than a second", "About a minute", "3 hours". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / HOUR + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / HOUR) / 24 / 365)} years`;
}

/** A number without float noise or trailing zeros: 1.5, 200, 0.25. */
function compact(value: number): string {
  return String(Number(value.toFixed(9)));
}

/**
 * Go's `time.Duration.String()` of `ms` milliseconds, as Docker prints durations in messages:
 * "200ms", "1.5s", "1m30s", "2h0m0s".
 */
export function goDuration(ms: number): string {
  let ns = Math.round(Math.abs(ms) * 1e6);
  const sign = ms < 0 ? '-' : '';
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${compact(ns / 1e3)}µs`;
  if (ns < 1e9) return `${sign}${compact(ns / 1e6)}ms`;
  const hours = Math.floor(ns / 3.6e12);
  ns -= hours * 3.6e12;
  const minutes = Math.floor(ns / 6e10);
  ns -= minutes * 6e10;
  const h = hours > 0 ? `${hours}h` : '';
  const m = hours > 0 || minutes > 0 ? `${minutes}m` : '';
  return `${sign}${h}${m}${compact(ns / 1e9)}s`;
}

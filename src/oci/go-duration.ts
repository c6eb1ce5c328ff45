import { invalidArgument } from '../core/index.js';

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  '\u00b5s': 1e3,
  '\u03bcs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.ParseDuration, in nanoseconds (`1m30s`, `1.5h`, `300ms`, `0`), with its errors. */
export function parseGoDuration(text: string): number {
  const invalid = () => invalidArgument(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = num?.[1] ?? '';
    const frac = num?.[2];
    if (whole === '' && (frac === undefined || frac === '')) throw invalid();
    rest = rest.slice(num?.[0].length ?? 0);
    const unit = /^[^0-9.]*/.exec(rest)?.[0] ?? '';
    if (unit === '')
      throw invalidArgument(`time: missing unit in duration ${JSON.stringify(text)}`);
    const scale = UNITS[unit];
    if (scale === undefined) {
      throw invalidArgument(
        `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`,
      );
    }
    rest = rest.slice(unit.length);
    const fraction = frac ? Math.floor((Number(frac) * scale) / 10 ** frac.length) : 0;
    total += Number(whole || '0') * scale + fraction;
  }
  if (!Number.isSafeInteger(total)) throw invalid();
  return sign * total;
}

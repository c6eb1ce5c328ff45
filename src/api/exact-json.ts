/**
 * JSON with bigints written as exact numbers (Go's int64/uint64 counters and nanosecond
 * times, beyond what a JS number holds), on one line.
 */
export function exactJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `\u0000${v.toString()}\u0000` : v,
  );
  return text.replace(/"\\u0000(-?\d+)\\u0000"/g, '$1');
}

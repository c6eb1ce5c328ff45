/**
 * Go's strconv formatting of a float64 with a precision (`%.3g`, `%.2f`), digit for digit: the
 * exact binary value is rounded half to even (JavaScript's toPrecision/toFixed round such ties
 * up: Go prints 12.25 as `12.2` with `%.3g`, JavaScript as `12.3`), and `%g` switches to the
 * exponent form as Go does (`%.3g` of 999.7 is `1e+03`).
 */

/** A positive number's exact decimal digits (no trailing zeros) and where the point goes. */
interface Decimal {
  digits: string;
  /** Digits before the point: `digits` 125, `point` 1 is 1.25; `point` -1 is 0.0125. */
  point: number;
}

const MANTISSA_BITS = 52n;

/** The exact decimal expansion of a finite positive float64 (every one has a finite one). */
function exactDecimal(value: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> MANTISSA_BITS) & 0x7ffn);
  let mantissa = bits & ((1n << MANTISSA_BITS) - 1n);
  let exponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << MANTISSA_BITS;
    exponent = biased - 1075;
  }
  // value = mantissa × 2^exponent; with a negative exponent, × 5^-e / 10^-e is exact.
  const scaled = exponent >= 0 ? mantissa << BigInt(exponent) : mantissa * 5n ** BigInt(-exponent);
  const text = scaled.toString();
  const point = exponent >= 0 ? text.length : text.length + exponent;
  return { digits: text.replace(/0+$/, ''), point };
}

/** Rounds to `count` digits as Go's decimal.Round: half to even on the exact value. */
function round(d: Decimal, count: number): Decimal {
  if (count >= d.digits.length) return d;
  if (count < 0) return { digits: '', point: d.point };
  const next = d.digits[count] ?? '0';
  const rest = d.digits.slice(count + 1);
  const last = count > 0 ? Number(d.digits[count - 1]) : 0;
  const up = next > '5' || (next === '5' && (rest !== '' || last % 2 === 1));
  const kept = d.digits.slice(0, count);
  if (!up) return { digits: kept.replace(/0+$/, ''), point: d.point };
  const nines = /9*$/.exec(kept)?.[0].length ?? 0;
  if (nines === kept.length) return { digits: '1', point: d.point + 1 };
  const head = kept.slice(0, kept.length - nines - 1);
  const bumped = String(Number(kept[kept.length - nines - 1]) + 1);
  return { digits: head + bumped, point: d.point };
}

function decimalOf(value: number): Decimal {
  return value === 0 ? { digits: '', point: 0 } : exactDecimal(Math.abs(value));
}

function sign(value: number): string {
  return value < 0 || Object.is(value, -0) ? '-' : '';
}

function special(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return undefined;
}

/** The digits of `d` from position `from` (0: the first) to `to`, zeros where it has none. */
function digitsAt(d: Decimal, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += i >= 0 && i < d.digits.length ? d.digits[i] : '0';
  return out;
}

/** Go's `%.{decimals}f`. */
export function goFixed(value: number, decimals: number): string {
  const odd = special(value);
  if (odd !== undefined) return odd;
  const exact = decimalOf(value);
  const d = round(exact, exact.point + decimals);
  const whole = d.point > 0 ? digitsAt(d, 0, d.point) : '0';
  const fraction = decimals > 0 ? `.${digitsAt(d, d.point, d.point + decimals)}` : '';
  return sign(value) + whole + fraction;
}

/** Go's `%.{precision}g`: shortest digits up to `precision`, the exponent form out of range. */
export function goGeneral(value: number, precision: number): string {
  const odd = special(value);
  if (odd !== undefined) return odd;
  if (value === 0) return `${sign(value)}0`;
  const d = round(decimalOf(value), Math.max(1, precision));
  const exponent = d.point - 1;
  if (exponent < -4 || exponent >= Math.max(1, precision)) {
    const tail = d.digits.length > 1 ? `.${d.digits.slice(1)}` : '';
    const e = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    return `${sign(value)}${d.digits[0] ?? '0'}${tail}e${e}`;
  }
  const whole = d.point > 0 ? digitsAt(d, 0, d.point) : '0';
  const decimals = Math.max(d.digits.length - d.point, 0);
  const fraction = decimals > 0 ? `.${digitsAt(d, d.point, d.point + decimals)}` : '';
  return sign(value) + whole + fraction;
}

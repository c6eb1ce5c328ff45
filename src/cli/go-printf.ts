/** Go's fmt.Sprint, Sprintln and Sprintf for templates (the common verbs, flags and widths). */
import { Buffer } from 'node:buffer';

import {
  formatFloat,
  formatNumber,
  formatValue,
  goTypeName,
  hasOwnToString,
  isMapLike,
  isNil,
  sortedEntries,
} from './go-template-values.js';

export function sprint(args: unknown[]): string {
  let out = '';
  let previousString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !previousString) out += ' ';
    out += formatValue(arg);
    previousString = isString;
  });
  return out;
}

export function sprintln(args: unknown[]): string {
  return `${args.map((arg) => formatValue(arg)).join(' ')}\n`;
}

const QUOTE_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

export function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

function quoteChar(ch: string, quote: string): string {
  if (ch === quote) return `\\${quote}`;
  const escape = QUOTE_ESCAPES[ch];
  if (escape !== undefined) return escape;
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `\\x${hex(code, 2)}`;
  if (ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) return ch;
  return code > 0xffff ? `\\U${hex(code, 8)}` : `\\u${hex(code, 4)}`;
}

/** Go's strconv.Quote. */
function goQuote(text: string, quote = '"'): string {
  return `${quote}${Array.from(text, (ch) => quoteChar(ch, quote)).join('')}${quote}`;
}

interface FormatSpec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number | undefined;
  precision: number | undefined;
  verb: string;
}

interface Formatted {
  text: string;
  numeric: boolean;
}

function badVerb(value: unknown, verb: string): Formatted {
  const text = isNil(value)
    ? `%!${verb}(<nil>)`
    : `%!${verb}(${goTypeName(value)}=${formatValue(value)})`;
  return { text, numeric: false };
}

function signed(text: string, negative: boolean, spec: FormatSpec): Formatted {
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return { text: sign + text, numeric: true };
}

function formatExponent(value: number, precision: number, upper: boolean): string {
  const [mantissa = '', exp = '0'] = value.toExponential(precision).split('e');
  const exponent = Number(exp);
  const sign = exponent < 0 ? '-' : '+';
  const text = `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return upper ? text.toUpperCase() : text;
}

function formatGeneral(value: number, precision: number | undefined): string {
  if (precision === undefined) return formatFloat(value);
  const rounded = Number(value.toPrecision(Math.max(1, precision)));
  return formatFloat(rounded, Math.max(1, precision));
}

function formatInteger(value: number | bigint, spec: FormatSpec): Formatted {
  const negative = value < 0;
  const abs = negative ? -value : value;
  const prefix = (base: string): string => (spec.sharp ? base : '');
  switch (spec.verb) {
    case 'v':
    case 'd':
      return signed(abs.toString(), negative, spec);
    case 'x':
      return signed(prefix('0x') + abs.toString(16), negative, spec);
    case 'X':
      return signed(prefix('0X') + abs.toString(16).toUpperCase(), negative, spec);
    case 'o':
      return signed(prefix('0') + abs.toString(8), negative, spec);
    case 'b':
      return signed(abs.toString(2), negative, spec);
    case 'c':
      return { text: String.fromCodePoint(Number(value)), numeric: false };
    case 'q':
      return { text: goQuote(String.fromCodePoint(Number(value)), "'"), numeric: false };
    case 'U':
      return { text: `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, numeric: false };
    default:
      return typeof value === 'number' ? formatFloatVerb(value, spec) : badVerb(value, spec.verb);
  }
}

function formatFloatVerb(value: number, spec: FormatSpec): Formatted {
  const negative = value < 0 || Object.is(value, -0);
  const abs = Math.abs(value);
  switch (spec.verb) {
    case 'v':
    case 'g':
      return signed(formatGeneral(abs, spec.precision), negative, spec);
    case 'G':
      return signed(formatGeneral(abs, spec.precision).toUpperCase(), negative, spec);
    case 'f':
    case 'F':
      return signed(abs.toFixed(spec.precision ?? 6), negative, spec);
    case 'e':
    case 'E':
      return signed(formatExponent(abs, spec.precision ?? 6, spec.verb === 'E'), negative, spec);
    default:
      return badVerb(value, spec.verb);
  }
}

function formatString(value: string, spec: FormatSpec): Formatted {
  const text =
    spec.precision === undefined ? value : Array.from(value).slice(0, spec.precision).join('');
  switch (spec.verb) {
    case 'v':
    case 's':
      return { text, numeric: false };
    case 'q':
      return { text: goQuote(text), numeric: false };
    case 'x':
    case 'X': {
      const hexText = Buffer.from(value).toString('hex');
      return { text: spec.verb === 'X' ? hexText.toUpperCase() : hexText, numeric: false };
    }
    default:
      return badVerb(value, spec.verb);
  }
}

function formatLeaf(value: unknown, spec: FormatSpec): Formatted {
  if (isNil(value))
    return spec.verb === 'v' ? { text: '<nil>', numeric: false } : badVerb(value, spec.verb);
  switch (typeof value) {
    case 'boolean':
      return spec.verb === 'v' || spec.verb === 't'
        ? { text: String(value), numeric: false }
        : badVerb(value, spec.verb);
    case 'bigint':
      return formatInteger(value, spec);
    case 'number':
      if (!Number.isFinite(value)) return { text: formatNumber(value), numeric: false };
      return Number.isInteger(value) ? formatInteger(value, spec) : formatFloatVerb(value, spec);
    case 'string':
      return formatString(value, spec);
    default:
      return spec.verb === 'v' || spec.verb === 's'
        ? { text: formatValue(value), numeric: false }
        : badVerb(value, spec.verb);
  }
}

function padFormatted({ text, numeric }: Formatted, spec: FormatSpec): string {
  const width = spec.width ?? 0;
  const length = Array.from(text).length;
  if (length >= width) return text;
  const fill = width - length;
  if (spec.minus) return text + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const sign = /^[-+ ]/.test(text) ? text.slice(0, 1) : '';
    return sign + '0'.repeat(fill) + text.slice(sign.length);
  }
  return ' '.repeat(fill) + text;
}

/** One printf operand; Go applies the verb to each element of a slice or map. */
function formatArg(value: unknown, spec: FormatSpec): string {
  if (Array.isArray(value)) return `[${value.map((item) => formatArg(item, spec)).join(' ')}]`;
  if (isMapLike(value) && (value instanceof Map || !hasOwnToString(value))) {
    const pairs = sortedEntries(value).map(
      ([k, v]) => `${formatArg(k, spec)}:${formatArg(v, spec)}`,
    );
    return `map[${pairs.join(' ')}]`;
  }
  return padFormatted(formatLeaf(value, spec), spec);
}

const SPEC_PATTERN = /([-+# 0]*)(\d+)?(?:\.(\d*))?/y;

function parseSpec(format: string, start: number): { spec: FormatSpec; end: number } | undefined {
  SPEC_PATTERN.lastIndex = start;
  const match = SPEC_PATTERN.exec(format);
  const flags = match?.[1] ?? '';
  const end = start + (match?.[0].length ?? 0);
  const verb = format.codePointAt(end);
  if (verb === undefined) return undefined;
  const precision = match?.[3];
  const spec: FormatSpec = {
    minus: flags.includes('-'),
    plus: flags.includes('+'),
    space: flags.includes(' '),
    zero: flags.includes('0'),
    sharp: flags.includes('#'),
    width: match?.[2] === undefined ? undefined : Number(match[2]),
    precision: precision === undefined ? undefined : Number(precision || '0'),
    verb: String.fromCodePoint(verb),
  };
  return { spec, end: end + spec.verb.length };
}

function extraArgs(args: unknown[]): string {
  const shown = args.map((arg) =>
    isNil(arg) ? '<nil>' : `${goTypeName(arg)}=${formatValue(arg)}`,
  );
  return `%!(EXTRA ${shown.join(', ')})`;
}

/** Go's fmt.Sprintf for the common verbs (v s d q t x X o b c e f g and %%), flags and widths. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let next = 0;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent === -1) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    const parsed = parseSpec(format, percent + 1);
    if (parsed === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    i = parsed.end;
    if (parsed.spec.verb === '%') out += '%';
    else if (next >= args.length) out += `%!${parsed.spec.verb}(MISSING)`;
    else out += formatArg(args[next++], parsed.spec);
  }
  return next < args.length ? out + extraArgs(args.slice(next)) : out;
}

/**
 * The subset of Go's text/template that docker users put in `--format`, with docker's extra
 * functions (json, upper, lower, title, split, join, truncate, pad). Values print the way Go's
 * fmt prints them: `[a b]` for slices, `map[k:v]` for maps, `<no value>` for a missing value.
 *
 * Errors read like Go's (`template: :1: function "foo" not defined`); the caller adds docker's
 * `template parsing error: ` in front.
 */
import { Buffer } from 'node:buffer';

import { GO_HTML_ESCAPED, jsonOf, nilOf, structType } from './go-values.js';

export { GO_STRUCT } from './go-values.js';

/** A parse or execution error, its message worded as Go's. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export type Renderer = (data: unknown) => string;

// ---------------------------------------------------------------------------------------------
// Values: Go's truth, fmt %v printing, field lookup
// ---------------------------------------------------------------------------------------------

type Entry = [key: unknown, value: unknown];

function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** A JS object that stands for a Go map: a Map or any non-array object. */
function isMapLike(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = formatValue(a);
  const y = formatValue(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A map's entries in Go's order for printing and ranging: sorted by key. */
function sortedEntries(value: object): Entry[] {
  const entries: Entry[] =
    value instanceof Map ? [...(value as Map<unknown, unknown>)] : Object.entries(value);
  return entries.sort(([a], [b]) => compareKeys(a, b));
}

function mapSize(value: object): number {
  return value instanceof Map ? value.size : Object.keys(value).length;
}

/** Go's truth: false, 0, nil and empty strings, slices and maps are false. */
export function isTrue(value: unknown): boolean {
  if (isNil(value)) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      return value !== 0 && !Number.isNaN(value);
    case 'bigint':
      return value !== 0n;
    case 'string':
      return value !== '';
    case 'object':
      if (Array.isArray(value)) return value.length > 0;
      if (value instanceof Map) return value.size > 0;
      return isPlainObject(value) ? Object.keys(value).length > 0 : true;
    default:
      return true;
  }
}

/** Go's %v (%g, shortest) of a float64: exponent form below 1e-4 and from 1e+06. */
function formatFloat(value: number, eprec = 6): string {
  const [mantissa = '', exp = '0'] = value.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= eprec) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  return formatFloat(value);
}

function hasOwnToString(value: object): boolean {
  return !isPlainObject(value) && value.toString !== Object.prototype.toString;
}

/**
 * Go's fmt %v. `top` is for a value printed by an action: Go prints `<no value>` there for a
 * missing value, and `<nil>` for a nil inside a slice or map.
 */
export function formatValue(value: unknown, top = false): string {
  if (isNil(value)) return top ? '<no value>' : '<nil>';
  const nil = nilOf(value);
  if (nil) return nil.kind === 'pointer' ? '<nil>' : nil.kind === 'slice' ? '[]' : 'map[]';
  if (structType(value) !== undefined) {
    const fields = Object.values(value).filter((v) => typeof v !== 'function');
    return `{${fields.map((field) => formatValue(field)).join(' ')}}`;
  }
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatNumber(value);
    case 'bigint':
    case 'boolean':
      return value.toString();
    case 'function':
      return '<func>';
    case 'symbol':
      return value.toString();
    default:
      break;
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item)).join(' ')}]`;
  if (!(value instanceof Map) && hasOwnToString(value)) {
    return (value as { toString(): string }).toString();
  }
  const pairs = sortedEntries(value).map(([k, v]) => `${formatValue(k)}:${formatValue(v)}`);
  return `map[${pairs.join(' ')}]`;
}

/** The Go type name fmt shows in `%!d(string=x)`. */
function goTypeName(value: unknown): string {
  if (isNil(value)) return '<nil>';
  const struct = structType(value);
  if (struct !== undefined) return struct;
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float64';
    case 'bigint':
      return 'int64';
    case 'function':
      return 'func()';
    default:
      return Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
  }
}

/** A field by exact key, then case-insensitively (docker's structs are PascalCase). */
function lookupMember(receiver: object, name: string): unknown {
  const lower = name.toLowerCase();
  if (receiver instanceof Map) {
    const map = receiver as Map<unknown, unknown>;
    if (map.has(name)) return map.get(name);
    for (const [key, value] of map) {
      if (typeof key === 'string' && key.toLowerCase() === lower) return value;
    }
    return undefined;
  }
  const record = receiver as Record<string, unknown>;
  if (Object.hasOwn(record, name) || (name in record && !(name in Object.prototype))) {
    return record[name];
  }
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

function callMethod(
  method: (...args: unknown[]) => unknown,
  receiver: object,
  name: string,
  args: unknown[],
): unknown {
  try {
    return method.apply(receiver, args);
  } catch (err) {
    throw new Error(`error calling ${name}: ${errorMessage(err)}`, { cause: err });
  }
}

/** `.Name` on a GO_STRUCT object: exact names only, methods called with their own arity. */
function structField(receiver: object, type: string, name: string, args: unknown[]): unknown {
  if (!(name in receiver) || name in Object.prototype) {
    throw new Error(`can't evaluate field ${name} in type ${type}`);
  }
  const value = (receiver as Record<string, unknown>)[name];
  if (typeof value !== 'function') {
    if (args.length > 0) throw new Error(`${name} is not a method but has arguments`);
    return value;
  }
  const method = value as (...a: unknown[]) => unknown;
  if (method.length !== args.length) {
    throw new Error(`wrong number of args for ${name}: want ${method.length} got ${args.length}`);
  }
  return callMethod(method, receiver, name, args);
}

/** `.Name` on a value; a function-valued field is a method and is called with `args`. */
function fieldValue(receiver: unknown, name: string, args: unknown[], strictKeys = false): unknown {
  if (isNil(receiver)) return undefined;
  const nil = nilOf(receiver);
  if (nil?.kind === 'pointer') throw new Error(`nil pointer evaluating ${nil.type}.${name}`);
  if ((typeof receiver !== 'object' && typeof receiver !== 'function') || Array.isArray(receiver)) {
    // Decoded JSON (strictKeys): every value is a Go interface{}.
    const type = strictKeys ? 'interface {}' : goTypeName(receiver);
    throw new Error(`can't evaluate field ${name} in type ${type}`);
  }
  const struct = structType(receiver);
  if (struct !== undefined) return structField(receiver, struct, name, args);
  if (
    strictKeys &&
    !(receiver instanceof Map ? receiver.has(name) : Object.hasOwn(receiver, name))
  ) {
    throw new Error(`map has no entry for key ${JSON.stringify(name)}`);
  }
  const value = lookupMember(receiver, name);
  if (typeof value === 'function') {
    return callMethod(value as (...a: unknown[]) => unknown, receiver, name, args);
  }
  if (args.length > 0) throw new Error(`${name} is not a method but has arguments`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// fmt: print, println, printf
// ---------------------------------------------------------------------------------------------

function sprint(args: unknown[]): string {
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

function sprintln(args: unknown[]): string {
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

function hex(code: number, digits: number): string {
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

// ---------------------------------------------------------------------------------------------
// Functions: Go's builtins and docker's additions
// ---------------------------------------------------------------------------------------------

/** A string argument; like docker's CLI, non-strings print as %v rather than failing. */
function asString(value: unknown): string {
  return isNil(value) ? '' : formatValue(value);
}

function asInt(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new Error(`wrong type for value; expected int; got ${goTypeName(value)}`);
}

function asList(value: unknown): unknown[] {
  if (isNil(value)) return [];
  if (Array.isArray(value)) return value as unknown[];
  throw new Error(`wrong type for value; expected []string; got ${goTypeName(value)}`);
}

/**
 * docker's `json` function: a json.Encoder with SetEscapeHTML(false), so `<`, `>` and `&` stay
 * as they are (U+2028 and U+2029 are always escaped), except in a value marked GO_HTML_ESCAPED.
 */
function toJson(value: unknown): string {
  const text =
    JSON.stringify(value, (_key, item: unknown) => {
      if (nilOf(item)) return null;
      const json = jsonOf(item);
      if (json !== item) return json;
      if (item instanceof Map) return Object.fromEntries(item as Map<PropertyKey, unknown>);
      if (typeof item === 'bigint') return Number(item);
      return item;
    }) ?? 'null';
  const escaped = (value as { [GO_HTML_ESCAPED]?: boolean } | null)?.[GO_HTML_ESCAPED] === true;
  const special = escaped ? /[<>&\u2028\u2029]/g : /[\u2028\u2029]/g;
  return text.replace(special, (ch) => `\\u${hex(ch.charCodeAt(0), 4)}`);
}

/** docker's title (cases.Title with NoLower): upper-case each word's first letter. */
function title(text: string): string {
  return text.replace(/(?<![\p{L}\p{M}\p{N}_])(?<!\p{L}[.:'’])\p{L}/gu, (ch) => ch.toUpperCase());
}

function split(text: string, separator: string): string[] {
  return separator === '' ? Array.from(text) : text.split(separator);
}

function truncate(text: string, length: number): string {
  const chars = Array.from(text);
  return chars.length < length ? text : chars.slice(0, Math.max(0, length)).join('');
}

function repeatSpaces(count: number): string {
  if (count < 0) throw new Error('strings: negative Repeat count');
  return ' '.repeat(count);
}

function pad(text: string, prefix: number, suffix: number): string {
  return text === '' ? text : repeatSpaces(prefix) + text + repeatSpaces(suffix);
}

function length(value: unknown): number {
  if (isNil(value)) throw new Error('len of nil pointer');
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Array.isArray(value)) return value.length;
  if (isMapLike(value)) return mapSize(value);
  throw new Error(`len of type ${goTypeName(value)}`);
}

function checkedIndex(index: unknown, size: number): number {
  if (typeof index !== 'number' && typeof index !== 'bigint') {
    throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  }
  const i = asInt(index);
  if (i < 0 || i >= size) throw new Error(`index out of range: ${i}`);
  return i;
}

/** A missing key's zero value: "" for a map of strings (docker's labels), else no value. */
function zeroValue(map: object): unknown {
  const values =
    map instanceof Map ? [...(map as Map<unknown, unknown>).values()] : Object.values(map);
  return values.every((value) => typeof value === 'string') ? '' : undefined;
}

function indexOnce(item: unknown, index: unknown): unknown {
  if (isNil(item)) {
    if (typeof index === 'string') return '';
    throw new Error('index of untyped nil');
  }
  if (typeof item === 'string') {
    const bytes = Buffer.from(item);
    return bytes[checkedIndex(index, bytes.length)];
  }
  if (Array.isArray(item)) return (item as unknown[])[checkedIndex(index, item.length)];
  if (item instanceof Map) {
    const map = item as Map<unknown, unknown>;
    return map.has(index) ? map.get(index) : zeroValue(map);
  }
  if (isMapLike(item)) {
    const record = item as Record<string, unknown>;
    const key = formatValue(index);
    return Object.hasOwn(record, key) ? record[key] : zeroValue(record);
  }
  throw new Error(`can't index item of type ${goTypeName(item)}`);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  return indexes.reduce<unknown>((current, i) => indexOnce(current, i), item);
}

function sliceBounds(indexes: unknown[], size: number): [number, number] {
  const bounds = indexes.map(asInt);
  const [start = 0, end = size, capacity = size] = bounds;
  for (const bound of bounds) {
    if (bound < 0 || bound > size) throw new Error(`index out of range: ${bound}`);
  }
  if (start > end) throw new Error(`invalid slice index: ${start} > ${end}`);
  if (end > capacity) throw new Error(`invalid slice index: ${end} > ${capacity}`);
  return [start, end];
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  if (isNil(item)) throw new Error('slice of untyped nil');
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    const bytes = Buffer.from(item);
    return bytes.subarray(...sliceBounds(indexes, bytes.length)).toString();
  }
  if (Array.isArray(item)) return item.slice(...sliceBounds(indexes, item.length));
  throw new Error(`can't slice item of type ${goTypeName(item)}`);
}

function isNumeric(value: unknown): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

/**
 * Go's eq for basic values. A string compared with a number or bool compares their printed
 * forms, since our rows may hold a number where docker's Go struct holds a string.
 */
function equal(a: unknown, b: unknown): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a === 'object' || typeof b === 'object') throw new Error('non-comparable type');
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (typeof a === typeof b) return a === b;
  if (typeof a === 'string' || typeof b === 'string') return formatValue(a) === formatValue(b);
  throw new Error('incompatible types for comparison');
}

function compare(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const basic = (v: unknown): boolean => isNumeric(v) || typeof v === 'string';
  if (!basic(a) || !basic(b)) throw new Error('invalid type for comparison');
  throw new Error('incompatible types for comparison');
}

interface Builtin {
  min: number;
  max: number;
  call: (args: unknown[]) => unknown;
}

const ANY = Number.POSITIVE_INFINITY;

function fixed(count: number, call: (args: unknown[]) => unknown): Builtin {
  return { min: count, max: count, call };
}

const BUILTINS: Readonly<Record<string, Builtin>> = {
  json: fixed(1, ([value]) => toJson(value)),
  upper: fixed(1, ([s]) => asString(s).toUpperCase()),
  lower: fixed(1, ([s]) => asString(s).toLowerCase()),
  title: fixed(1, ([s]) => title(asString(s))),
  split: fixed(2, ([s, sep]) => split(asString(s), asString(sep))),
  join: fixed(2, ([list, sep]) => asList(list).map(asString).join(asString(sep))),
  truncate: fixed(2, ([s, n]) => truncate(asString(s), asInt(n))),
  pad: fixed(3, ([s, prefix, suffix]) => pad(asString(s), asInt(prefix), asInt(suffix))),
  print: { min: 0, max: ANY, call: sprint },
  println: { min: 0, max: ANY, call: sprintln },
  printf: { min: 1, max: ANY, call: ([format, ...rest]) => sprintf(asString(format), rest) },
  len: fixed(1, ([value]) => length(value)),
  index: { min: 1, max: ANY, call: ([item, ...rest]) => index(item, ...rest) },
  slice: { min: 1, max: ANY, call: ([item, ...rest]) => slice(item, ...rest) },
  eq: { min: 2, max: ANY, call: ([a, ...rest]) => rest.some((b) => equal(a, b)) },
  ne: fixed(2, ([a, b]) => !equal(a, b)),
  lt: fixed(2, ([a, b]) => compare(a, b) < 0),
  le: fixed(2, ([a, b]) => compare(a, b) <= 0),
  gt: fixed(2, ([a, b]) => compare(a, b) > 0),
  ge: fixed(2, ([a, b]) => compare(a, b) >= 0),
  not: fixed(1, ([value]) => !isTrue(value)),
  // and/or short-circuit, so the executor evaluates them itself; these entries give the arity.
  and: { min: 1, max: ANY, call: () => undefined },
  or: { min: 1, max: ANY, call: () => undefined },
};

function builtin(name: string): Builtin | undefined {
  return Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
}

/**
 * docker's HeaderFunctions: when a table's header row is rendered from the same template, these
 * leave the column name intact (`{{.ID | truncate 5}}` still heads its column `IMAGE ID`).
 */
const HEADER_FUNCTIONS: Readonly<Record<string, Builtin>> = {
  json: fixed(1, ([value]) => asString(value)),
  split: fixed(2, ([value]) => asString(value)),
  join: fixed(2, ([value]) => asString(value)),
  title: fixed(1, ([value]) => asString(value)),
  lower: fixed(1, ([value]) => asString(value)),
  upper: fixed(1, ([value]) => asString(value)),
  truncate: fixed(2, ([value]) => asString(value)),
};

// ---------------------------------------------------------------------------------------------
// Lexer: text and actions, with trim markers and comments handled here
// ---------------------------------------------------------------------------------------------

type TokenKind =
  | 'dot'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'string'
  | 'number'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'pipe'
  | 'leftParen'
  | 'rightParen';

interface Token {
  kind: TokenKind;
  /** The source text. */
  text: string;
  /** A string token's decoded text or a number token's value. */
  value: string | number;
  pos: number;
  end: number;
}

interface ActionChunk {
  kind: 'action';
  tokens: Token[];
  /** Where its `{{` is. */
  pos: number;
  /** Just past its `}}`. */
  end: number;
}

type Chunk = { kind: 'text'; text: string } | ActionChunk;

function lineAt(src: string, pos: number): number {
  let line = 1;
  for (let i = src.indexOf('\n'); i !== -1 && i < pos; i = src.indexOf('\n', i + 1)) line++;
  return line;
}

function parseError(src: string, pos: number, message: string): TemplateError {
  return new TemplateError(`template: :${lineAt(src, pos)}: ${message}`);
}

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const trimStart = (text: string): string => text.replace(/^[ \t\r\n]+/, '');
const trimEnd = (text: string): string => text.replace(/[ \t\r\n]+$/, '');

const IDENTIFIER = /[\p{L}_][\p{L}\p{N}_]*/uy;
const FIELD_CHAIN = /(?:\.[\p{L}_][\p{L}\p{N}_]*)+/uy;
const VARIABLE = /\$[\p{L}\p{N}_]*/uy;
const NUMBER =
  /[+-]?(?:0[xX][\da-fA-F_]*(?:\.[\da-fA-F_]*)?(?:[pP][+-]?[\d_]+)?|0[oObB][\d_]*|[\d_]*\.?[\d_]*(?:[eE][+-]?[\d_]+)?)/y;
const NUMBER_TAIL = /[\p{L}\p{N}_.]*/uy;

function matchAt(pattern: RegExp, src: string, pos: number): string | undefined {
  pattern.lastIndex = pos;
  return pattern.exec(src)?.[0];
}

function parseNumber(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.replace(/^[+-]/, '').replaceAll('_', '');
  if (/^0[0-7]+$/.test(digits)) return sign * Number.parseInt(digits, 8);
  if (!/^(?:0[xXoObB][\da-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/.test(digits)) return NaN;
  return sign * Number(digits);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

const ESCAPE =
  /\\(?:([abfnrtv\\"'])|x([\da-fA-F]{2})|([0-7]{3})|u([\da-fA-F]{4})|U([\da-fA-F]{8}))|\\/g;

/** Decodes Go's escapes; undefined when one is invalid. */
function decodeEscapes(body: string): string | undefined {
  let valid = true;
  const text = body.replace(
    ESCAPE,
    (match, simple?: string, x?: string, octal?: string, u?: string, big?: string) => {
      if (simple !== undefined) return SIMPLE_ESCAPES[simple] ?? simple;
      const code = x ?? u ?? big;
      if (code !== undefined) return String.fromCodePoint(Number.parseInt(code, 16));
      if (octal !== undefined) return String.fromCodePoint(Number.parseInt(octal, 8));
      valid = false;
      return match;
    },
  );
  return valid ? text : undefined;
}

/** The end of a quoted token: the index just past its closing quote. */
function quotedEnd(src: string, start: number, quote: string, what: string): number {
  for (let i = start + 1; i < src.length; i++) {
    const ch = src.charAt(i);
    if (ch === '\\') i++;
    else if (ch === quote) return i + 1;
    else if (ch === '\n') break;
  }
  throw parseError(src, start, `unterminated ${what}`);
}

function token(
  kind: TokenKind,
  src: string,
  pos: number,
  end: number,
  value?: string | number,
): Token {
  const text = src.slice(pos, end);
  return { kind, text, value: value ?? text, pos, end };
}

function lexQuoted(src: string, pos: number): Token {
  const end = quotedEnd(src, pos, '"', 'quoted string');
  const value = decodeEscapes(src.slice(pos + 1, end - 1));
  if (value === undefined) throw parseError(src, pos, 'invalid syntax');
  return token('string', src, pos, end, value);
}

function lexRaw(src: string, pos: number): Token {
  const close = src.indexOf('`', pos + 1);
  if (close === -1) throw parseError(src, pos, 'unterminated raw quoted string');
  return token('string', src, pos, close + 1, src.slice(pos + 1, close).replaceAll('\r', ''));
}

function lexChar(src: string, pos: number): Token {
  const end = quotedEnd(src, pos, "'", 'character constant');
  const chars = Array.from(decodeEscapes(src.slice(pos + 1, end - 1)) ?? '');
  if (chars.length !== 1)
    throw parseError(src, pos, `malformed character constant: ${src.slice(pos, end)}`);
  return token('number', src, pos, end, chars[0]?.codePointAt(0) ?? 0);
}

function lexNumber(src: string, pos: number): Token {
  const end = pos + (matchAt(NUMBER, src, pos) ?? '').length;
  const tail = matchAt(NUMBER_TAIL, src, end) ?? '';
  const text = src.slice(pos, end + tail.length);
  const value = parseNumber(text);
  if (tail !== '' || Number.isNaN(value))
    throw parseError(src, pos, `bad number syntax: "${text}"`);
  return token('number', src, pos, end, value);
}

const PUNCTUATION: Record<string, TokenKind> = {
  ',': 'comma',
  '|': 'pipe',
  '(': 'leftParen',
  ')': 'rightParen',
  '=': 'assign',
};

function lexSymbol(src: string, pos: number): Token {
  const ch = src.charAt(pos);
  if (src.startsWith(':=', pos)) return token('declare', src, pos, pos + 2);
  const kind = PUNCTUATION[ch];
  if (kind !== undefined) return token(kind, src, pos, pos + 1);
  const code = (src.codePointAt(pos) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  throw parseError(src, pos, `unrecognized character in action: U+${code} '${ch}'`);
}

function lexToken(src: string, pos: number): Token {
  const ch = src.charAt(pos);
  const next = src.charAt(pos + 1);
  if (ch === '"') return lexQuoted(src, pos);
  if (ch === '`') return lexRaw(src, pos);
  if (ch === "'") return lexChar(src, pos);
  if (ch === '$')
    return token('variable', src, pos, pos + (matchAt(VARIABLE, src, pos) ?? '$').length);
  if (ch === '.' && !/\d/.test(next)) {
    const chain = matchAt(FIELD_CHAIN, src, pos);
    return chain === undefined
      ? token('dot', src, pos, pos + 1)
      : token('field', src, pos, pos + chain.length);
  }
  if (/[\d.+-]/.test(ch)) return lexNumber(src, pos);
  const identifier = matchAt(IDENTIFIER, src, pos);
  if (identifier !== undefined) return token('identifier', src, pos, pos + identifier.length);
  return lexSymbol(src, pos);
}

interface Lexed {
  end: number;
  trimAfter: boolean;
}

/** Where an action's `}}` (or ` -}}`) ends, if `pos` is at one. */
function closingAt(src: string, pos: number): Lexed | undefined {
  if (src.startsWith('}}', pos)) return { end: pos + 2, trimAfter: false };
  if (isSpace(src.charAt(pos)) && src.startsWith('-}}', pos + 1))
    return { end: pos + 4, trimAfter: true };
  return undefined;
}

function lexComment(src: string, pos: number): Lexed {
  const close = src.indexOf('*/', pos + 2);
  if (close === -1) throw parseError(src, pos, 'unclosed comment');
  const closing = closingAt(src, close + 2);
  if (closing === undefined) throw parseError(src, pos, 'comment ends before closing delimiter');
  return closing;
}

function lexAction(src: string, pos: number): Lexed & { tokens: Token[] } {
  const tokens: Token[] = [];
  let i = pos;
  for (;;) {
    if (i >= src.length) throw parseError(src, i, 'unclosed action');
    const closing = closingAt(src, i);
    if (closing !== undefined) return { ...closing, tokens };
    if (isSpace(src.charAt(i))) {
      i++;
      continue;
    }
    const next = lexToken(src, i);
    tokens.push(next);
    i = next.end;
  }
}

function hasLeftTrim(src: string, open: number): boolean {
  return src.charAt(open + 2) === '-' && isSpace(src.charAt(open + 3));
}

function lex(src: string): Chunk[] {
  const chunks: Chunk[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open === -1 ? src.length : open);
    if (trimNext) text = trimStart(text);
    if (open === -1) {
      if (text !== '') chunks.push({ kind: 'text', text });
      break;
    }
    const leftTrim = hasLeftTrim(src, open);
    if (leftTrim) text = trimEnd(text);
    if (text !== '') chunks.push({ kind: 'text', text });
    const start = open + (leftTrim ? 4 : 2);
    if (src.startsWith('/*', start)) {
      ({ end: i, trimAfter: trimNext } = lexComment(src, start));
      continue;
    }
    const action = lexAction(src, start);
    chunks.push({ kind: 'action', tokens: action.tokens, pos: open, end: action.end });
    ({ end: i, trimAfter: trimNext } = action);
  }
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

type Operand =
  | { type: 'dot' }
  | { type: 'literal'; value: unknown; text: string }
  | { type: 'variable'; name: string }
  | { type: 'function'; name: string }
  | {
      type: 'field';
      receiver: Operand | undefined;
      names: string[];
      /** Where Go's FieldNode is (a chain: its second field) and its text, for errors. */
      at?: { pos: number; source: string };
    }
  | { type: 'pipe'; pipe: Pipeline };

interface Command {
  args: Operand[];
  pos: number;
  source: string;
}

interface Pipeline {
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

type Control = 'if' | 'with' | 'range';

type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipeline }
  | { type: Control; pipe: Pipeline; body: Node[]; elseBody: Node[] }
  | { type: 'break' | 'continue' };

interface Parser {
  src: string;
  chunks: Chunk[];
  next: number;
  vars: string[];
  rangeDepth: number;
}

/** The tokens of one action, read left to right. */
interface Cursor {
  parser: Parser;
  tokens: Token[];
  i: number;
  /** Where the action ends, for errors at its end. */
  end: number;
}

type Stop =
  { kind: 'eof' } | { kind: 'end'; chunk: ActionChunk } | { kind: 'else'; chunk: ActionChunk };

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'break',
  'continue',
  'define',
  'template',
  'block',
]);

function describe(tok: Token): string {
  return tok.kind === 'identifier' && KEYWORDS.has(tok.text) ? `<${tok.text}>` : `"${tok.text}"`;
}

function peek(cursor: Cursor): Token | undefined {
  return cursor.tokens[cursor.i];
}

function fail(cursor: Cursor, message: string, tok = peek(cursor)): TemplateError {
  return parseError(cursor.parser.src, tok?.pos ?? cursor.end, message);
}

function expectEnd(cursor: Cursor, context: string): void {
  const tok = peek(cursor);
  if (tok === undefined) return;
  if (tok.kind === 'rightParen') throw fail(cursor, 'unexpected right paren');
  throw fail(cursor, `unexpected ${describe(tok)} in ${context}`);
}

function parseTerm(cursor: Cursor, tok: Token): Operand {
  const { parser } = cursor;
  switch (tok.kind) {
    case 'dot':
      return { type: 'dot' };
    case 'field': {
      const names = tok.text.slice(1).split('.');
      const pos = names.length > 1 ? tok.pos + 1 + (names[0] ?? '').length : tok.pos;
      return { type: 'field', receiver: undefined, names, at: { pos, source: tok.text } };
    }
    case 'variable':
      if (!parser.vars.includes(tok.text))
        throw fail(cursor, `undefined variable "${tok.text}"`, tok);
      return { type: 'variable', name: tok.text };
    case 'string':
    case 'number':
      return { type: 'literal', value: tok.value, text: tok.text };
    case 'leftParen': {
      const pipe = parsePipeline(cursor, 'parenthesized pipeline');
      if (peek(cursor)?.kind !== 'rightParen') throw fail(cursor, 'unclosed left paren', tok);
      cursor.i++;
      return { type: 'pipe', pipe };
    }
    case 'identifier':
      return parseIdentifier(cursor, tok);
    default:
      throw fail(cursor, `unexpected ${describe(tok)} in operand`, tok);
  }
}

function parseIdentifier(cursor: Cursor, tok: Token): Operand {
  switch (tok.text) {
    case 'true':
    case 'false':
      return { type: 'literal', value: tok.text === 'true', text: tok.text };
    case 'nil':
      return { type: 'literal', value: null, text: tok.text };
    default:
      if (KEYWORDS.has(tok.text)) throw fail(cursor, `unexpected ${describe(tok)} in operand`, tok);
      if (builtin(tok.text) === undefined)
        throw fail(cursor, `function "${tok.text}" not defined`, tok);
      return { type: 'function', name: tok.text };
  }
}

/** A term and any fields chained right after it: `$x.A`, `(index .M "k").B`. */
function parseOperand(cursor: Cursor): Operand {
  const tok = cursor.tokens[cursor.i++];
  if (tok === undefined) throw fail(cursor, 'unexpected EOF');
  let operand = parseTerm(cursor, tok);
  let end = cursor.tokens[cursor.i - 1]?.end ?? tok.end;
  for (let next = peek(cursor); next?.kind === 'field' && next.pos === end; next = peek(cursor)) {
    if (operand.type === 'literal' || operand.type === 'function') {
      throw fail(cursor, `unexpected . after term "${tok.text}"`, next);
    }
    operand = { type: 'field', receiver: operand, names: next.text.slice(1).split('.') };
    end = next.end;
    cursor.i++;
  }
  return operand;
}

function parseCommand(cursor: Cursor, context: string): Command {
  const start = peek(cursor);
  const args: Operand[] = [];
  for (let tok = peek(cursor); tok !== undefined; tok = peek(cursor)) {
    if (tok.kind === 'pipe' || tok.kind === 'rightParen') break;
    args.push(parseOperand(cursor));
  }
  if (start === undefined || args.length === 0) throw fail(cursor, `missing value for ${context}`);
  const last = cursor.tokens[cursor.i - 1];
  return {
    args,
    pos: start.pos,
    source: cursor.parser.src.slice(start.pos, last?.end ?? start.end),
  };
}

/** `$x :=`, `$x =` or, in range, `$i, $v :=` at the start of a pipeline. */
function parseDeclaration(cursor: Cursor, context: string): { decl: string[]; assign: boolean } {
  const names: string[] = [];
  let i = cursor.i;
  for (;;) {
    const variable = cursor.tokens[i];
    const next = cursor.tokens[i + 1];
    if (variable?.kind !== 'variable' || next === undefined) return { decl: [], assign: false };
    names.push(variable.text);
    if (next.kind === 'declare' || next.kind === 'assign') {
      if (names.length > 2 || (names.length > 1 && context !== 'range')) {
        throw fail(cursor, `too many declarations in ${context}`, variable);
      }
      const assign = next.kind === 'assign';
      for (const name of assign ? names : []) {
        if (!cursor.parser.vars.includes(name))
          throw fail(cursor, `undefined variable "${name}"`, variable);
      }
      cursor.i = i + 2;
      return { decl: names, assign };
    }
    if (next.kind !== 'comma') return { decl: [], assign: false };
    i += 2;
  }
}

function isExecutable(operand: Operand | undefined): boolean {
  return operand?.type === 'field' || operand?.type === 'function' || operand?.type === 'variable';
}

function parsePipeline(cursor: Cursor, context: string): Pipeline {
  const { decl, assign } = parseDeclaration(cursor, context);
  const cmds: Command[] = [];
  for (;;) {
    const cmd = parseCommand(
      cursor,
      context === 'range' || context === 'if' || context === 'with' ? context : 'command',
    );
    const first = cmd.args[0];
    if (cmds.length > 0 && !isExecutable(first) && first?.type !== 'pipe') {
      throw parseError(
        cursor.parser.src,
        cmd.pos,
        `non executable command in pipeline stage ${cmds.length + 1}`,
      );
    }
    if (first?.type === 'literal' && first.value === null)
      throw parseError(cursor.parser.src, cmd.pos, 'nil is not a command');
    cmds.push(cmd);
    if (peek(cursor)?.kind !== 'pipe') break;
    cursor.i++;
  }
  if (!assign) cursor.parser.vars.push(...decl);
  return { decl, assign, cmds };
}

function cursorAt(parser: Parser, chunk: ActionChunk, start: number): Cursor {
  return { parser, tokens: chunk.tokens, i: start, end: chunk.end };
}

function parseControl(parser: Parser, chunk: ActionChunk, keyword: Control, start: number): Node {
  const mark = parser.vars.length;
  const cursor = cursorAt(parser, chunk, start);
  if (peek(cursor) === undefined) throw fail(cursor, `missing value for ${keyword}`);
  const pipe = parsePipeline(cursor, keyword);
  expectEnd(cursor, keyword);
  if (keyword === 'range') parser.rangeDepth++;
  const body = parseList(parser);
  if (keyword === 'range') parser.rangeDepth--;
  const elseBody = body.stop.kind === 'else' ? parseElse(parser, body.stop.chunk, keyword) : [];
  if (body.stop.kind === 'eof') throw parseError(parser.src, parser.src.length, 'unexpected EOF');
  parser.vars.length = mark;
  return { type: keyword, pipe, body: body.nodes, elseBody };
}

/** After `{{else}}`: the else list up to `{{end}}`, or an `else if`/`else with` chain. */
function parseElse(parser: Parser, chunk: ActionChunk, keyword: Control): Node[] {
  const next = chunk.tokens[1];
  if (next !== undefined) {
    if (next.kind === 'identifier' && next.text === keyword && keyword !== 'range') {
      return [parseControl(parser, chunk, keyword, 2)];
    }
    throw parseError(parser.src, next.pos, `unexpected ${describe(next)} in else`);
  }
  const list = parseList(parser);
  if (list.stop.kind === 'eof') throw parseError(parser.src, parser.src.length, 'unexpected EOF');
  if (list.stop.kind === 'else')
    throw parseError(parser.src, list.stop.chunk.pos, 'expected end; found {{else}}');
  return list.nodes;
}

function isControl(word: string): word is Control {
  return word === 'if' || word === 'with' || word === 'range';
}

function isLoopJump(word: string): word is 'break' | 'continue' {
  return word === 'break' || word === 'continue';
}

/** An action that starts with a keyword: a control structure, or where a list stops. */
function parseKeyword(
  parser: Parser,
  chunk: ActionChunk,
  keyword: string,
): Node | Stop | undefined {
  const cursor = cursorAt(parser, chunk, 1);
  if (keyword === 'end') {
    expectEnd(cursor, 'end');
    return { kind: 'end', chunk };
  }
  if (keyword === 'else') return { kind: 'else', chunk };
  if (isControl(keyword)) return parseControl(parser, chunk, keyword, 1);
  if (isLoopJump(keyword)) {
    if (parser.rangeDepth === 0) {
      throw parseError(parser.src, chunk.pos, `{{${keyword}}} outside {{range}}`);
    }
    expectEnd(cursor, `{{${keyword}}}`);
    return { type: keyword };
  }
  if (keyword === 'define' || keyword === 'template' || keyword === 'block') {
    throw parseError(parser.src, chunk.pos, `{{${keyword}}} is not supported`);
  }
  return undefined;
}

function parseList(parser: Parser): { nodes: Node[]; stop: Stop } {
  const nodes: Node[] = [];
  for (
    let chunk = parser.chunks[parser.next];
    chunk !== undefined;
    chunk = parser.chunks[parser.next]
  ) {
    parser.next++;
    if (chunk.kind === 'text') {
      nodes.push({ type: 'text', text: chunk.text });
      continue;
    }
    const first = chunk.tokens[0];
    const keyword =
      first?.kind === 'identifier' ? parseKeyword(parser, chunk, first.text) : undefined;
    if (keyword !== undefined && 'kind' in keyword) return { nodes, stop: keyword };
    if (keyword !== undefined) {
      nodes.push(keyword);
      continue;
    }
    const cursor = cursorAt(parser, chunk, 0);
    const pipe = parsePipeline(cursor, 'command');
    expectEnd(cursor, 'command');
    nodes.push({ type: 'action', pipe });
  }
  return { nodes, stop: { kind: 'eof' } };
}

function parse(src: string): Node[] {
  const parser: Parser = { src, chunks: lex(src), next: 0, vars: ['$'], rangeDepth: 0 };
  const { nodes, stop } = parseList(parser);
  if (stop.kind !== 'eof') throw parseError(src, stop.chunk.pos, `unexpected {{${stop.kind}}}`);
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// Executor
// ---------------------------------------------------------------------------------------------

interface State {
  src: string;
  vars: { name: string; value: unknown }[];
  out: string[];
  /** Rendering a table header: docker's HeaderFunctions replace some builtins. */
  header: boolean;
  /** Go's `missingkey=error`: a missing map key is an error, not `<no value>`. */
  strictKeys: boolean;
}

type Signal = 'break' | 'continue' | undefined;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An error evaluating a field, with where Go reports it (the field node, not the command). */
class FieldError extends Error {
  readonly at: { pos: number; source: string };
  constructor(at: { pos: number; source: string }, cause: unknown) {
    super(errorMessage(cause), { cause });
    this.name = 'FieldError';
    this.at = at;
  }
}

function execError(state: State, cmd: Command, err: unknown): TemplateError {
  if (err instanceof TemplateError) return err;
  const { pos, source } = err instanceof FieldError ? err.at : cmd;
  const line = lineAt(state.src, pos);
  const column = pos - (state.src.lastIndexOf('\n', pos - 1) + 1);
  return new TemplateError(
    `template: :${line}:${column}: executing "" at <${source}>: ${errorMessage(err)}`,
  );
}

function variable(state: State, name: string): unknown {
  for (let i = state.vars.length - 1; i >= 0; i--) {
    const entry = state.vars[i];
    if (entry?.name === name) return entry.value;
  }
  throw new Error(`undefined variable: ${name}`);
}

function assignVariable(state: State, name: string, value: unknown): void {
  const entry = state.vars.findLast((v) => v.name === name);
  if (entry === undefined) throw new Error(`undefined variable: ${name}`);
  entry.value = value;
}

function evalArg(state: State, dot: unknown, operand: Operand): unknown {
  switch (operand.type) {
    case 'dot':
      return dot;
    case 'literal':
      return operand.value;
    case 'variable':
      return variable(state, operand.name);
    case 'function':
      return callFunction(state, dot, operand.name, [], []);
    case 'field':
      return evalField(state, dot, operand, []);
    case 'pipe':
      return evalPipeline(state, dot, operand.pipe);
  }
}

function evalField(
  state: State,
  dot: unknown,
  field: Extract<Operand, { type: 'field' }>,
  args: unknown[],
): unknown {
  let value = field.receiver === undefined ? dot : evalArg(state, dot, field.receiver);
  try {
    field.names.forEach((name, i) => {
      value = fieldValue(value, name, i === field.names.length - 1 ? args : [], state.strictKeys);
    });
  } catch (err) {
    if (field.at === undefined || err instanceof TemplateError) throw err;
    throw new FieldError(field.at, err);
  }
  return value;
}

function shortCircuit(
  state: State,
  dot: unknown,
  name: string,
  operands: Operand[],
  piped: unknown[],
): unknown {
  const thunks = [
    ...operands.map((op) => () => evalArg(state, dot, op)),
    ...piped.map((v) => () => v),
  ];
  let value: unknown;
  for (const thunk of thunks) {
    value = thunk();
    if (isTrue(value) === (name === 'or')) return value;
  }
  return value;
}

function arityError(name: string, fn: Builtin, got: number): Error {
  const want = fn.min === fn.max ? `${fn.min}` : `at least ${fn.min}`;
  return new Error(`wrong number of args for ${name}: want ${want} got ${got}`);
}

function callFunction(
  state: State,
  dot: unknown,
  name: string,
  operands: Operand[],
  piped: unknown[],
): unknown {
  const override =
    state.header && Object.hasOwn(HEADER_FUNCTIONS, name) ? HEADER_FUNCTIONS[name] : undefined;
  const fn = override ?? builtin(name);
  if (fn === undefined) throw new Error(`function "${name}" not defined`);
  const count = operands.length + piped.length;
  if (count < fn.min || count > fn.max) throw arityError(name, fn, count);
  if (name === 'and' || name === 'or') return shortCircuit(state, dot, name, operands, piped);
  const args = [...operands.map((op) => evalArg(state, dot, op)), ...piped];
  try {
    return fn.call(args);
  } catch (err) {
    throw new Error(`error calling ${name}: ${errorMessage(err)}`, { cause: err });
  }
}

function evalCommand(state: State, dot: unknown, cmd: Command, piped: unknown[]): unknown {
  const [first, ...rest] = cmd.args;
  try {
    if (first?.type === 'function') return callFunction(state, dot, first.name, rest, piped);
    if (first?.type === 'field') {
      const args = rest.map((op) => evalArg(state, dot, op));
      return evalField(state, dot, first, [...args, ...piped]);
    }
    if (rest.length > 0 || piped.length > 0 || first === undefined) {
      throw new Error(`can't give argument to non-function ${cmd.source.split(/\s/)[0] ?? ''}`);
    }
    return evalArg(state, dot, first);
  } catch (err) {
    throw execError(state, cmd, err);
  }
}

/** Runs a pipeline's commands, each one's value passed as the next one's last argument. */
function evalCommands(state: State, dot: unknown, pipe: Pipeline): unknown {
  let piped: unknown[] = [];
  for (const cmd of pipe.cmds) piped = [evalCommand(state, dot, cmd, piped)];
  return piped[0];
}

function evalPipeline(state: State, dot: unknown, pipe: Pipeline): unknown {
  const value = evalCommands(state, dot, pipe);
  for (const name of pipe.decl) {
    if (pipe.assign) assignVariable(state, name, value);
    else state.vars.push({ name, value });
  }
  return value;
}

function walkList(state: State, dot: unknown, nodes: Node[]): Signal {
  for (const node of nodes) {
    const signal = walk(state, dot, node);
    if (signal !== undefined) return signal;
  }
  return undefined;
}

function walk(state: State, dot: unknown, node: Node): Signal {
  switch (node.type) {
    case 'text':
      state.out.push(node.text);
      return undefined;
    case 'action': {
      const value = evalPipeline(state, dot, node.pipe);
      if (node.pipe.decl.length === 0) state.out.push(formatValue(value, true));
      return undefined;
    }
    case 'if':
    case 'with':
      return walkIfOrWith(state, dot, node);
    case 'range':
      return walkRange(state, dot, node);
    case 'break':
    case 'continue':
      return node.type;
  }
}

function walkIfOrWith(state: State, dot: unknown, node: Extract<Node, { type: Control }>): Signal {
  const mark = state.vars.length;
  const value = evalPipeline(state, dot, node.pipe);
  const truth = isTrue(value);
  const scope = truth && node.type === 'with' ? value : dot;
  const signal = walkList(state, scope, truth ? node.body : node.elseBody);
  state.vars.length = mark;
  return signal;
}

/** What range visits: [index or key, element] pairs; maps in sorted key order. */
function rangeEntries(value: unknown): Entry[] {
  if (isNil(value)) return [];
  if (Array.isArray(value)) return value.map((item: unknown, i) => [i, item]);
  if (typeof value === 'number' && Number.isInteger(value)) {
    return Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
  }
  if (isMapLike(value)) return sortedEntries(value);
  throw new Error(`range can't iterate over ${formatValue(value)}`);
}

function walkRange(state: State, dot: unknown, node: Extract<Node, { type: Control }>): Signal {
  const value = evalCommands(state, dot, node.pipe);
  const first = node.pipe.cmds[0];
  let entries: Entry[] = [];
  try {
    entries = rangeEntries(value);
  } catch (err) {
    if (first === undefined) throw err;
    throw execError(state, first, err);
  }
  if (entries.length === 0) return walkList(state, dot, node.elseBody);
  const mark = state.vars.length;
  for (const [key, element] of entries) {
    const [keyName, valueName] = node.pipe.decl;
    if (valueName !== undefined && keyName !== undefined)
      state.vars.push({ name: keyName, value: key }, { name: valueName, value: element });
    else if (keyName !== undefined) state.vars.push({ name: keyName, value: element });
    const signal = walkList(state, element, node.body);
    state.vars.length = mark;
    if (signal === 'break') break;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface CompileOptions {
  /** Render a table header: json, split, join, title, lower, upper and truncate pass through. */
  header?: boolean;
  /** Go's template option `missingkey=error` (docker inspect's second try, on decoded JSON). */
  missingKey?: 'error';
}

/** Parses once; the renderer can then run for many rows. Throws TemplateError on bad syntax. */
export function compileTemplate(template: string, options: CompileOptions = {}): Renderer {
  const nodes = parse(template);
  const header = options.header ?? false;
  return (data: unknown): string => {
    const state: State = {
      src: template,
      vars: [{ name: '$', value: data }],
      out: [],
      header,
      strictKeys: options.missingKey === 'error',
    };
    walkList(state, data, nodes);
    return state.out.join('');
  };
}

/** Renders a Go template against `data`. Throws TemplateError on bad syntax or a failed call. */
export function renderTemplate(template: string, data: unknown): string {
  return compileTemplate(template)(data);
}

/**
 * docker's reading of a `--format` value: a `table` prefix asks for a table with headers, the
 * rest is trimmed of spaces, and the two-character escapes `\t` and `\n` become tab and newline.
 */
export function isTableFormat(format: string): { table: boolean; body: string } {
  const table = format.startsWith('table');
  const rest = table ? format.slice('table'.length) : format;
  const body = rest
    .replace(/^ +| +$/g, '')
    .replaceAll('\\t', '\t')
    .replaceAll('\\n', '\n');
  return { table, body };
}

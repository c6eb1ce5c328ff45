/** The template functions: Go's builtins and docker's additions (json, split, join, ...). */
import { Buffer } from 'node:buffer';

import { GO_HTML_ESCAPED, jsonOf, nilOf } from './go-values.js';
import {
  formatValue,
  goTypeName,
  isMapLike,
  isNil,
  isTrue,
  mapSize,
} from './go-template-values.js';
import { hex, sprint, sprintf, sprintln } from './go-printf.js';

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

export interface Builtin {
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

export function builtin(name: string): Builtin | undefined {
  return Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
}

/**
 * docker's HeaderFunctions: when a table's header row is rendered from the same template, these
 * leave the column name intact (`{{.ID | truncate 5}}` still heads its column `IMAGE ID`).
 */
export const HEADER_FUNCTIONS: Readonly<Record<string, Builtin>> = {
  json: fixed(1, ([value]) => asString(value)),
  split: fixed(2, ([value]) => asString(value)),
  join: fixed(2, ([value]) => asString(value)),
  title: fixed(1, ([value]) => asString(value)),
  lower: fixed(1, ([value]) => asString(value)),
  upper: fixed(1, ([value]) => asString(value)),
  truncate: fixed(2, ([value]) => asString(value)),
};

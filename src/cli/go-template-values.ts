/** Go's view of JS values for templates: truth, fmt's %v printing, field and method lookup. */
import { errorMessage } from '../core/index.js';
import { nilOf, structType } from './go-values.js';

export type Entry = [key: unknown, value: unknown];

export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** A JS object that stands for a Go map: a Map or any non-array object. */
export function isMapLike(value: unknown): value is object {
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
export function sortedEntries(value: object): Entry[] {
  const entries: Entry[] =
    value instanceof Map ? [...(value as Map<unknown, unknown>)] : Object.entries(value);
  return entries.sort(([a], [b]) => compareKeys(a, b));
}

export function mapSize(value: object): number {
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
export function formatFloat(value: number, eprec = 6): string {
  const [mantissa = '', exp = '0'] = value.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= eprec) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  return formatFloat(value);
}

export function hasOwnToString(value: object): boolean {
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
export function goTypeName(value: unknown): string {
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
export function fieldValue(
  receiver: unknown,
  name: string,
  args: unknown[],
  strictKeys = false,
): unknown {
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

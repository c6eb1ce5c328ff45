/**
 * Go values that plain JS data cannot stand for, for templates that must print what docker's
 * typed data prints: structs (exact field names, printed `{a b}`), typed nils (a nil pointer
 * prints `<nil>`, a nil slice `[]`, a nil map `map[]`; all marshal to `null`), durations
 * (printed `1m30s`, marshalled as nanoseconds) and times.
 */
import { goDuration } from '../core/index.js';

/**
 * Marks an object as a Go struct of the named type (`*formatter.ContainerContext`): its fields
 * are looked up by exact name, a missing one is an error (`can't evaluate field X in type T`),
 * and its methods (function fields) must get as many arguments as they declare.
 */
export const GO_STRUCT: unique symbol = Symbol('go struct type');

/** What a value marshals to with `json`, when that is not the value itself (Go's order). */
export const GO_JSON: unique symbol = Symbol('go json');

/** Gives `value` the JSON it marshals to (a non-enumerable property, kept out of printing). */
export function withJson<T extends object>(value: T, json: unknown): T {
  Object.defineProperty(value, GO_JSON, { value: json });
  return value;
}

/** The JSON a value marshals to: its GO_JSON, null for a typed nil, else the value itself. */
export function jsonOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (nilOf(value)) return null;
  const json = (value as { [GO_JSON]?: unknown })[GO_JSON];
  return json === undefined ? value : json;
}

/**
 * Marks a value that marshals itself with json.Marshal (docker's list rows: formatter's
 * MarshalJSON), which escapes `<`, `>` and `&`; the `json` template function leaves them as
 * they are in anything else.
 */
export const GO_HTML_ESCAPED: unique symbol = Symbol('go json.Marshal');

/** Marks `value` as marshalling with HTML characters escaped (a non-enumerable property). */
export function withEscapedJson<T extends object>(value: T): T {
  Object.defineProperty(value, GO_HTML_ESCAPED, { value: true });
  return value;
}

/** Marks a typed nil; the value is its kind and Go type. */
export const GO_NIL: unique symbol = Symbol('go nil');

export type NilKind = 'pointer' | 'slice' | 'map';

interface NilInfo {
  kind: NilKind;
  /** The Go type, for errors (`*types.Health`). */
  type: string;
}

/** The struct type of a GO_STRUCT object. */
export function structType(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { [GO_STRUCT]?: unknown })[GO_STRUCT];
  return typeof type === 'string' ? type : undefined;
}

/** What kind of typed nil a value is, if it is one. */
export function nilOf(value: unknown): NilInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as { [GO_NIL]?: NilInfo })[GO_NIL];
}

/**
 * A typed nil: a nil slice is an empty array and a nil map an empty object (so length, range
 * and truth work as for empty ones), a nil pointer an empty object; each carries GO_NIL.
 */
export function goNil(kind: NilKind, type: string): object {
  const value: object = kind === 'slice' ? [] : {};
  Object.defineProperty(value, GO_NIL, { value: { kind, type } });
  return Object.freeze(value);
}

/** A time.Duration: prints as Go's String(), marshals as nanoseconds. */
export class GoDuration {
  readonly nanoseconds: number;
  constructor(nanoseconds: number) {
    this.nanoseconds = nanoseconds;
  }
  toString(): string {
    return goDuration(this.nanoseconds / 1e6);
  }
  toJSON(): number {
    return this.nanoseconds;
  }
}

/**
 * A time.Time from RFC 3339 text: prints as Go's String() (`2006-01-02 15:04:05.999999999
 * -0700 MST`; `+0000 UTC` for Z), marshals as the text it came from.
 */
export class GoTime {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(
      this.text,
    );
    if (!m) return '0001-01-01 00:00:00 +0000 UTC';
    const [, date, time, fraction = '', zone] = m;
    const digits = fraction.slice(0, 9).replace(/0+$/, '');
    const offset =
      zone === 'Z' ? '+0000 UTC' : `${zone?.replace(':', '')} ${zone?.replace(':', '')}`;
    return `${date} ${time}${digits ? `.${digits}` : ''} ${offset}`;
  }
  toJSON(): string {
    return this.text;
  }
}

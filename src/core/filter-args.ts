import { invalidArgument } from './errors.js';

/*
 * Docker's filter arguments and its ways of matching them (its `filters.Args`): the input is
 * the plain record `api/request.ts` queryFilters returns, key → the values given for it.
 */

/** Docker's `filters` query parameter: key → values (`{"label": ["a=b"], "status": ["exited"]}`). */
export type FilterArgs = Record<string, string[]>;

/** Throws Docker's `invalid filter 'KEY'` (InvalidArgument) for a key not in `accepted`. */
export function checkFilterKeys(filters: FilterArgs, accepted: readonly string[]): void {
  for (const key of Object.keys(filters)) {
    if (!accepted.includes(key)) throw invalidArgument(`invalid filter '${key}'`);
  }
}

/** True when `key` was given at all (even with no values). */
export function hasFilter(filters: FilterArgs, key: string): boolean {
  return Object.hasOwn(filters, key);
}

function valuesOf(filters: FilterArgs, key: string): string[] {
  return hasFilter(filters, key) ? (filters[key] ?? []) : [];
}

/** Docker's ExactMatch: no values for `key` match everything; otherwise one must equal `source`. */
export function exactMatcher(filters: FilterArgs, key: string): (source: string) => boolean {
  const values = new Set(valuesOf(filters, key));
  return (source) => values.size === 0 || values.has(source);
}

function compile(pattern: string): RegExp | undefined {
  // Go's leading flag group `(?i)` becomes JavaScript's flags.
  const flags = /^\(\?([ims]+)\)/.exec(pattern);
  try {
    return flags ? new RegExp(pattern.slice(flags[0].length), flags[1]) : new RegExp(pattern);
  } catch (err) {
    // Docker skips a value that is not a valid regular expression.
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/**
 * Docker's Match: no values match everything; otherwise a value equals `source` or, read as a
 * regular expression, matches somewhere in it (unanchored). Invalid expressions are skipped.
 */
export function regexMatcher(filters: FilterArgs, key: string): (source: string) => boolean {
  const values = valuesOf(filters, key);
  const exact = new Set(values);
  const patterns = values.map(compile).filter((re): re is RegExp => re !== undefined);
  return (source) =>
    values.length === 0 || exact.has(source) || patterns.some((re) => re.test(source));
}

/**
 * Docker's MatchKVList (labels): no values match everything; otherwise every value, `key` or
 * `key=value`, must hold in `labels` (so a container without labels never matches).
 */
export function labelsMatch(
  values: readonly string[],
  labels: Record<string, string> | null | undefined,
): boolean {
  if (values.length === 0) return true;
  if (!labels || Object.keys(labels).length === 0) return false;
  return values.every((value) => {
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    if (!Object.hasOwn(labels, key)) return false;
    return eq < 0 || labels[key] === value.slice(eq + 1);
  });
}

/**
 * Docker's GetBoolOrDefault: `fallback` when the key is absent; true for `1`/`true`, false for
 * `0`/`false`; Docker's `invalid filter 'KEY=[v ...]'` when no such value, or both, are given.
 */
export function boolFilter(filters: FilterArgs, key: string, fallback: boolean): boolean {
  if (!hasFilter(filters, key)) return fallback;
  const values = valuesOf(filters, key);
  if (values.length === 0) throw invalidArgument(`invalid filter '${key}'`);
  const isTrue = values.includes('1') || values.includes('true');
  const isFalse = values.includes('0') || values.includes('false');
  if (isTrue === isFalse) throw invalidArgument(`invalid filter '${key}=[${values.join(' ')}]'`);
  return isTrue;
}

/**
 * Docker's `label` and `label!` filters together: every `label` value holds, and no
 * `label!` value does.
 */
export function labelFiltersMatch(
  filters: FilterArgs,
  labels: Record<string, string> | null | undefined,
): boolean {
  const not = filters['label!'] ?? [];
  return labelsMatch(filters['label'] ?? [], labels) && !not.some((l) => labelsMatch([l], labels));
}

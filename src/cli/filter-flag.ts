/**
 * docker's `--filter key=value` flags (opts.FilterOpt): repeatable, the key lower-cased and
 * both sides trimmed, sent to the daemon as the `filters` query parameter, JSON of
 * `{"key": ["value", ...]}`.
 */
import { UsageError } from './context.js';

export type Filters = Record<string, string[]>;

/** Adds a value under a key, once (docker's filters.Args is a set per key). */
export function addFilter(filters: Filters, key: string, value: string): void {
  const values = (filters[key] ??= []);
  if (!values.includes(value)) values.push(value);
}

/**
 * Parses the values of a filter flag. `flag` names it in errors as docker does (`-f, --filter`).
 * Throws a UsageError (exit 125) for a value without `=`.
 */
export function parseFilters(values: readonly string[], flag = '-f, --filter'): Filters {
  const filters: Filters = {};
  for (const value of values) {
    if (value === '') continue;
    const eq = value.indexOf('=');
    if (eq === -1) {
      throw new UsageError(
        `invalid argument "${value}" for "${flag}" flag: bad format of filter (expected name=value)`,
      );
    }
    addFilter(filters, value.slice(0, eq).trim().toLowerCase(), value.slice(eq + 1).trim());
  }
  return filters;
}

/** The `filters` query value, or undefined when there is none (docker then omits it). */
export function filtersQuery(filters: Filters): string | undefined {
  return Object.keys(filters).length === 0 ? undefined : JSON.stringify(filters);
}

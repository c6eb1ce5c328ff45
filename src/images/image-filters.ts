import { invalidArgument, pathMatch } from '../core/index.js';
import { familiarName, familiarString, parseReference } from '../oci/index.js';
import type { ImageRecord } from './image-store.js';

/** Docker's list filters: key → accepted values (any value may match). */
export type Filters = Record<string, string[]>;

const IMAGE_FILTERS = ['dangling', 'label', 'reference', 'before', 'since', 'until'];

export function checkFilterKeys(filters: Filters, allowed: string[] = IMAGE_FILTERS): void {
  for (const key of Object.keys(filters)) {
    if (!allowed.includes(key)) throw invalidArgument(`invalid filter '${key}'`);
  }
}

export function boolFilter(filters: Filters, key: string): boolean | undefined {
  const values = filters[key];
  if (!values || values.length === 0) return undefined;
  const value = values[0]?.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalidArgument(`invalid filter '${key}=${values[0]}'`);
}

/** `label=key` or `label=key=value`, all of which must hold. */
export function matchesLabels(
  labels: Record<string, string> | null | undefined,
  wanted: string[],
): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    if (eq === -1) return labels != null && Object.hasOwn(labels, w);
    return labels?.[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

/**
 * Docker's reference filter: the tags whose familiar name, or name:tag, a pattern matches.
 * Docker lists a filtered image with only those tags.
 */
export function matchingReferences(tags: string[], patterns: string[]): string[] {
  return tags.filter((tag) => {
    const ref = parseReference(tag);
    return patterns.some(
      (p) => pathMatch(p, familiarString(ref)) || pathMatch(p, familiarName(ref)),
    );
  });
}

/** `until` takes a timestamp (RFC 3339 or unix seconds) or a duration (`10m`, `24h`) before now. */
export function parseUntil(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(value);
  if (duration) {
    const scale: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
    return now - Number(duration[1]) * (scale[duration[2] as string] ?? 1);
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalidArgument(`invalid filter 'until=${value}'`);
  return time;
}

export function createdBefore(record: ImageRecord, limit: number): boolean {
  return record.created.getTime() < limit;
}

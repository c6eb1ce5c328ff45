/**
 * The distribution API's pagination of catalogs and tag lists: `n` items at most after
 * `last` (in lexical order), and a `Link: <...?last=X&n=N>; rel="next"` header when more
 * remain.
 */
export function pageOf(
  all: readonly string[],
  url: URL,
  path: string,
): { items: string[]; headers: Record<string, string> } {
  const last = url.searchParams.get('last');
  const nText = url.searchParams.get('n');
  const after = last === null ? [...all] : all.filter((item) => item > last);
  if (nText === null || !/^\d+$/.test(nText)) return { items: after, headers: {} };
  const n = Number(nText);
  const items = after.slice(0, n);
  if (after.length <= n || items.length === 0) return { items, headers: {} };
  const next = `${path}?last=${encodeURIComponent(items[items.length - 1] as string)}&n=${n}`;
  return { items, headers: { Link: `<${next}>; rel="next"` } };
}

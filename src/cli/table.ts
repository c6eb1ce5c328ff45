/**
 * docker's list output (cli/command/formatter): a `--format` value is a Go template rendered
 * once per row. `table TEMPLATE` adds a header row, rendered from the same template against the
 * command's column names, and aligns the columns (tabwriter: min width 10, padding 3); `json`
 * is `{{json .}}`; anything else prints one rendered line per row. Commands turn the `table`
 * keyword (and `-q`) into their default template before calling `renderList`.
 */
import {
  GO_STRUCT,
  TemplateError,
  compileTemplate,
  isTableFormat,
  type Renderer,
} from './go-template.js';
import { withEscapedJson } from './go-values.js';
import { charWidth, tabwrite } from './tab-writer.js';

/** docker's `{{.ID}}` for `-q`. */
export const QUIET_FORMAT = '{{.ID}}';

/** One row: docker's formatter context, its method results as string fields. */
export type Row = Readonly<Record<string, string>>;

function templateError(err: unknown): unknown {
  return err instanceof TemplateError ? new Error(`template parsing error: ${err.message}`) : err;
}

function compile(body: string, header = false): Renderer {
  try {
    return compileTemplate(body, { header });
  } catch (err) {
    throw templateError(err);
  }
}

/**
 * A row as docker's formatter.MarshalJSON sees it: a Go map, so `{{json .}}` prints its keys in
 * sorted order (and, json.Marshal's, with HTML characters escaped).
 */
function sortedRow(row: Row): Row {
  const sorted: Record<PropertyKey, unknown> = Object.fromEntries(
    Object.entries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const struct = (row as { [GO_STRUCT]?: unknown })[GO_STRUCT];
  if (struct !== undefined) sorted[GO_STRUCT] = struct;
  return withEscapedJson(sorted) as Row;
}

/** The template body docker executes for a `--format` value (formatter.Context.preFormat). */
export function formatBody(format: string): { table: boolean; body: string } {
  if (format === 'json') return { table: false, body: '{{json .}}' };
  return isTableFormat(format);
}

/**
 * Renders rows as docker's formatter.Context.Write: each row's template output and a newline;
 * for a table, a header row first and the whole aligned. Template errors read
 * `template parsing error: ...` (docker exits 1 with it).
 */
export function renderList(format: string, rows: readonly Row[], headers: Row): string {
  const { table, body } = formatBody(format);
  const render = compile(body);
  let text = '';
  for (const row of rows) {
    try {
      text += render(sortedRow(row)) + '\n';
    } catch (err) {
      throw templateError(err);
    }
  }
  if (!table) return text;
  let header = '';
  try {
    header = compile(body, true)(headers);
  } catch (err) {
    // docker ignores errors in the header row; the columns still print.
    if (!(err instanceof Error)) throw err;
  }
  return tabwrite(`${header}\n${text}`);
}

/** docker's stringid.TruncateID: no algorithm prefix, at most 12 characters. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  const hex = colon === -1 ? id : id.slice(colon + 1);
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** docker's formatter.Ellipsis: at most `max` terminal columns, the last one `…` if cut. */
export function ellipsis(text: string, max: number): string {
  if (max <= 0) return '';
  const chars = Array.from(text);
  if (max === 1) return chars[0] ?? '';
  let width = 0;
  const ends = chars.map((ch) => (width += charWidth(ch) || 1));
  if (width <= max) return text;
  const keep = ends.findIndex((end, i) => end <= max - 1 && (ends[i + 1] ?? Infinity) > max - 1);
  return keep === -1 ? text : chars.slice(0, keep + 1).join('') + '…';
}

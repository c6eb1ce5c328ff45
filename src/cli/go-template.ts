/**
 * The subset of Go's text/template that docker users put in `--format`, with docker's extra
 * functions (json, upper, lower, title, split, join, truncate, pad). Values print the way Go's
 * fmt prints them: `[a b]` for slices, `map[k:v]` for maps, `<no value>` for a missing value.
 *
 * Errors read like Go's (`template: :1: function "foo" not defined`); the caller adds docker's
 * `template parsing error: ` in front.
 */
import { execute } from './go-template-exec.js';
import { parse } from './go-template-parser.js';

export { GO_STRUCT } from './go-values.js';
export { TemplateError } from './go-template-error.js';
export { formatValue, isTrue } from './go-template-values.js';
export { sprintf } from './go-printf.js';

export type Renderer = (data: unknown) => string;

export interface CompileOptions {
  /** Render a table header: json, split, join, title, lower, upper and truncate pass through. */
  header?: boolean;
  /** Go's template option `missingkey=error` (docker inspect's second try, on decoded JSON). */
  missingKey?: 'error';
}

/** Parses once; the renderer can then run for many rows. Throws TemplateError on bad syntax. */
export function compileTemplate(template: string, options: CompileOptions = {}): Renderer {
  const nodes = parse(template);
  const run = { header: options.header ?? false, strictKeys: options.missingKey === 'error' };
  return (data: unknown): string => execute(template, nodes, data, run);
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

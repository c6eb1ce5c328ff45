/**
 * `moor COMMAND --help` laid out as the docker 28 CLI lays it out: usage, summary, aliases,
 * then the options, their help wrapped to the terminal's width the way pflag's
 * FlagUsagesWrapped does (80 columns when stdin is not a terminal).
 */
import type { FlagSpec } from '../core/index.js';

/** Columns that a help line's text may take beyond the wrap width, to avoid a short last word. */
const SLOP = 5;
/** Narrower than this, help text goes below the flag names instead (indented 16). */
const MIN_WRAP = 24;

/**
 * Splits `text` at the last blank before `limit` characters (or at a newline before that
 * blank); the whole text when it fits in `limit + SLOP` or has no blank to break at.
 */
function splitLine(text: string, limit: number): [string, string] {
  if (limit + SLOP > text.length) return [text, ''];
  const head = text.slice(0, limit);
  const blank = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (blank <= 0) return [text, ''];
  const newline = head.lastIndexOf('\n');
  const at = newline > 0 && newline < blank ? newline : blank;
  return [text.slice(0, at), text.slice(at + 1)];
}

/**
 * Help text that starts at column `indent` of a `width`-column line, wrapped; continuation
 * lines (and lines after a newline in the text) are indented to `indent`.
 */
export function wrapHelp(text: string, indent: number, width: number): string {
  let column = indent;
  let prefix = '';
  let room = width - column;
  if (room < MIN_WRAP) {
    column = 16;
    room = width - column;
    prefix = `\n${' '.repeat(column)}`;
  }
  const pad = ' '.repeat(column);
  if (room < MIN_WRAP) return text.replaceAll('\n', prefix);
  const limit = room - SLOP;
  const lines: string[] = [];
  let rest = text;
  do {
    const [line, next] = splitLine(rest, limit);
    lines.push(line.replaceAll('\n', `\n${pad}`));
    rest = next;
  } while (rest !== '');
  return prefix + lines.join(`\n${pad}`);
}

/** The options block: `  -a, --all   Show all ...`, help aligned and wrapped to `width`. */
export function flagUsages(specs: readonly FlagSpec[], width: number): string {
  const rows = specs
    .filter((s) => !s.hidden)
    .map((s) => {
      const names = s.short ? `  -${s.short}, --${s.name}` : `      --${s.name}`;
      const value =
        s.type === 'bool' ? '' : ` ${s.value ?? (s.type === 'list' ? 'list' : 'string')}`;
      return [names + value, s.help ?? ''] as const;
    });
  const longest = Math.max(0, ...rows.map(([left]) => left.length));
  return rows
    .map(([left, help]) => `${left.padEnd(longest)}   ${wrapHelp(help, longest + 3, width)}`)
    .join('\n');
}

export interface HelpPage {
  /** `moor ps [OPTIONS]`. */
  usage: string;
  summary: string;
  /** Every name the command answers to, as docker lists them (`container ls`, `ps`). */
  aliases?: readonly string[];
  flags: readonly FlagSpec[];
}

/** The whole help page; `columns` is the terminal's width (docker wraps at one less). */
export function helpPage(page: HelpPage, columns: number): string {
  const parts = [`Usage:  ${page.usage}`, '', page.summary];
  if (page.aliases && page.aliases.length > 0) {
    parts.push('', 'Aliases:', `  ${page.aliases.map((name) => `moor ${name}`).join(', ')}`);
  }
  if (page.flags.some((flag) => !flag.hidden)) {
    parts.push('', 'Options:', flagUsages(page.flags, columns - 1));
  }
  return `${parts.join('\n')}\n`;
}

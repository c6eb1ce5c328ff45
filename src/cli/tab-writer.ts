/**
 * Go's text/tabwriter (elastic tabstops) as docker's formatter uses it: cells end at a tab, the
 * text after a line's last tab belongs to no column, a column is as wide as its widest cell plus
 * the padding (and at least the minimum width), and a line without any tab ends the block of
 * lines aligned together. Widths count terminal columns: East Asian wide characters take two.
 */

export interface TabWriterOptions {
  /** Minimal cell width, padding included (docker: 10). */
  minWidth: number;
  /** Spaces added to the widest cell of a column (docker: 3). */
  padding: number;
}

/** docker's `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`. */
export const DOCKER_TABLE: TabWriterOptions = { minWidth: 10, padding: 3 };

interface Cell {
  text: string;
  width: number;
}

const WIDE_RANGES: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Terminal columns of one character: 2 for East Asian wide, 0 for marks and controls. */
export function charWidth(ch: string): number {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (/[\p{Mn}\p{Me}\u200b-\u200f]/u.test(ch)) return 0;
  return WIDE_RANGES.some(([lo, hi]) => code >= lo && code <= hi) ? 2 : 1;
}

/** Terminal columns of a string. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

function cell(text: string): Cell {
  return { text, width: displayWidth(text) };
}

/** One flushed block: its lines, each a list of cells; only tab-terminated cells form columns. */
function formatBlock(lines: Cell[][], options: TabWriterOptions): string {
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i] ?? [];
      line.forEach((c, j) => {
        out.push(c.text);
        const width = widths[j];
        if (width !== undefined) out.push(' '.repeat(Math.max(0, width - c.width)));
      });
      if (i + 1 < lines.length) out.push('\n');
    }
  };

  const format = (start: number, end: number): void => {
    const column = widths.length;
    let line0 = start;
    for (let current = start; current < end; current++) {
      if (column >= (lines[current]?.length ?? 0) - 1) continue;
      writeLines(line0, current);
      line0 = current;
      let width = options.minWidth;
      for (; current < end; current++) {
        const line = lines[current] ?? [];
        if (column >= line.length - 1) break;
        width = Math.max(width, (line[column]?.width ?? 0) + options.padding);
      }
      widths.push(width);
      format(line0, current);
      widths.pop();
      // The line that ended the block has no cell in this column: skipping it is safe.
      line0 = current;
    }
    writeLines(line0, end);
  };

  format(0, lines.length);
  return out.join('');
}

/**
 * Aligns tab-separated text as Go's tabwriter with padchar ' ' and no flags. `\v` ends a cell
 * like a tab; `\f` ends a line and the block of aligned lines.
 */
export function tabwrite(text: string, options: TabWriterOptions = DOCKER_TABLE): string {
  const out: string[] = [];
  let lines: Cell[][] = [[]];
  let current = '';

  const flush = (): void => {
    out.push(formatBlock(lines, options));
    lines = [[]];
  };

  for (const ch of text) {
    if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') {
      current += ch;
      continue;
    }
    const line = lines[lines.length - 1] ?? [];
    line.push(cell(current));
    current = '';
    if (ch === '\n' || ch === '\f') {
      lines.push([]);
      // The newline of a flushed block is written here: the block's last line is the empty
      // line just started, which formatBlock prints without a newline.
      if (ch === '\f' || line.length === 1) flush();
    }
  }
  if (current !== '') (lines[lines.length - 1] ?? []).push(cell(current));
  flush();
  return out.join('');
}

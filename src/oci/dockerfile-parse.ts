import { invalidArgument, isMoorError } from '../core/index.js';
import {
  type EscapeToken,
  type InstructionNode,
  isSpace,
  parseLogicalLine,
} from './dockerfile-line.js';

export type { EscapeToken, InstructionNode } from './dockerfile-line.js';

/**
 * The text level of Docker's Dockerfile parser: parser directives, comments, blank lines,
 * line continuations and the escape token, cutting the text into logical lines (instructions).
 *
 * - A UTF-8 BOM at the start is dropped; lines end at `\n`, trailing `\r` is dropped.
 * - Directives (`# escape=\``, `# syntax=...`, `# check=...`; keys in any case) are read only
 *   while every line so far was one; a blank line, a comment or an instruction ends them, and
 *   an unknown directive is a comment. `syntax` and `check` are accepted and ignored.
 * - A line whose last non-blank character is the escape token (and not an escaped escape
 *   token) continues on the next line; comment lines and blank lines inside an instruction are
 *   skipped (blank ones with Docker's warning).
 * Heredocs (`RUN <<EOF`) are not supported.
 */
export interface ParsedDockerfile {
  escapeToken: EscapeToken;
  nodes: InstructionNode[];
  /** Lines Docker prints on the build's stderr (empty continuation lines), often none. */
  warnings: string[];
}

const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check']);
const CONTINUATION: Record<EscapeToken, RegExp> = {
  '\\': /([^\\])\\[ \t]*$|^\\[ \t]*$/,
  '`': /([^`])`[ \t]*$|^`[ \t]*$/,
};

/**
 * Parses a Dockerfile read from the build context as `name`. Throws InvalidArgument with the
 * legacy builder's words: `the Dockerfile (Dockerfile) cannot be empty` for an empty file,
 * `failed to parse Dockerfile: file with no instructions` when only comments and blank lines
 * remain, `failed to parse Dockerfile: <parser error>` for the rest.
 */
export function parseDockerfile(text: string, name = 'Dockerfile'): ParsedDockerfile {
  if (text === '') throw invalidArgument(`the Dockerfile (${name}) cannot be empty`);
  try {
    return splitDockerfile(text, '\\');
  } catch (err) {
    if (isMoorError(err, 'InvalidArgument')) {
      throw invalidArgument(`failed to parse ${name}: ${err.message}`, err);
    }
    throw err;
  }
}

/**
 * Parses `docker commit/import --change` lines (joined by newlines). Throws InvalidArgument
 * with the parser's messages as they are (`file with no instructions`, ...).
 */
export function parseDockerfileLines(text: string): InstructionNode[] {
  return splitDockerfile(text, '\\').nodes;
}

/**
 * Parses one instruction, such as an ONBUILD trigger stored in an image config. Throws
 * InvalidArgument: `file with no instructions` when there is none, `onbuild trigger should be
 * a single expression` when there are several.
 */
export function parseInstructionLine(
  text: string,
  escapeToken: EscapeToken = '\\',
): InstructionNode {
  const { nodes } = splitDockerfile(text, escapeToken);
  const [node] = nodes;
  if (node === undefined || nodes.length > 1) {
    throw invalidArgument('onbuild trigger should be a single expression');
  }
  return node;
}

interface ScanState {
  escape: EscapeToken;
  directivesDone: boolean;
  seen: Set<string>;
}

function splitDockerfile(text: string, escape: EscapeToken): ParsedDockerfile {
  const lines = splitLines(text);
  const state: ScanState = { escape, directivesDone: false, seen: new Set() };
  const nodes: InstructionNode[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let { text: logical, ended } = trimContinuation(
      processLine(state, lines[i] ?? '', true),
      state,
    );
    if (ended && logical === '') continue;
    let emptyContinuation = false;
    while (!ended && i + 1 < lines.length) {
      const raw = lines[++i] ?? '';
      const line = processLine(state, raw, false);
      if (isComment(raw)) continue;
      if (trimLeadingSpace(line) === '') {
        emptyContinuation = true;
        continue;
      }
      const part = trimContinuation(line, state);
      logical += part.text;
      ended = part.ended;
    }
    if (emptyContinuation) warnings.push(`Empty continuation line found in: ${logical}`);
    nodes.push({ ...parseLogicalLine(logical, state.escape), line: start });
  }
  if (nodes.length === 0) throw invalidArgument('file with no instructions');
  return { escapeToken: state.escape, nodes, warnings: formatWarnings(warnings) };
}

/** Lines without their `\n` and trailing `\r`s; a BOM at the very start is dropped. */
function splitLines(text: string): string[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split('\n');
  if (body.endsWith('\n')) lines.pop();
  return lines.map((line) => line.replace(/\r+$/, ''));
}

/** Reads a possible directive, then blanks the line when it is a comment. */
function processLine(state: ScanState, raw: string, stripLeft: boolean): string {
  const line = stripLeft ? trimLeadingSpace(raw) : raw;
  readDirective(state, line);
  return line.startsWith('#') ? '' : line;
}

function readDirective(state: ScanState, line: string): void {
  if (state.directivesDone) return;
  const match = line.startsWith('#') ? DIRECTIVE.exec(trimLeadingSpace(line.slice(1))) : null;
  const key = match?.[1]?.toLowerCase();
  if (match === null || key === undefined || !KNOWN_DIRECTIVES.has(key)) {
    state.directivesDone = true;
    return;
  }
  if (state.seen.has(key)) throw invalidArgument(`only one ${key} parser directive can be used`);
  state.seen.add(key);
  if (key !== 'escape') return;
  const value = match[2] ?? '';
  if (value !== '`' && value !== '\\') {
    throw invalidArgument(`invalid escape token '${value}' does not match \` or \\`);
  }
  state.escape = value;
}

function trimContinuation(line: string, state: ScanState): { text: string; ended: boolean } {
  const pattern = CONTINUATION[state.escape];
  if (!pattern.test(line)) return { text: line, ended: true };
  return { text: line.replace(pattern, '$1'), ended: false };
}

function isComment(raw: string): boolean {
  return trimLeadingSpace(raw).startsWith('#');
}

function trimLeadingSpace(line: string): string {
  let start = 0;
  while (start < line.length && isSpace(line[start] ?? '')) start++;
  return line.slice(start);
}

function formatWarnings(found: string[]): string[] {
  if (found.length === 0) return [];
  return [
    ...found.map((w) => `[WARNING]: ${w}`),
    '[WARNING]: Empty continuation lines will become errors in a future release.',
  ];
}

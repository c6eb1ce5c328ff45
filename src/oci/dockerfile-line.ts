import { invalidArgument } from '../core/index.js';

/**
 * One logical Dockerfile line split the way Docker's parser splits it: the instruction word,
 * the leading `--flags`, and the arguments cut by each instruction's own rule (JSON array or
 * shell form, whitespace-separated, `key=value` pairs, one string). Arguments keep their quotes
 * and escapes; quote removal and variable expansion come later (shell-word).
 */

/** The character that escapes and continues lines: `\` unless `# escape=\`` says otherwise. */
export type EscapeToken = '\\' | '`';

export interface InstructionNode {
  /** The instruction as written (`ENV`, `env`, `FOO`). */
  command: string;
  /** `--name=value` words before the arguments, quotes and escapes removed. */
  flags: string[];
  /** Arguments; for ENV and LABEL see `pairs` instead. */
  args: string[];
  /** ENV/LABEL `key=value` (or legacy `key value`) pairs. */
  pairs: { key: string; value: string }[];
  /** True when the arguments were a JSON array (exec form). */
  json: boolean;
  /** The whole logical line: continuation lines joined, comment lines left out. */
  original: string;
  /** 1-based line the instruction starts on. */
  line: number;
}

export type ParsedLine = Omit<InstructionNode, 'line'>;

const WHITESPACE = /[\t\v\f\r ]+/;
/** Go's unicode.IsSpace for one character. */
const SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
export const isSpace = (ch: string): boolean => SPACE.test(ch);

/** Splits one logical line. Throws InvalidArgument with Docker's parser messages. */
export function parseLogicalLine(line: string, escape: EscapeToken): ParsedLine {
  const trimmed = line.trim();
  const space = WHITESPACE.exec(trimmed);
  const command = space ? trimmed.slice(0, space.index) : trimmed;
  const afterCommand = space ? trimmed.slice(space.index + space[0].length) : '';
  const { rest, flags } = extractFlags(afterCommand, escape);
  const node: ParsedLine = { command, flags, args: [], pairs: [], json: false, original: line };
  fillArgs(node, rest.trim(), escape);
  return node;
}

function fillArgs(node: ParsedLine, rest: string, escape: EscapeToken): void {
  switch (node.command.toLowerCase()) {
    case 'env':
    case 'label':
      node.pairs = parseNameVal(rest, node.command.toUpperCase(), escape);
      return;
    case 'arg':
      node.args = parseWords(rest, escape);
      return;
    case 'cmd':
    case 'entrypoint':
    case 'run':
    case 'shell':
      Object.assign(node, parseMaybeJson(rest));
      return;
    case 'volume':
    case 'add':
    case 'copy':
      Object.assign(node, parseJson(rest) ?? { args: splitWhitespace(rest) });
      return;
    case 'healthcheck':
      Object.assign(node, parseHealthConfig(rest));
      return;
    case 'onbuild':
      if (rest !== '') node.args = subCommandArgs(parseLogicalLine(rest, escape));
      return;
    case 'expose':
    case 'from':
      node.args = splitWhitespace(rest);
      return;
    default:
      // user, workdir, stopsignal, maintainer take the rest as one argument; unknown
      // instructions keep it too (they are rejected when typed).
      node.args = rest === '' ? [] : [rest];
  }
}

/** ONBUILD's arguments: the trigger's instruction word, then the trigger's arguments. */
function subCommandArgs(child: ParsedLine): string[] {
  return [child.command, ...child.args, ...child.pairs.flatMap((p) => [p.key, p.value])];
}

function splitWhitespace(rest: string): string[] {
  return rest === '' ? [] : rest.split(WHITESPACE);
}

/** A JSON array of strings, or undefined when `rest` is not JSON (the shell form). */
function parseJson(rest: string): { args: string[]; json: true } | undefined {
  const text = rest.trimStart();
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) {
    throw invalidArgument('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return { args: value, json: true };
}

function parseMaybeJson(rest: string): { args: string[]; json: boolean } {
  if (rest === '') return { args: [], json: false };
  return parseJson(rest) ?? { args: [rest], json: false };
}

function parseHealthConfig(rest: string): { args: string[]; json: boolean } {
  const space = /\s/.exec(rest);
  if (rest === '') return { args: [], json: false };
  const type = space ? rest.slice(0, space.index) : rest;
  const cmd = parseMaybeJson(space ? rest.slice(space.index).trimStart() : '');
  return { args: [type, ...cmd.args], json: cmd.json };
}

function parseNameVal(
  rest: string,
  key: string,
  escape: EscapeToken,
): { key: string; value: string }[] {
  const words = parseWords(rest, escape);
  const [first] = words;
  if (first === undefined) return [];
  if (!first.includes('=')) {
    const space = WHITESPACE.exec(rest);
    if (!space) throw invalidArgument(`${key} must have two arguments`);
    return [{ key: rest.slice(0, space.index), value: rest.slice(space.index + space[0].length) }];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq === -1) {
      throw invalidArgument(
        `Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`,
      );
    }
    return { key: word.slice(0, eq), value: word.slice(eq + 1) };
  });
}

/** Splits on whitespace outside quotes; quotes and escapes are kept for later processing. */
function parseWords(rest: string, escape: EscapeToken): string[] {
  return scanWords(Array.from(rest), escape, 'raw').words;
}

/** Leading `--x=y` words, quotes and escapes removed; a `--` word ends them. */
function extractFlags(line: string, escape: EscapeToken): { rest: string; flags: string[] } {
  const chars = Array.from(line);
  const { words, end } = scanWords(chars, escape, 'flags');
  return { rest: chars.slice(end).join(''), flags: words };
}

/**
 * Docker's word scanner. `raw` keeps quotes and escapes in the words (escapes are literal
 * inside single quotes) and reads to the end; `flags` removes them (escapes work in either
 * quote) and stops before the first word that does not start with `--`, or after a `--` word.
 * `end` is where scanning stopped.
 */
function scanWords(
  chars: readonly string[],
  escape: EscapeToken,
  mode: 'raw' | 'flags',
): { words: string[]; end: number } {
  const raw = mode === 'raw';
  const words: string[] = [];
  let [word, quote, blankOk, inWord] = ['', '', false, false];
  const finish = () => {
    if (blankOk || word !== '') words.push(word);
    [word, quote, blankOk, inWord] = ['', '', false, false];
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (!inWord) {
      if (isSpace(ch)) continue;
      if (!raw && (ch !== '-' || chars[i + 1] !== '-')) return { words, end: i };
      inWord = true;
    }
    if (quote === '' && isSpace(ch)) {
      if (!raw && word === '--') return { words, end: i };
      finish();
    } else if ((quote === '' && (ch === '"' || ch === "'")) || (quote !== '' && ch === quote)) {
      [quote, blankOk] = [quote === '' ? ch : '', true];
      if (raw) word += ch;
    } else if (ch === escape && (!raw || quote !== "'")) {
      if (i + 1 === chars.length) quote = '';
      else word += (raw ? ch : '') + (chars[++i] ?? '');
    } else {
      word += ch;
    }
  }
  if (inWord && (raw || word !== '--')) finish();
  return { words, end: chars.length };
}

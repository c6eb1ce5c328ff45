import { invalidArgument } from '../core/index.js';

/**
 * The line level of buildkit's Dockerfile parser, enough for `docker commit/import --change`:
 * logical lines (comments skipped, `\` continuations joined), the instruction word, `--flags`,
 * and each instruction's arguments split as buildkit's per-instruction line parsers split them.
 * Arguments keep their quotes; quote removal and variable expansion happen later (shell-word).
 * Parser directives (`# escape=`) and heredocs are not supported.
 */
export interface InstructionNode {
  /** The instruction as written (`ENV`, `env`, `FOO`). */
  command: string;
  /** `--name=value` words before the arguments, quotes removed. */
  flags: string[];
  /** Arguments; for ENV and LABEL see `pairs` instead. */
  args: string[];
  /** ENV/LABEL `key=value` (or legacy `key value`) pairs. */
  pairs: { key: string; value: string }[];
  /** True when the arguments were a JSON array (exec form). */
  json: boolean;
  /** The whole logical line. */
  original: string;
  /** 1-based line the instruction starts on. */
  line: number;
}

const WHITESPACE = /[\t\v\f\r ]+/;
const CONTINUATION = /\\[ \t]*$/;

/** Splits Dockerfile text into instructions. Throws InvalidArgument with buildkit's messages. */
export function parseDockerfileLines(text: string): InstructionNode[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const nodes: InstructionNode[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = (lines[i] ?? '').trimStart();
    if (first.startsWith('#')) continue;
    const start = i + 1;
    let logical = first;
    let ended = !CONTINUATION.test(logical);
    if (!ended) logical = logical.replace(CONTINUATION, '');
    else if (logical === '') continue;
    while (!ended && i + 1 < lines.length) {
      const line = lines[++i] ?? '';
      if (line.trimStart().startsWith('#') || line.trim() === '') continue;
      ended = !CONTINUATION.test(line);
      logical += ended ? line : line.replace(CONTINUATION, '');
    }
    nodes.push({ ...parseLine(logical), line: start });
  }
  if (nodes.length === 0) throw invalidArgument('file with no instructions');
  return nodes;
}

type ParsedLine = Omit<InstructionNode, 'line'>;

function parseLine(line: string): ParsedLine {
  const trimmed = line.trim();
  const space = WHITESPACE.exec(trimmed);
  const command = space ? trimmed.slice(0, space.index) : trimmed;
  const afterCommand = space ? trimmed.slice(space.index + space[0].length) : '';
  const { rest, flags } = extractFlags(afterCommand);
  const node: ParsedLine = { command, flags, args: [], pairs: [], json: false, original: line };
  fillArgs(node, rest.trim());
  return node;
}

function fillArgs(node: ParsedLine, rest: string): void {
  switch (node.command.toLowerCase()) {
    case 'env':
    case 'label':
      node.pairs = parseNameVal(rest, node.command.toUpperCase());
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
      if (rest !== '') {
        const child = parseLine(rest);
        node.args = [child.command, ...child.args, ...child.pairs.flatMap((p) => [p.key, p.value])];
      }
      return;
    case 'expose':
    case 'from':
      node.args = splitWhitespace(rest);
      return;
    default:
      // user, workdir, stopsignal, maintainer take the rest as one argument; unknown
      // instructions keep it too (they are rejected later).
      node.args = rest === '' ? [] : [rest];
  }
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

function parseNameVal(rest: string, key: string): { key: string; value: string }[] {
  const words = parseWords(rest);
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
function parseWords(rest: string): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let word = '';
  let quote = '';
  let blankOk = false;
  let inWord = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (!inWord && quote === '') {
      if (/\s/.test(ch)) continue;
      inWord = true;
    }
    if (quote === '') {
      if (/\s/.test(ch)) {
        if (blankOk || word !== '') words.push(word);
        [word, blankOk, inWord] = ['', false, false];
        continue;
      }
      if (ch === "'" || ch === '"') [quote, blankOk] = [ch, true];
      if (ch === '\\') {
        if (i + 1 === chars.length) continue;
        word += ch + (chars[++i] ?? '');
        continue;
      }
      word += ch;
      continue;
    }
    if (ch === quote) {
      quote = '';
    } else if (ch === '\\' && quote !== "'") {
      if (i + 1 === chars.length) continue;
      word += ch;
      i++;
      word += chars[i] ?? '';
      continue;
    }
    word += ch;
  }
  if (inWord && (blankOk || word !== '')) words.push(word);
  return words;
}

/** buildkit's extractBuilderFlags: leading `--x=y` words, quotes and escapes removed. */
function extractFlags(line: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let word = '';
  let quote = '';
  let blankOk = false;
  let inWord = false;
  for (let pos = 0; pos < line.length; pos++) {
    let ch = line[pos] ?? '';
    if (!inWord) {
      if (/\s/.test(ch)) continue;
      if (ch !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
      inWord = true;
    }
    if (quote === '') {
      if (/\s/.test(ch)) {
        if (word === '--') return { rest: line.slice(pos), flags };
        if (blankOk || word !== '') flags.push(word);
        [word, blankOk, inWord] = ['', false, false];
        continue;
      }
      if (ch === "'" || ch === '"') {
        [quote, blankOk] = [ch, true];
        continue;
      }
    } else if (ch === quote) {
      quote = '';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        quote = '';
        continue;
      }
      ch = line[++pos] ?? '';
    }
    word += ch;
  }
  if (inWord && word !== '--' && (blankOk || word !== '')) flags.push(word);
  return { rest: '', flags };
}

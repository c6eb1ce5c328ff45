import { invalidArgument } from '../core/index.js';

/**
 * Dockerfile word processing (buildkit's shell lexer) for `docker commit --change` and the
 * Dockerfile builder: quote removal (`'...'` literal, `"..."` with `\"`, `\$`, `\\` escapes),
 * escapes with the escape token (backslash, or backtick under an `escape` directive), and
 * variable expansion from an env list (`$V`, `${V}`, `${V:-word}`, `${V-word}`, `${V:+word}`,
 * `${V+word}`, `${V:?msg}`, `${V?msg}`). Unset variables expand to ''. The pattern modifiers
 * (`#`, `%`, `/`) are not supported and throw.
 */

const EOF = '';

interface Scan {
  chars: string[];
  pos: number;
  env: Map<string, string>;
  escape: string;
}

export interface ExpandOptions {
  /** The Dockerfile's escape token: backslash (the default) or backtick. */
  escapeToken?: '\\' | '`';
}

/** Expands one word to one string (spaces kept), as ProcessWord. */
export function expandWord(word: string, env: readonly string[], options?: ExpandOptions): string {
  return run(word, env, options).result;
}

/** Expands one word to words split on unquoted whitespace, as ProcessWords (EXPOSE uses it). */
export function expandWords(
  word: string,
  env: readonly string[],
  options?: ExpandOptions,
): string[] {
  return run(word, env, options).words;
}

function run(
  word: string,
  env: readonly string[],
  options: ExpandOptions | undefined,
): { result: string; words: string[] } {
  const map = new Map<string, string>();
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq === -1) map.set(entry, '');
    else map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const escape = options?.escapeToken ?? '\\';
  const scan: Scan = { chars: Array.from(word), pos: 0, env: map, escape };
  try {
    return processUntil(scan, undefined);
  } catch (err) {
    if (err instanceof LexError) {
      throw invalidArgument(`failed to process ${JSON.stringify(word)}: ${err.message}`);
    }
    throw err;
  }
}

class LexError extends Error {}

const peek = (s: Scan): string => s.chars[s.pos] ?? EOF;
const next = (s: Scan): string => s.chars[s.pos++] ?? EOF;
const isSpace = (ch: string) => /^\s$/u.test(ch);

/** Collects whitespace-separated words the way buildkit's wordsStruct does. */
function wordCollector() {
  const words: string[] = [];
  let buf = '';
  let inWord = false;
  return {
    char(ch: string) {
      if (isSpace(ch)) {
        if (inWord && buf !== '') {
          words.push(buf);
          buf = '';
          inWord = false;
        }
      } else {
        buf += ch;
        inWord = true;
      }
    },
    raw(text: string) {
      buf += text;
      inWord = true;
    },
    done(): string[] {
      if (buf !== '') words.push(buf);
      return words;
    },
  };
}

function processUntil(s: Scan, stop: string | undefined): { result: string; words: string[] } {
  let result = '';
  const words = wordCollector();
  while (peek(s) !== EOF) {
    const ch = peek(s);
    if (stop !== undefined && ch === stop) {
      next(s);
      return { result, words: words.done() };
    }
    if (ch === '$') {
      const value = processDollar(s);
      result += value;
      for (const c of value) words.char(c);
    } else if (ch === "'" || ch === '"') {
      const value = ch === "'" ? processSingleQuote(s) : processDoubleQuote(s);
      result += value;
      words.raw(value);
    } else {
      next(s);
      if (ch === s.escape) {
        const escaped = next(s);
        if (escaped === EOF) break;
        words.raw(escaped);
        result += escaped;
      } else {
        words.char(ch);
        result += ch;
      }
    }
  }
  if (stop !== undefined) {
    throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
  }
  return { result, words: words.done() };
}

function processSingleQuote(s: Scan): string {
  next(s);
  let result = '';
  for (;;) {
    const ch = next(s);
    if (ch === EOF) {
      throw new LexError('unexpected end of statement while looking for matching single-quote');
    }
    if (ch === "'") return result;
    result += ch;
  }
}

function processDoubleQuote(s: Scan): string {
  next(s);
  let result = '';
  for (;;) {
    const ch = peek(s);
    if (ch === EOF) {
      throw new LexError('unexpected end of statement while looking for matching double-quote');
    }
    if (ch === '"') {
      next(s);
      return result;
    }
    if (ch === '$') {
      result += processDollar(s);
      continue;
    }
    let out = next(s);
    if (out === s.escape) {
      const after = peek(s);
      if (after === EOF) continue;
      if (after === '"' || after === '$' || after === s.escape) out = next(s);
    }
    result += out;
  }
}

function processDollar(s: Scan): string {
  next(s);
  if (peek(s) !== '{') {
    const name = processName(s);
    return name === '' ? '$' : (s.env.get(name) ?? '');
  }
  next(s);
  const first = peek(s);
  if (first === EOF) throw new LexError("syntax error: missing '}'");
  if (first === '{' || first === '}' || first === ':') {
    throw new LexError('syntax error: bad substitution');
  }
  const name = processName(s);
  let ch = next(s);
  if (ch === '}') return s.env.get(name) ?? '';
  if (ch === EOF) throw new LexError("syntax error: missing '}'");
  let modifier = ch;
  const nullIsUnset = ch === ':';
  if (nullIsUnset) {
    ch = next(s);
    modifier += ch;
  }
  if (ch !== '-' && ch !== '+' && ch !== '?') {
    throw new LexError(`unsupported modifier (${modifier}) in substitution`);
  }
  let word: string;
  try {
    word = processUntil(s, '}').result;
  } catch (err) {
    if (err instanceof LexError && peek(s) === EOF) throw new LexError("syntax error: missing '}'");
    throw err;
  }
  const value = s.env.get(name);
  const unset = value === undefined || (nullIsUnset && value === '');
  if (ch === '-') return unset ? word : (value ?? '');
  if (ch === '+') return unset ? '' : word;
  if (value === undefined) throw new LexError(`${name}: ${word || 'is not allowed to be unset'}`);
  if (unset) throw new LexError(`${name}: ${word || 'is not allowed to be empty'}`);
  return value;
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

function processName(s: Scan): string {
  let name = '';
  while (peek(s) !== EOF) {
    const ch = peek(s);
    if (name === '' && /^\p{Nd}$/u.test(ch)) {
      while (/^\p{Nd}$/u.test(peek(s))) name += next(s);
      return name;
    }
    if (name === '' && SPECIAL_PARAMS.has(ch)) return next(s);
    if (!/^[\p{L}\p{Nd}_]$/u.test(ch)) break;
    name += next(s);
  }
  return name;
}

/** The template lexer: text and actions, with trim markers and comments handled here. */
import { TemplateError } from './go-template-error.js';

type TokenKind =
  | 'dot'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'string'
  | 'number'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'pipe'
  | 'leftParen'
  | 'rightParen';

export interface Token {
  kind: TokenKind;
  /** The source text. */
  text: string;
  /** A string token's decoded text or a number token's value. */
  value: string | number;
  pos: number;
  end: number;
}

export interface ActionChunk {
  kind: 'action';
  tokens: Token[];
  /** Where its `{{` is. */
  pos: number;
  /** Just past its `}}`. */
  end: number;
}

export type Chunk = { kind: 'text'; text: string } | ActionChunk;

export function lineAt(src: string, pos: number): number {
  let line = 1;
  for (let i = src.indexOf('\n'); i !== -1 && i < pos; i = src.indexOf('\n', i + 1)) line++;
  return line;
}

export function parseError(src: string, pos: number, message: string): TemplateError {
  return new TemplateError(`template: :${lineAt(src, pos)}: ${message}`);
}

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const trimStart = (text: string): string => text.replace(/^[ \t\r\n]+/, '');
const trimEnd = (text: string): string => text.replace(/[ \t\r\n]+$/, '');

const IDENTIFIER = /[\p{L}_][\p{L}\p{N}_]*/uy;
const FIELD_CHAIN = /(?:\.[\p{L}_][\p{L}\p{N}_]*)+/uy;
const VARIABLE = /\$[\p{L}\p{N}_]*/uy;
const NUMBER =
  /[+-]?(?:0[xX][\da-fA-F_]*(?:\.[\da-fA-F_]*)?(?:[pP][+-]?[\d_]+)?|0[oObB][\d_]*|[\d_]*\.?[\d_]*(?:[eE][+-]?[\d_]+)?)/y;
const NUMBER_TAIL = /[\p{L}\p{N}_.]*/uy;

function matchAt(pattern: RegExp, src: string, pos: number): string | undefined {
  pattern.lastIndex = pos;
  return pattern.exec(src)?.[0];
}

function parseNumber(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.replace(/^[+-]/, '').replaceAll('_', '');
  if (/^0[0-7]+$/.test(digits)) return sign * Number.parseInt(digits, 8);
  if (!/^(?:0[xXoObB][\da-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/.test(digits)) return NaN;
  return sign * Number(digits);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

const ESCAPE =
  /\\(?:([abfnrtv\\"'])|x([\da-fA-F]{2})|([0-7]{3})|u([\da-fA-F]{4})|U([\da-fA-F]{8}))|\\/g;

/** Decodes Go's escapes; undefined when one is invalid. */
function decodeEscapes(body: string): string | undefined {
  let valid = true;
  const text = body.replace(
    ESCAPE,
    (match, simple?: string, x?: string, octal?: string, u?: string, big?: string) => {
      if (simple !== undefined) return SIMPLE_ESCAPES[simple] ?? simple;
      const code = x ?? u ?? big;
      if (code !== undefined) return String.fromCodePoint(Number.parseInt(code, 16));
      if (octal !== undefined) return String.fromCodePoint(Number.parseInt(octal, 8));
      valid = false;
      return match;
    },
  );
  return valid ? text : undefined;
}

/** The end of a quoted token: the index just past its closing quote. */
function quotedEnd(src: string, start: number, quote: string, what: string): number {
  for (let i = start + 1; i < src.length; i++) {
    const ch = src.charAt(i);
    if (ch === '\\') i++;
    else if (ch === quote) return i + 1;
    else if (ch === '\n') break;
  }
  throw parseError(src, start, `unterminated ${what}`);
}

function token(
  kind: TokenKind,
  src: string,
  pos: number,
  end: number,
  value?: string | number,
): Token {
  const text = src.slice(pos, end);
  return { kind, text, value: value ?? text, pos, end };
}

function lexQuoted(src: string, pos: number): Token {
  const end = quotedEnd(src, pos, '"', 'quoted string');
  const value = decodeEscapes(src.slice(pos + 1, end - 1));
  if (value === undefined) throw parseError(src, pos, 'invalid syntax');
  return token('string', src, pos, end, value);
}

function lexRaw(src: string, pos: number): Token {
  const close = src.indexOf('`', pos + 1);
  if (close === -1) throw parseError(src, pos, 'unterminated raw quoted string');
  return token('string', src, pos, close + 1, src.slice(pos + 1, close).replaceAll('\r', ''));
}

function lexChar(src: string, pos: number): Token {
  const end = quotedEnd(src, pos, "'", 'character constant');
  const chars = Array.from(decodeEscapes(src.slice(pos + 1, end - 1)) ?? '');
  if (chars.length !== 1)
    throw parseError(src, pos, `malformed character constant: ${src.slice(pos, end)}`);
  return token('number', src, pos, end, chars[0]?.codePointAt(0) ?? 0);
}

function lexNumber(src: string, pos: number): Token {
  const end = pos + (matchAt(NUMBER, src, pos) ?? '').length;
  const tail = matchAt(NUMBER_TAIL, src, end) ?? '';
  const text = src.slice(pos, end + tail.length);
  const value = parseNumber(text);
  if (tail !== '' || Number.isNaN(value))
    throw parseError(src, pos, `bad number syntax: "${text}"`);
  return token('number', src, pos, end, value);
}

const PUNCTUATION: Record<string, TokenKind> = {
  ',': 'comma',
  '|': 'pipe',
  '(': 'leftParen',
  ')': 'rightParen',
  '=': 'assign',
};

function lexSymbol(src: string, pos: number): Token {
  const ch = src.charAt(pos);
  if (src.startsWith(':=', pos)) return token('declare', src, pos, pos + 2);
  const kind = PUNCTUATION[ch];
  if (kind !== undefined) return token(kind, src, pos, pos + 1);
  const code = (src.codePointAt(pos) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  throw parseError(src, pos, `unrecognized character in action: U+${code} '${ch}'`);
}

function lexToken(src: string, pos: number): Token {
  const ch = src.charAt(pos);
  const next = src.charAt(pos + 1);
  if (ch === '"') return lexQuoted(src, pos);
  if (ch === '`') return lexRaw(src, pos);
  if (ch === "'") return lexChar(src, pos);
  if (ch === '$')
    return token('variable', src, pos, pos + (matchAt(VARIABLE, src, pos) ?? '$').length);
  if (ch === '.' && !/\d/.test(next)) {
    const chain = matchAt(FIELD_CHAIN, src, pos);
    return chain === undefined
      ? token('dot', src, pos, pos + 1)
      : token('field', src, pos, pos + chain.length);
  }
  if (/[\d.+-]/.test(ch)) return lexNumber(src, pos);
  const identifier = matchAt(IDENTIFIER, src, pos);
  if (identifier !== undefined) return token('identifier', src, pos, pos + identifier.length);
  return lexSymbol(src, pos);
}

interface Lexed {
  end: number;
  trimAfter: boolean;
}

/** Where an action's `}}` (or ` -}}`) ends, if `pos` is at one. */
function closingAt(src: string, pos: number): Lexed | undefined {
  if (src.startsWith('}}', pos)) return { end: pos + 2, trimAfter: false };
  if (isSpace(src.charAt(pos)) && src.startsWith('-}}', pos + 1))
    return { end: pos + 4, trimAfter: true };
  return undefined;
}

function lexComment(src: string, pos: number): Lexed {
  const close = src.indexOf('*/', pos + 2);
  if (close === -1) throw parseError(src, pos, 'unclosed comment');
  const closing = closingAt(src, close + 2);
  if (closing === undefined) throw parseError(src, pos, 'comment ends before closing delimiter');
  return closing;
}

function lexAction(src: string, pos: number): Lexed & { tokens: Token[] } {
  const tokens: Token[] = [];
  let i = pos;
  for (;;) {
    if (i >= src.length) throw parseError(src, i, 'unclosed action');
    const closing = closingAt(src, i);
    if (closing !== undefined) return { ...closing, tokens };
    if (isSpace(src.charAt(i))) {
      i++;
      continue;
    }
    const next = lexToken(src, i);
    tokens.push(next);
    i = next.end;
  }
}

function hasLeftTrim(src: string, open: number): boolean {
  return src.charAt(open + 2) === '-' && isSpace(src.charAt(open + 3));
}

export function lex(src: string): Chunk[] {
  const chunks: Chunk[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open === -1 ? src.length : open);
    if (trimNext) text = trimStart(text);
    if (open === -1) {
      if (text !== '') chunks.push({ kind: 'text', text });
      break;
    }
    const leftTrim = hasLeftTrim(src, open);
    if (leftTrim) text = trimEnd(text);
    if (text !== '') chunks.push({ kind: 'text', text });
    const start = open + (leftTrim ? 4 : 2);
    if (src.startsWith('/*', start)) {
      ({ end: i, trimAfter: trimNext } = lexComment(src, start));
      continue;
    }
    const action = lexAction(src, start);
    chunks.push({ kind: 'action', tokens: action.tokens, pos: open, end: action.end });
    ({ end: i, trimAfter: trimNext } = action);
  }
  return chunks;
}

/** The template parser: actions into pipelines and control nodes, with Go's error messages. */
import type { TemplateError } from './go-template-error.js';
import { builtin } from './go-template-functions.js';
import { type ActionChunk, type Chunk, lex, parseError, type Token } from './go-template-lexer.js';

export type Operand =
  | { type: 'dot' }
  | { type: 'literal'; value: unknown; text: string }
  | { type: 'variable'; name: string }
  | { type: 'function'; name: string }
  | {
      type: 'field';
      receiver: Operand | undefined;
      names: string[];
      /** Where Go's FieldNode is (a chain: its second field) and its text, for errors. */
      at?: { pos: number; source: string };
    }
  | { type: 'pipe'; pipe: Pipeline };

export interface Command {
  args: Operand[];
  pos: number;
  source: string;
}

export interface Pipeline {
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

export type Control = 'if' | 'with' | 'range';

export type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipeline }
  | { type: Control; pipe: Pipeline; body: Node[]; elseBody: Node[] }
  | { type: 'break' | 'continue' };

interface Parser {
  src: string;
  chunks: Chunk[];
  next: number;
  vars: string[];
  rangeDepth: number;
}

/** The tokens of one action, read left to right. */
interface Cursor {
  parser: Parser;
  tokens: Token[];
  i: number;
  /** Where the action ends, for errors at its end. */
  end: number;
}

type Stop =
  { kind: 'eof' } | { kind: 'end'; chunk: ActionChunk } | { kind: 'else'; chunk: ActionChunk };

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'break',
  'continue',
  'define',
  'template',
  'block',
]);

function describe(tok: Token): string {
  return tok.kind === 'identifier' && KEYWORDS.has(tok.text) ? `<${tok.text}>` : `"${tok.text}"`;
}

function peek(cursor: Cursor): Token | undefined {
  return cursor.tokens[cursor.i];
}

function fail(cursor: Cursor, message: string, tok = peek(cursor)): TemplateError {
  return parseError(cursor.parser.src, tok?.pos ?? cursor.end, message);
}

function expectEnd(cursor: Cursor, context: string): void {
  const tok = peek(cursor);
  if (tok === undefined) return;
  if (tok.kind === 'rightParen') throw fail(cursor, 'unexpected right paren');
  throw fail(cursor, `unexpected ${describe(tok)} in ${context}`);
}

function parseTerm(cursor: Cursor, tok: Token): Operand {
  const { parser } = cursor;
  switch (tok.kind) {
    case 'dot':
      return { type: 'dot' };
    case 'field': {
      const names = tok.text.slice(1).split('.');
      const pos = names.length > 1 ? tok.pos + 1 + (names[0] ?? '').length : tok.pos;
      return { type: 'field', receiver: undefined, names, at: { pos, source: tok.text } };
    }
    case 'variable':
      if (!parser.vars.includes(tok.text))
        throw fail(cursor, `undefined variable "${tok.text}"`, tok);
      return { type: 'variable', name: tok.text };
    case 'string':
    case 'number':
      return { type: 'literal', value: tok.value, text: tok.text };
    case 'leftParen': {
      const pipe = parsePipeline(cursor, 'parenthesized pipeline');
      if (peek(cursor)?.kind !== 'rightParen') throw fail(cursor, 'unclosed left paren', tok);
      cursor.i++;
      return { type: 'pipe', pipe };
    }
    case 'identifier':
      return parseIdentifier(cursor, tok);
    default:
      throw fail(cursor, `unexpected ${describe(tok)} in operand`, tok);
  }
}

function parseIdentifier(cursor: Cursor, tok: Token): Operand {
  switch (tok.text) {
    case 'true':
    case 'false':
      return { type: 'literal', value: tok.text === 'true', text: tok.text };
    case 'nil':
      return { type: 'literal', value: null, text: tok.text };
    default:
      if (KEYWORDS.has(tok.text)) throw fail(cursor, `unexpected ${describe(tok)} in operand`, tok);
      if (builtin(tok.text) === undefined)
        throw fail(cursor, `function "${tok.text}" not defined`, tok);
      return { type: 'function', name: tok.text };
  }
}

/** A term and any fields chained right after it: `$x.A`, `(index .M "k").B`. */
function parseOperand(cursor: Cursor): Operand {
  const tok = cursor.tokens[cursor.i++];
  if (tok === undefined) throw fail(cursor, 'unexpected EOF');
  let operand = parseTerm(cursor, tok);
  let end = cursor.tokens[cursor.i - 1]?.end ?? tok.end;
  for (let next = peek(cursor); next?.kind === 'field' && next.pos === end; next = peek(cursor)) {
    if (operand.type === 'literal' || operand.type === 'function') {
      throw fail(cursor, `unexpected . after term "${tok.text}"`, next);
    }
    operand = { type: 'field', receiver: operand, names: next.text.slice(1).split('.') };
    end = next.end;
    cursor.i++;
  }
  return operand;
}

function parseCommand(cursor: Cursor, context: string): Command {
  const start = peek(cursor);
  const args: Operand[] = [];
  for (let tok = peek(cursor); tok !== undefined; tok = peek(cursor)) {
    if (tok.kind === 'pipe' || tok.kind === 'rightParen') break;
    args.push(parseOperand(cursor));
  }
  if (start === undefined || args.length === 0) throw fail(cursor, `missing value for ${context}`);
  const last = cursor.tokens[cursor.i - 1];
  return {
    args,
    pos: start.pos,
    source: cursor.parser.src.slice(start.pos, last?.end ?? start.end),
  };
}

/** `$x :=`, `$x =` or, in range, `$i, $v :=` at the start of a pipeline. */
function parseDeclaration(cursor: Cursor, context: string): { decl: string[]; assign: boolean } {
  const names: string[] = [];
  let i = cursor.i;
  for (;;) {
    const variable = cursor.tokens[i];
    const next = cursor.tokens[i + 1];
    if (variable?.kind !== 'variable' || next === undefined) return { decl: [], assign: false };
    names.push(variable.text);
    if (next.kind === 'declare' || next.kind === 'assign') {
      if (names.length > 2 || (names.length > 1 && context !== 'range')) {
        throw fail(cursor, `too many declarations in ${context}`, variable);
      }
      const assign = next.kind === 'assign';
      for (const name of assign ? names : []) {
        if (!cursor.parser.vars.includes(name))
          throw fail(cursor, `undefined variable "${name}"`, variable);
      }
      cursor.i = i + 2;
      return { decl: names, assign };
    }
    if (next.kind !== 'comma') return { decl: [], assign: false };
    i += 2;
  }
}

function isExecutable(operand: Operand | undefined): boolean {
  return operand?.type === 'field' || operand?.type === 'function' || operand?.type === 'variable';
}

function parsePipeline(cursor: Cursor, context: string): Pipeline {
  const { decl, assign } = parseDeclaration(cursor, context);
  const cmds: Command[] = [];
  for (;;) {
    const cmd = parseCommand(
      cursor,
      context === 'range' || context === 'if' || context === 'with' ? context : 'command',
    );
    const first = cmd.args[0];
    if (cmds.length > 0 && !isExecutable(first) && first?.type !== 'pipe') {
      throw parseError(
        cursor.parser.src,
        cmd.pos,
        `non executable command in pipeline stage ${cmds.length + 1}`,
      );
    }
    if (first?.type === 'literal' && first.value === null)
      throw parseError(cursor.parser.src, cmd.pos, 'nil is not a command');
    cmds.push(cmd);
    if (peek(cursor)?.kind !== 'pipe') break;
    cursor.i++;
  }
  if (!assign) cursor.parser.vars.push(...decl);
  return { decl, assign, cmds };
}

function cursorAt(parser: Parser, chunk: ActionChunk, start: number): Cursor {
  return { parser, tokens: chunk.tokens, i: start, end: chunk.end };
}

function parseControl(parser: Parser, chunk: ActionChunk, keyword: Control, start: number): Node {
  const mark = parser.vars.length;
  const cursor = cursorAt(parser, chunk, start);
  if (peek(cursor) === undefined) throw fail(cursor, `missing value for ${keyword}`);
  const pipe = parsePipeline(cursor, keyword);
  expectEnd(cursor, keyword);
  if (keyword === 'range') parser.rangeDepth++;
  const body = parseList(parser);
  if (keyword === 'range') parser.rangeDepth--;
  const elseBody = body.stop.kind === 'else' ? parseElse(parser, body.stop.chunk, keyword) : [];
  if (body.stop.kind === 'eof') throw parseError(parser.src, parser.src.length, 'unexpected EOF');
  parser.vars.length = mark;
  return { type: keyword, pipe, body: body.nodes, elseBody };
}

/** After `{{else}}`: the else list up to `{{end}}`, or an `else if`/`else with` chain. */
function parseElse(parser: Parser, chunk: ActionChunk, keyword: Control): Node[] {
  const next = chunk.tokens[1];
  if (next !== undefined) {
    if (next.kind === 'identifier' && next.text === keyword && keyword !== 'range') {
      return [parseControl(parser, chunk, keyword, 2)];
    }
    throw parseError(parser.src, next.pos, `unexpected ${describe(next)} in else`);
  }
  const list = parseList(parser);
  if (list.stop.kind === 'eof') throw parseError(parser.src, parser.src.length, 'unexpected EOF');
  if (list.stop.kind === 'else')
    throw parseError(parser.src, list.stop.chunk.pos, 'expected end; found {{else}}');
  return list.nodes;
}

function isControl(word: string): word is Control {
  return word === 'if' || word === 'with' || word === 'range';
}

function isLoopJump(word: string): word is 'break' | 'continue' {
  return word === 'break' || word === 'continue';
}

/** An action that starts with a keyword: a control structure, or where a list stops. */
function parseKeyword(
  parser: Parser,
  chunk: ActionChunk,
  keyword: string,
): Node | Stop | undefined {
  const cursor = cursorAt(parser, chunk, 1);
  if (keyword === 'end') {
    expectEnd(cursor, 'end');
    return { kind: 'end', chunk };
  }
  if (keyword === 'else') return { kind: 'else', chunk };
  if (isControl(keyword)) return parseControl(parser, chunk, keyword, 1);
  if (isLoopJump(keyword)) {
    if (parser.rangeDepth === 0) {
      throw parseError(parser.src, chunk.pos, `{{${keyword}}} outside {{range}}`);
    }
    expectEnd(cursor, `{{${keyword}}}`);
    return { type: keyword };
  }
  if (keyword === 'define' || keyword === 'template' || keyword === 'block') {
    throw parseError(parser.src, chunk.pos, `{{${keyword}}} is not supported`);
  }
  return undefined;
}

function parseList(parser: Parser): { nodes: Node[]; stop: Stop } {
  const nodes: Node[] = [];
  for (
    let chunk = parser.chunks[parser.next];
    chunk !== undefined;
    chunk = parser.chunks[parser.next]
  ) {
    parser.next++;
    if (chunk.kind === 'text') {
      nodes.push({ type: 'text', text: chunk.text });
      continue;
    }
    const first = chunk.tokens[0];
    const keyword =
      first?.kind === 'identifier' ? parseKeyword(parser, chunk, first.text) : undefined;
    if (keyword !== undefined && 'kind' in keyword) return { nodes, stop: keyword };
    if (keyword !== undefined) {
      nodes.push(keyword);
      continue;
    }
    const cursor = cursorAt(parser, chunk, 0);
    const pipe = parsePipeline(cursor, 'command');
    expectEnd(cursor, 'command');
    nodes.push({ type: 'action', pipe });
  }
  return { nodes, stop: { kind: 'eof' } };
}

export function parse(src: string): Node[] {
  const parser: Parser = { src, chunks: lex(src), next: 0, vars: ['$'], rangeDepth: 0 };
  const { nodes, stop } = parseList(parser);
  if (stop.kind !== 'eof') throw parseError(src, stop.chunk.pos, `unexpected {{${stop.kind}}}`);
  return nodes;
}

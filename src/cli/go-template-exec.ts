/** The template executor: walks the parsed nodes against the data, as Go's text/template. */
import { errorMessage } from '../core/index.js';
import { TemplateError } from './go-template-error.js';
import {
  type Entry,
  fieldValue,
  formatValue,
  isMapLike,
  isNil,
  isTrue,
  sortedEntries,
} from './go-template-values.js';
import { builtin, type Builtin, HEADER_FUNCTIONS } from './go-template-functions.js';
import { lineAt } from './go-template-lexer.js';
import {
  type Command,
  type Control,
  type Node,
  type Operand,
  type Pipeline,
} from './go-template-parser.js';

interface State {
  src: string;
  vars: { name: string; value: unknown }[];
  out: string[];
  /** Rendering a table header: docker's HeaderFunctions replace some builtins. */
  header: boolean;
  /** Go's `missingkey=error`: a missing map key is an error, not `<no value>`. */
  strictKeys: boolean;
}

type Signal = 'break' | 'continue' | undefined;

/** An error evaluating a field, with where Go reports it (the field node, not the command). */
class FieldError extends Error {
  readonly at: { pos: number; source: string };
  constructor(at: { pos: number; source: string }, cause: unknown) {
    super(errorMessage(cause), { cause });
    this.name = 'FieldError';
    this.at = at;
  }
}

function execError(state: State, cmd: Command, err: unknown): TemplateError {
  if (err instanceof TemplateError) return err;
  const { pos, source } = err instanceof FieldError ? err.at : cmd;
  const line = lineAt(state.src, pos);
  const column = pos - (state.src.lastIndexOf('\n', pos - 1) + 1);
  return new TemplateError(
    `template: :${line}:${column}: executing "" at <${source}>: ${errorMessage(err)}`,
  );
}

function variable(state: State, name: string): unknown {
  for (let i = state.vars.length - 1; i >= 0; i--) {
    const entry = state.vars[i];
    if (entry?.name === name) return entry.value;
  }
  throw new Error(`undefined variable: ${name}`);
}

function assignVariable(state: State, name: string, value: unknown): void {
  const entry = state.vars.findLast((v) => v.name === name);
  if (entry === undefined) throw new Error(`undefined variable: ${name}`);
  entry.value = value;
}

function evalArg(state: State, dot: unknown, operand: Operand): unknown {
  switch (operand.type) {
    case 'dot':
      return dot;
    case 'literal':
      return operand.value;
    case 'variable':
      return variable(state, operand.name);
    case 'function':
      return callFunction(state, dot, operand.name, [], []);
    case 'field':
      return evalField(state, dot, operand, []);
    case 'pipe':
      return evalPipeline(state, dot, operand.pipe);
  }
}

function evalField(
  state: State,
  dot: unknown,
  field: Extract<Operand, { type: 'field' }>,
  args: unknown[],
): unknown {
  let value = field.receiver === undefined ? dot : evalArg(state, dot, field.receiver);
  try {
    field.names.forEach((name, i) => {
      value = fieldValue(value, name, i === field.names.length - 1 ? args : [], state.strictKeys);
    });
  } catch (err) {
    if (field.at === undefined || err instanceof TemplateError) throw err;
    throw new FieldError(field.at, err);
  }
  return value;
}

function shortCircuit(
  state: State,
  dot: unknown,
  name: string,
  operands: Operand[],
  piped: unknown[],
): unknown {
  const thunks = [
    ...operands.map((op) => () => evalArg(state, dot, op)),
    ...piped.map((v) => () => v),
  ];
  let value: unknown;
  for (const thunk of thunks) {
    value = thunk();
    if (isTrue(value) === (name === 'or')) return value;
  }
  return value;
}

function arityError(name: string, fn: Builtin, got: number): Error {
  const want = fn.min === fn.max ? `${fn.min}` : `at least ${fn.min}`;
  return new Error(`wrong number of args for ${name}: want ${want} got ${got}`);
}

function callFunction(
  state: State,
  dot: unknown,
  name: string,
  operands: Operand[],
  piped: unknown[],
): unknown {
  const override =
    state.header && Object.hasOwn(HEADER_FUNCTIONS, name) ? HEADER_FUNCTIONS[name] : undefined;
  const fn = override ?? builtin(name);
  if (fn === undefined) throw new Error(`function "${name}" not defined`);
  const count = operands.length + piped.length;
  if (count < fn.min || count > fn.max) throw arityError(name, fn, count);
  if (name === 'and' || name === 'or') return shortCircuit(state, dot, name, operands, piped);
  const args = [...operands.map((op) => evalArg(state, dot, op)), ...piped];
  try {
    return fn.call(args);
  } catch (err) {
    throw new Error(`error calling ${name}: ${errorMessage(err)}`, { cause: err });
  }
}

function evalCommand(state: State, dot: unknown, cmd: Command, piped: unknown[]): unknown {
  const [first, ...rest] = cmd.args;
  try {
    if (first?.type === 'function') return callFunction(state, dot, first.name, rest, piped);
    if (first?.type === 'field') {
      const args = rest.map((op) => evalArg(state, dot, op));
      return evalField(state, dot, first, [...args, ...piped]);
    }
    if (rest.length > 0 || piped.length > 0 || first === undefined) {
      throw new Error(`can't give argument to non-function ${cmd.source.split(/\s/)[0] ?? ''}`);
    }
    return evalArg(state, dot, first);
  } catch (err) {
    throw execError(state, cmd, err);
  }
}

/** Runs a pipeline's commands, each one's value passed as the next one's last argument. */
function evalCommands(state: State, dot: unknown, pipe: Pipeline): unknown {
  let piped: unknown[] = [];
  for (const cmd of pipe.cmds) piped = [evalCommand(state, dot, cmd, piped)];
  return piped[0];
}

function evalPipeline(state: State, dot: unknown, pipe: Pipeline): unknown {
  const value = evalCommands(state, dot, pipe);
  for (const name of pipe.decl) {
    if (pipe.assign) assignVariable(state, name, value);
    else state.vars.push({ name, value });
  }
  return value;
}

function walkList(state: State, dot: unknown, nodes: Node[]): Signal {
  for (const node of nodes) {
    const signal = walk(state, dot, node);
    if (signal !== undefined) return signal;
  }
  return undefined;
}

function walk(state: State, dot: unknown, node: Node): Signal {
  switch (node.type) {
    case 'text':
      state.out.push(node.text);
      return undefined;
    case 'action': {
      const value = evalPipeline(state, dot, node.pipe);
      if (node.pipe.decl.length === 0) state.out.push(formatValue(value, true));
      return undefined;
    }
    case 'if':
    case 'with':
      return walkIfOrWith(state, dot, node);
    case 'range':
      return walkRange(state, dot, node);
    case 'break':
    case 'continue':
      return node.type;
  }
}

function walkIfOrWith(state: State, dot: unknown, node: Extract<Node, { type: Control }>): Signal {
  const mark = state.vars.length;
  const value = evalPipeline(state, dot, node.pipe);
  const truth = isTrue(value);
  const scope = truth && node.type === 'with' ? value : dot;
  const signal = walkList(state, scope, truth ? node.body : node.elseBody);
  state.vars.length = mark;
  return signal;
}

/** What range visits: [index or key, element] pairs; maps in sorted key order. */
function rangeEntries(value: unknown): Entry[] {
  if (isNil(value)) return [];
  if (Array.isArray(value)) return value.map((item: unknown, i) => [i, item]);
  if (typeof value === 'number' && Number.isInteger(value)) {
    return Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
  }
  if (isMapLike(value)) return sortedEntries(value);
  throw new Error(`range can't iterate over ${formatValue(value)}`);
}

function walkRange(state: State, dot: unknown, node: Extract<Node, { type: Control }>): Signal {
  const value = evalCommands(state, dot, node.pipe);
  const first = node.pipe.cmds[0];
  let entries: Entry[] = [];
  try {
    entries = rangeEntries(value);
  } catch (err) {
    if (first === undefined) throw err;
    throw execError(state, first, err);
  }
  if (entries.length === 0) return walkList(state, dot, node.elseBody);
  const mark = state.vars.length;
  for (const [key, element] of entries) {
    const [keyName, valueName] = node.pipe.decl;
    if (valueName !== undefined && keyName !== undefined)
      state.vars.push({ name: keyName, value: key }, { name: valueName, value: element });
    else if (keyName !== undefined) state.vars.push({ name: keyName, value: element });
    const signal = walkList(state, element, node.body);
    state.vars.length = mark;
    if (signal === 'break') break;
  }
  return undefined;
}

/** Renders parsed `nodes` of `src` against `data`. Throws TemplateError when a call fails. */
export function execute(
  src: string,
  nodes: Node[],
  data: unknown,
  options: { header: boolean; strictKeys: boolean },
): string {
  const state: State = { src, vars: [{ name: '$', value: data }], out: [], ...options };
  walkList(state, data, nodes);
  return state.out.join('');
}

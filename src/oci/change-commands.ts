import { invalidArgument } from '../core/index.js';
import type { InstructionNode } from './dockerfile-parse.js';
import { parseGoDuration } from './go-duration.js';
import type { HealthConfig } from './image-config.js';

/**
 * The typed instructions of `--change` (buildkit's instructions.ParseCommand for the commit
 * subset), with buildkit's argument checks and messages. Values are not expanded yet.
 */
export type ChangeCommand =
  | { kind: 'env' | 'label'; pairs: { key: string; value: string }[] }
  | { kind: 'expose'; ports: string[] }
  | { kind: 'user' | 'workdir' | 'stopsignal'; value: string }
  | { kind: 'volume'; volumes: string[] }
  | { kind: 'cmd' | 'entrypoint'; cmdLine: string[] | null; prependShell: boolean }
  | { kind: 'healthcheck'; health: HealthConfig }
  | { kind: 'onbuild'; expression: string };

const fail = invalidArgument;

/** Parses one instruction node; the command must be one of the change commands. */
export function parseChangeCommand(node: InstructionNode): ChangeCommand {
  const name = node.command.toUpperCase();
  switch (name) {
    case 'ENV':
    case 'LABEL':
      parseFlags(node.flags, []);
      if (node.pairs.length === 0) throw fail(`${name} requires at least one argument`);
      if (node.pairs.some((p) => p.key === '')) throw fail(`${name} names can not be blank`);
      return { kind: name === 'ENV' ? 'env' : 'label', pairs: node.pairs };
    case 'EXPOSE':
      if (node.args.length === 0) throw fail('EXPOSE requires at least one argument');
      parseFlags(node.flags, []);
      return { kind: 'expose', ports: [...node.args].sort() };
    case 'USER':
    case 'WORKDIR':
      if (node.args.length !== 1) throw fail(`${name} requires exactly one argument`);
      parseFlags(node.flags, []);
      return { kind: name === 'USER' ? 'user' : 'workdir', value: node.args[0] ?? '' };
    case 'STOPSIGNAL':
      if (node.args.length !== 1) throw fail('STOPSIGNAL requires exactly one argument');
      return { kind: 'stopsignal', value: node.args[0] ?? '' };
    case 'VOLUME':
      return { kind: 'volume', volumes: parseVolumes(node) };
    case 'CMD':
    case 'ENTRYPOINT':
      return parseCmdLine(node, name);
    case 'HEALTHCHECK':
      return { kind: 'healthcheck', health: parseHealthcheck(node) };
    case 'ONBUILD':
      return { kind: 'onbuild', expression: parseOnBuild(node) };
    default:
      throw fail(`${node.command} is not a valid change command`);
  }
}

function parseVolumes(node: InstructionNode): string[] {
  if (node.args.length === 0) throw fail('VOLUME requires at least one argument');
  parseFlags(node.flags, []);
  return node.args.map((v) => {
    const trimmed = v.trim();
    if (trimmed === '') throw fail('VOLUME specified can not be an empty string');
    return trimmed;
  });
}

function parseCmdLine(node: InstructionNode, name: 'CMD' | 'ENTRYPOINT'): ChangeCommand {
  parseFlags(node.flags, []);
  let cmdLine: string[] | null = jsonOrShellArgs(node);
  if (name === 'ENTRYPOINT' && cmdLine.length === 0) cmdLine = null;
  return { kind: name === 'CMD' ? 'cmd' : 'entrypoint', cmdLine, prependShell: !node.json };
}

/** Exec form as given; shell form as one string. */
function jsonOrShellArgs(node: { args: string[]; json: boolean }): string[] {
  if (node.args.length === 0) return [];
  return node.json ? node.args : [node.args.join(' ')];
}

function parseOnBuild(node: InstructionNode): string {
  const [trigger] = node.args;
  if (trigger === undefined) throw fail('ONBUILD requires at least one argument');
  parseFlags(node.flags, []);
  const upper = trigger.trim().toUpperCase();
  if (upper === 'ONBUILD') throw fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (upper === 'MAINTAINER' || upper === 'FROM') {
    throw fail(`${upper} isn't allowed as an ONBUILD trigger`);
  }
  return node.original.replace(/^\s*ONBUILD\s*/i, '');
}

const HEALTH_FLAGS = ['interval', 'timeout', 'start-period', 'start-interval', 'retries'];

function parseHealthcheck(node: InstructionNode): HealthConfig {
  const [rawType, ...rest] = node.args;
  if (rawType === undefined) throw fail('HEALTHCHECK requires at least one argument');
  const type = rawType.toUpperCase();
  if (type === 'NONE') {
    if (rest.length !== 0) throw fail('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  const flags = parseFlags(node.flags, HEALTH_FLAGS);
  if (type !== 'CMD') throw fail(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  const cmd = jsonOrShellArgs({ args: rest, json: node.json });
  if (cmd.length === 0) throw fail('Missing command after HEALTHCHECK CMD');
  const health: HealthConfig = { Test: [node.json ? 'CMD' : 'CMD-SHELL', ...cmd] };
  const durations = [
    ['interval', 'Interval'],
    ['timeout', 'Timeout'],
    ['start-period', 'StartPeriod'],
    ['start-interval', 'StartInterval'],
  ] as const;
  for (const [flag, field] of durations) {
    const ns = optionalInterval(flag, flags.get(flag));
    if (ns !== 0) health[field] = ns;
  }
  const retries = flags.get('retries');
  if (retries !== undefined && retries !== '') {
    if (!/^[+-]?\d+$/.test(retries)) {
      throw fail(`strconv.ParseInt: parsing ${JSON.stringify(retries)}: invalid syntax`);
    }
    const n = Number.parseInt(retries, 10);
    if (n > 2 ** 31 - 1 || n < -(2 ** 31)) {
      throw fail(`strconv.ParseInt: parsing ${JSON.stringify(retries)}: value out of range`);
    }
    if (n < 0) throw fail(`--retries cannot be negative (${n})`);
    if (n !== 0) health.Retries = n;
  }
  return health;
}

const MILLISECOND = 1e6;

function optionalInterval(name: string, value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const ns = parseGoDuration(value);
  if (ns === 0) return 0;
  if (ns < MILLISECOND) throw fail(`Interval ${JSON.stringify(name)} cannot be less than 1ms`);
  return ns;
}

/**
 * buildkit's BFlags for string flags: `--name=value`; an unknown, repeated or valueless flag
 * is an error; `--` ends the flags.
 */
function parseFlags(words: string[], allowed: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const word of words) {
    if (word === '--') break;
    if (!word.startsWith('--')) throw fail(`arg should start with -- : ${word}`);
    const eq = word.indexOf('=');
    const flagName = eq === -1 ? word : word.slice(0, eq);
    const name = flagName.slice(2);
    if (!allowed.includes(name)) throw fail(`unknown flag: ${flagName}`);
    if (values.has(name)) throw fail(`duplicate flag specified: ${flagName}`);
    if (eq === -1) throw fail(`missing a value on flag: ${flagName}`);
    values.set(name, word.slice(eq + 1));
  }
  return values;
}

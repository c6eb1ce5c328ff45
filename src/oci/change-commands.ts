import { invalidArgument } from '../core/index.js';
import { type FlagType, parseInstructionFlags } from './dockerfile-flags.js';
import type { InstructionNode } from './dockerfile-line.js';
import { parseGoDuration } from './go-duration.js';
import type { HealthConfig } from './image-config.js';

/**
 * The typed instructions of `--change` (buildkit's instructions.ParseCommand for the commit
 * subset), with buildkit's argument checks and messages. Values are not expanded yet. The
 * Dockerfile builder shares them (dockerfile-instructions.ts).
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
const NO_FLAGS: Record<string, FlagType> = {};

/** Parses one instruction node; the command must be one of the change commands. */
export function parseChangeCommand(node: InstructionNode): ChangeCommand {
  const name = node.command.toUpperCase();
  switch (name) {
    case 'ENV':
    case 'LABEL':
      parseInstructionFlags(node.flags, NO_FLAGS);
      if (node.pairs.length === 0) throw fail(`${name} requires at least one argument`);
      if (node.pairs.some((p) => p.key === '')) throw fail(`${name} names can not be blank`);
      return { kind: name === 'ENV' ? 'env' : 'label', pairs: node.pairs };
    case 'EXPOSE':
      if (node.args.length === 0) throw fail('EXPOSE requires at least one argument');
      parseInstructionFlags(node.flags, NO_FLAGS);
      return { kind: 'expose', ports: [...node.args].sort() };
    case 'USER':
    case 'WORKDIR':
      if (node.args.length !== 1) throw fail(`${name} requires exactly one argument`);
      parseInstructionFlags(node.flags, NO_FLAGS);
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

/** Variable expansion for instruction fields (shell-word with the build's env). */
export interface WordExpander {
  /** One word to one string (ProcessWord). */
  word(word: string): string;
  /** One word to words split on unquoted whitespace (ProcessWords; EXPOSE only). */
  words(word: string): string[];
}

/**
 * Expands the fields Docker expands before running a change command: ENV and LABEL keys and
 * values, EXPOSE ports (to several words), USER, WORKDIR, STOPSIGNAL and VOLUME. CMD,
 * ENTRYPOINT, HEALTHCHECK and ONBUILD are returned as they are.
 */
export function expandChangeCommand(command: ChangeCommand, expand: WordExpander): ChangeCommand {
  switch (command.kind) {
    case 'env':
    case 'label':
      return {
        kind: command.kind,
        pairs: command.pairs.map((p) => ({ key: expand.word(p.key), value: expand.word(p.value) })),
      };
    case 'expose':
      return { kind: 'expose', ports: command.ports.flatMap((p) => expand.words(p)) };
    case 'user':
    case 'workdir':
    case 'stopsignal':
      return { kind: command.kind, value: expand.word(command.value) };
    case 'volume':
      return { kind: 'volume', volumes: command.volumes.map((v) => expand.word(v)) };
    default:
      return command;
  }
}

function parseVolumes(node: InstructionNode): string[] {
  if (node.args.length === 0) throw fail('VOLUME requires at least one argument');
  parseInstructionFlags(node.flags, NO_FLAGS);
  return node.args.map((v) => {
    const trimmed = v.trim();
    if (trimmed === '') throw fail('VOLUME specified can not be an empty string');
    return trimmed;
  });
}

function parseCmdLine(node: InstructionNode, name: 'CMD' | 'ENTRYPOINT'): ChangeCommand {
  parseInstructionFlags(node.flags, NO_FLAGS);
  let cmdLine: string[] | null = commandLine(node);
  if (name === 'ENTRYPOINT' && cmdLine.length === 0) cmdLine = null;
  return { kind: name === 'CMD' ? 'cmd' : 'entrypoint', cmdLine, prependShell: !node.json };
}

/** A CMD/ENTRYPOINT/RUN/HEALTHCHECK command: exec form as given, shell form as one string. */
export function commandLine(node: { args: string[]; json: boolean }): string[] {
  if (node.args.length === 0) return [];
  return node.json ? node.args : [node.args.join(' ')];
}

function parseOnBuild(node: InstructionNode): string {
  const [trigger] = node.args;
  if (trigger === undefined) throw fail('ONBUILD requires at least one argument');
  parseInstructionFlags(node.flags, NO_FLAGS);
  const upper = trigger.trim().toUpperCase();
  if (upper === 'ONBUILD') throw fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (upper === 'MAINTAINER' || upper === 'FROM') {
    throw fail(`${upper} isn't allowed as an ONBUILD trigger`);
  }
  return node.original.replace(/^\s*ONBUILD\s*/i, '');
}

const HEALTH_FLAGS: Record<string, FlagType> = {
  interval: 'string',
  timeout: 'string',
  'start-period': 'string',
  'start-interval': 'string',
  retries: 'string',
};

function parseHealthcheck(node: InstructionNode): HealthConfig {
  const [rawType, ...rest] = node.args;
  if (rawType === undefined) throw fail('HEALTHCHECK requires at least one argument');
  const type = rawType.toUpperCase();
  if (type === 'NONE') {
    if (rest.length !== 0) throw fail('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  const flags = parseInstructionFlags(node.flags, HEALTH_FLAGS);
  if (type !== 'CMD') throw fail(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  const cmd = commandLine({ args: rest, json: node.json });
  if (cmd.length === 0) throw fail('Missing command after HEALTHCHECK CMD');
  const health: HealthConfig = { Test: [node.json ? 'CMD' : 'CMD-SHELL', ...cmd] };
  const durations = [
    ['interval', 'Interval'],
    ['timeout', 'Timeout'],
    ['start-period', 'StartPeriod'],
    ['start-interval', 'StartInterval'],
  ] as const;
  for (const [flag, field] of durations) {
    const ns = optionalInterval(flag, flags.value(flag));
    if (ns !== 0) health[field] = ns;
  }
  const retries = flags.value('retries');
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

import { invalidArgument, isMoorError } from '../core/index.js';
import {
  type ChangeCommand,
  commandLine,
  expandChangeCommand,
  parseChangeCommand,
  type WordExpander,
} from './change-commands.js';
import { type FlagType, type InstructionFlags, parseInstructionFlags } from './dockerfile-flags.js';
import type { InstructionNode } from './dockerfile-line.js';
import type { ParsedDockerfile } from './dockerfile-parse.js';
import { withSuggestion } from './suggest.js';

export type { WordExpander } from './change-commands.js';

/**
 * The typed Dockerfile instructions (buildkit's instructions package, as the legacy builder
 * uses it): argument checks with Docker's messages, flags parsed, values not yet expanded.
 * `original` is the instruction as written (continuation lines joined, trimmed): the text of
 * `Step N/M : <original>` and of the build cache key. `line` is the 1-based line it starts on.
 */
interface Source {
  original: string;
  line: number;
}

/** ENV, LABEL, EXPOSE, USER, WORKDIR, STOPSIGNAL, VOLUME, CMD, ENTRYPOINT, HEALTHCHECK, ONBUILD. */
export type ChangeInstruction = ChangeCommand & Source;

export interface RunInstruction extends Source {
  kind: 'run';
  /** Exec form as given; shell form as one string (to run under the SHELL). */
  cmdLine: string[];
  prependShell: boolean;
  /** `--mount`, `--network`, `--device` values as written (the legacy builder refuses them). */
  mounts: string[];
  network: string | undefined;
  devices: string[];
  /** Flags given, in order (`mount`, `network`, `device`). */
  flagsUsed: string[];
}

interface CopyFields extends Source {
  sources: string[];
  dest: string;
  /** `--chown`, `--chmod` values; undefined when not given (or given empty). */
  chown: string | undefined;
  chmod: string | undefined;
  link: boolean;
  exclude: string[];
}

export interface CopyInstruction extends CopyFields {
  kind: 'copy';
  /** `--from`: a stage name or index, or an image; not expanded. */
  from: string | undefined;
}

export interface AddInstruction extends CopyFields {
  kind: 'add';
  checksum: string | undefined;
  /** `--keep-git-dir` and `--unpack` when given. */
  keepGitDir: boolean | undefined;
  unpack: boolean | undefined;
}

export interface ArgInstruction extends Source {
  kind: 'arg';
  /** `ARG a b=1`: names with their defaults (undefined without `=`), quotes kept. */
  args: { key: string; value: string | undefined }[];
}

export interface ShellInstruction extends Source {
  kind: 'shell';
  shell: string[];
}

export interface MaintainerInstruction extends Source {
  kind: 'maintainer';
  value: string;
}

/** Every instruction that may appear inside a build stage. */
export type Instruction =
  | ChangeInstruction
  | RunInstruction
  | CopyInstruction
  | AddInstruction
  | ArgInstruction
  | ShellInstruction
  | MaintainerInstruction;

/** `FROM [--platform=p] image [AS name]`; the stage name is lower-cased. */
export interface FromInstruction extends Source {
  kind: 'from';
  baseName: string;
  name: string | undefined;
  platform: string | undefined;
}

/** One build stage: its FROM line and the instructions up to the next FROM. */
export interface Stage {
  name: string | undefined;
  /** The base image as written (expand it with the meta args, see expandFrom). */
  baseName: string;
  platform: string | undefined;
  /** 0-based position among the stages (`COPY --from=0`). */
  index: number;
  instructions: Instruction[];
  /** The FROM line as written. */
  original: string;
  line: number;
}

const INSTRUCTIONS = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
];
const CHANGE_INSTRUCTIONS = new Set(
  'CMD ENTRYPOINT ENV EXPOSE HEALTHCHECK LABEL ONBUILD STOPSIGNAL USER VOLUME WORKDIR'.split(' '),
);
const NO_FLAGS: Record<string, FlagType> = {};
const fail = invalidArgument;

/**
 * Types one instruction node. Throws InvalidArgument with Docker's messages, unprefixed:
 * `unknown instruction: FOO` (with a "did you mean" hint), `FROM requires either one or three
 * arguments`, `COPY requires at least two arguments, ...`, `unknown flag: --x`, ...
 */
export function parseInstruction(node: InstructionNode): Instruction | FromInstruction {
  const name = node.command.toUpperCase();
  const source: Source = { original: node.original.trim(), line: node.line };
  if (CHANGE_INSTRUCTIONS.has(name)) return { ...parseChangeCommand(node), ...source };
  switch (name) {
    case 'FROM':
      return { ...parseFrom(node), ...source };
    case 'RUN':
      return { ...parseRun(node), ...source };
    case 'ADD':
    case 'COPY':
      return { ...parseAddOrCopy(node, name), ...source };
    case 'ARG':
      return { ...parseArg(node), ...source };
    case 'SHELL':
      return { ...parseShell(node), ...source };
    case 'MAINTAINER':
      if (node.args.length !== 1) throw fail('MAINTAINER requires exactly one argument');
      parseInstructionFlags(node.flags, NO_FLAGS);
      return { kind: 'maintainer', value: node.args[0] ?? '', ...source };
    default:
      throw fail(
        withSuggestion(`unknown instruction: ${node.command}`, node.command, INSTRUCTIONS, false),
      );
  }
}

type Body<T> = Omit<T, keyof Source>;

const STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

function parseFrom(node: InstructionNode): Body<FromInstruction> {
  const { args } = node;
  let name: string | undefined;
  if (args.length === 3 && args[1]?.toLowerCase() === 'as') {
    name = (args[2] ?? '').toLowerCase();
    if (!STAGE_NAME.test(name)) {
      throw fail(
        `invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`,
      );
    }
  } else if (args.length !== 1) {
    throw fail('FROM requires either one or three arguments');
  }
  const flags = parseInstructionFlags(node.flags, { platform: 'string' });
  return {
    kind: 'from',
    baseName: args[0] ?? '',
    name,
    platform: nonEmpty(flags.value('platform')),
  };
}

const RUN_FLAGS: Record<string, FlagType> = {
  mount: 'strings',
  network: 'string',
  device: 'strings',
};
const NETWORK_MODES = new Set(['default', 'none', 'host']);

function parseRun(node: InstructionNode): Body<RunInstruction> {
  const flags = parseInstructionFlags(node.flags, RUN_FLAGS);
  const network = flags.value('network');
  if (network !== undefined && !NETWORK_MODES.has(network)) {
    throw fail(`invalid network mode ${JSON.stringify(network)}`);
  }
  return {
    kind: 'run',
    cmdLine: commandLine(node),
    prependShell: !node.json,
    mounts: flags.values('mount'),
    network,
    devices: flags.values('device'),
    flagsUsed: flags.used,
  };
}

const COPY_FLAGS: Record<string, FlagType> = {
  chown: 'string',
  from: 'string',
  chmod: 'string',
  link: 'bool',
  exclude: 'strings',
};
const ADD_FLAGS: Record<string, FlagType> = {
  chown: 'string',
  chmod: 'string',
  link: 'bool',
  'keep-git-dir': 'bool',
  checksum: 'string',
  unpack: 'bool',
  exclude: 'strings',
};

function parseAddOrCopy(
  node: InstructionNode,
  name: 'ADD' | 'COPY',
): Body<AddInstruction> | Body<CopyInstruction> {
  if (node.args.length < 2) {
    throw fail(
      `${name} requires at least two arguments, but only one was provided. Destination could not be determined`,
    );
  }
  const flags = parseInstructionFlags(node.flags, name === 'ADD' ? ADD_FLAGS : COPY_FLAGS);
  const fields = {
    sources: node.args.slice(0, -1),
    dest: node.args[node.args.length - 1] ?? '',
    chown: nonEmpty(flags.value('chown')),
    chmod: nonEmpty(flags.value('chmod')),
    link: flags.isTrue('link'),
    exclude: flags.values('exclude'),
  };
  if (name === 'COPY') return { kind: 'copy', ...fields, from: nonEmpty(flags.value('from')) };
  return {
    kind: 'add',
    ...fields,
    checksum: nonEmpty(flags.value('checksum')),
    keepGitDir: optionalBool(flags, 'keep-git-dir'),
    unpack: optionalBool(flags, 'unpack'),
  };
}

function parseArg(node: InstructionNode): Body<ArgInstruction> {
  if (node.args.length === 0) throw fail('ARG requires at least one argument');
  const args = node.args.map((word) => {
    const eq = word.indexOf('=');
    if (eq === -1) return { key: word, value: undefined };
    if (eq === 0) throw fail('ARG names can not be blank');
    return { key: word.slice(0, eq), value: word.slice(eq + 1) };
  });
  return { kind: 'arg', args };
}

function parseShell(node: InstructionNode): Body<ShellInstruction> {
  parseInstructionFlags(node.flags, NO_FLAGS);
  const shell = commandLine(node);
  if (shell.length === 0) throw fail('SHELL requires at least one argument');
  if (!node.json) throw fail('SHELL requires the arguments to be in JSON form');
  return { kind: 'shell', shell };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function optionalBool(flags: InstructionFlags, name: string): boolean | undefined {
  return flags.used.includes(name) ? flags.isTrue(name) : undefined;
}

/**
 * Splits a parsed Dockerfile into its meta args (ARG before the first FROM) and its stages.
 * Throws InvalidArgument with Docker's messages: `dockerfile parse error on line N: <error>`
 * for an instruction that does not parse, `no build stage in current context` for an
 * instruction other than ARG before the first FROM, `<name> stage name already used`.
 */
export function parseStages(parsed: ParsedDockerfile): {
  metaArgs: ArgInstruction[];
  stages: Stage[];
} {
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const node of parsed.nodes) {
    const instruction = parseNode(node);
    const current = stages[stages.length - 1];
    if (instruction.kind === 'from') {
      stages.push(newStage(instruction, stages));
    } else if (current !== undefined) {
      current.instructions.push(instruction);
    } else if (instruction.kind === 'arg') {
      metaArgs.push(instruction);
    } else {
      throw fail('no build stage in current context');
    }
  }
  return { metaArgs, stages };
}

function parseNode(node: InstructionNode): Instruction | FromInstruction {
  try {
    return parseInstruction(node);
  } catch (err) {
    if (isMoorError(err, 'InvalidArgument')) {
      throw fail(`dockerfile parse error on line ${node.line}: ${err.message}`, err);
    }
    throw err;
  }
}

function newStage(from: FromInstruction, stages: readonly Stage[]): Stage {
  const { name } = from;
  if (name !== undefined && stages.some((s) => s.name === name)) {
    throw fail(`${name} stage name already used`);
  }
  return {
    name,
    baseName: from.baseName,
    platform: from.platform,
    index: stages.length,
    instructions: [],
    original: from.original,
    line: from.line,
  };
}

/**
 * Applies variable expansion to the fields Docker expands before running an instruction: ENV
 * and LABEL keys and values, EXPOSE ports (to several words), USER, WORKDIR, STOPSIGNAL, VOLUME,
 * ARG names and defaults, ADD/COPY sources, destination, `--chown`, `--chmod` and ADD's
 * `--checksum`. RUN, CMD, ENTRYPOINT, HEALTHCHECK, SHELL, ONBUILD, MAINTAINER and COPY's
 * `--from` stay as written. Returns a new instruction; expansion errors propagate.
 */
export function expandInstruction(instr: Instruction, expand: WordExpander): Instruction {
  const word = (w: string) => expand.word(w);
  const optional = (w: string | undefined) => (w === undefined ? undefined : word(w));
  switch (instr.kind) {
    case 'arg':
      return {
        ...instr,
        args: instr.args.map((a) => ({ key: word(a.key), value: optional(a.value) })),
      };
    case 'add':
    case 'copy': {
      const common = { sources: instr.sources.map(word), dest: word(instr.dest) };
      const owner = { chown: optional(instr.chown), chmod: optional(instr.chmod) };
      if (instr.kind === 'copy') return { ...instr, ...common, ...owner };
      return { ...instr, ...common, ...owner, checksum: optional(instr.checksum) };
    }
    case 'run':
    case 'shell':
    case 'maintainer':
      return instr;
    default:
      return { ...expandChangeCommand(instr, expand), original: instr.original, line: instr.line };
  }
}

/**
 * Expands a stage's base image and platform with the meta args (as Docker does for FROM).
 * Throws InvalidArgument `base name (<as written>) should not be blank` when the name
 * expands to nothing.
 */
export function expandFrom(
  stage: Pick<Stage, 'baseName' | 'platform'>,
  expand: Pick<WordExpander, 'word'>,
): { baseName: string; platform: string | undefined } {
  const baseName = expand.word(stage.baseName);
  if (baseName === '') throw fail(`base name (${stage.baseName}) should not be blank`);
  const platform = stage.platform === undefined ? undefined : expand.word(stage.platform);
  return { baseName, platform };
}

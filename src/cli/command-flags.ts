import {
  type FlagSpec,
  type ParseOptions,
  type ParsedFlags,
  errorMessage,
  flagBool,
  formatFlagHelp,
  parseFlags,
} from '../core/index.js';
import { type CliContext, type Command, UsageError } from './context.js';

export const HELP_FLAG: FlagSpec = { name: 'help', type: 'bool', help: 'Print usage' };

/** Parses a command's flags; a bad flag becomes a UsageError (docker's exit code 125). */
export function parseCommandFlags(
  specs: FlagSpec[],
  argv: string[],
  options?: ParseOptions,
): ParsedFlags {
  try {
    return parseFlags([...specs, HELP_FLAG], argv, options);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

export function commandHelp(usage: string, summary: string, specs: FlagSpec[]): string {
  return `\nUsage:  ${usage}\n\n${summary}\n\nOptions:\n${formatFlagHelp(specs)}\n`;
}

/** docker's `--format` help for list commands, on one line. */
export const FORMAT_HELP =
  "Format output using a custom template: 'table' (default), 'table TEMPLATE', 'json' or a Go template";

/**
 * Parses a command's flags; prints its help and returns undefined for `--help`. Commands call it
 * first: `const flags = parseOrHelp(ctx, this, FLAGS, argv); if (!flags) return 0;`.
 */
export function parseOrHelp(
  ctx: CliContext,
  command: Command,
  specs: FlagSpec[],
  argv: string[],
  options?: ParseOptions,
): ParsedFlags | undefined {
  const flags = parseCommandFlags(specs, argv, options);
  if (flagBool(flags, 'help')) {
    ctx.stdout.write(commandHelp(command.usage, command.summary, specs));
    return undefined;
  }
  return flags;
}

function plural(count: number): string {
  return count === 1 ? 'argument' : 'arguments';
}

/**
 * docker's positional-argument checks (cli.NoArgs, ExactArgs, RequiresMinArgs,
 * RequiresMaxArgs, RequiresRangeArgs): the error names the command and shows its usage; docker
 * exits 1 with it.
 */
export function checkArgs(command: Command, args: string[], min: number, max = Infinity): void {
  if (args.length >= min && args.length <= max) return;
  const path = `moor ${command.name}`;
  let problem: string;
  let hint = 'Run';
  if (max === 0) problem = 'accepts no arguments';
  else if (min === max) problem = `requires ${min} ${plural(min)}`;
  else if (max === Infinity) {
    problem = `requires at least ${min} ${plural(min)}`;
    hint = 'See';
  } else if (min === 0) problem = `requires at most ${max} ${plural(max)}`;
  else problem = `requires at least ${min} and at most ${max} ${plural(max)}`;
  throw new Error(
    `moor: '${path}' ${problem}\n\nUsage:  ${command.usage}\n\n${hint} '${path} --help' for more information`,
  );
}

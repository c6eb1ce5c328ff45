import {
  type FlagSpec,
  type ParseOptions,
  type ParsedFlags,
  errorMessage,
  flagBool,
  parseFlags,
} from '../core/index.js';
import { type CliContext, type Command, UsageError, isTerminal } from './context.js';
import { helpPage } from './help-text.js';

export const HELP_FLAG: FlagSpec = { name: 'help', type: 'bool', help: 'Print usage' };

/** Parses a command's flags; a bad flag becomes a UsageError (docker's exit code 125). */
export function parseCommandFlags(
  specs: FlagSpec[],
  argv: string[],
  options?: ParseOptions,
): ParsedFlags {
  try {
    const all = specs.some((spec) => spec.name === 'help') ? specs : [...specs, HELP_FLAG];
    return parseFlags(all, argv, options);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

/**
 * A command's help page; `columns` is the width to wrap to (docker: stdin's terminal, else 80).
 */
export function commandHelp(
  usage: string,
  summary: string,
  specs: FlagSpec[],
  options: { aliases?: readonly string[]; columns?: number } = {},
): string {
  const page = { usage, summary, flags: specs, aliases: options.aliases };
  return helpPage(page, options.columns ?? 80);
}

/**
 * The width docker wraps help to: the terminal's when stdin is one (read from whichever output
 * is that terminal, as Node gives sizes only for outputs), else 80.
 */
export function helpColumns(ctx: CliContext): number {
  if (!isTerminal(ctx.stdin)) return 80;
  for (const out of [ctx.stdout, ctx.stderr]) {
    const columns = (out as { columns?: number }).columns;
    if (isTerminal(out) && columns !== undefined && columns > 0) return columns;
  }
  return 80;
}

const FORMATTING_DOCS =
  'Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates';

/** docker's `--format` help for list commands (its lines stay lines in the help page). */
export const FORMAT_HELP = [
  'Format output using a custom template:',
  "'table':            Print output in table format with column headers (default)",
  "'table TEMPLATE':   Print output in table format using the given Go template",
  "'json':             Print in JSON format",
  "'TEMPLATE':         Print output using the given Go template.",
  FORMATTING_DOCS,
].join('\n');

/** docker's `--format` help for inspect commands. */
export const INSPECT_FORMAT_HELP = [
  'Format output using a custom template:',
  "'json':             Print in JSON format",
  "'TEMPLATE':         Print output using the given Go template.",
  FORMATTING_DOCS,
].join('\n');

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
    const options = { aliases: command.aliases, columns: helpColumns(ctx) };
    ctx.stdout.write(
      commandHelp(command.usage, command.description ?? command.summary, specs, options),
    );
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
  } else if (min === 0) {
    problem = `requires at most ${max} ${plural(max)}`;
    // docker 28's cli.RequiresMaxArgs has this typo in its message.
    hint = 'SRun';
  } else problem = `requires at least ${min} and at most ${max} ${plural(max)}`;
  throw new Error(
    `moor: '${path}' ${problem}\n\nUsage:  ${command.usage}\n\n${hint} '${path} --help' for more information`,
  );
}

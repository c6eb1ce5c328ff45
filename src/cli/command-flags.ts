import {
  type FlagSpec,
  type ParseOptions,
  type ParsedFlags,
  errorMessage,
  formatFlagHelp,
  parseFlags,
} from '../core/index.js';
import { UsageError } from './context.js';

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

import { invalidArgument } from '../core/index.js';
import { withSuggestion } from './suggest.js';

/** How an instruction flag takes its value: `--x=v`, `--x` / `--x=true|false`, or repeatable. */
export type FlagType = 'string' | 'bool' | 'strings';

/** The flags of one instruction, as given. */
export interface InstructionFlags {
  /** A string flag's value, or a bool flag's `true`/`false`; undefined when not given. */
  value(name: string): string | undefined;
  /** Every value of a repeatable flag, in order. */
  values(name: string): string[];
  /** True when a bool flag was given and not set to false. */
  isTrue(name: string): boolean;
  /** Names of the flags given, in order of first use. */
  used: string[];
}

/**
 * Parses an instruction's `--name=value` words against the flags it accepts, with Docker's
 * messages: `unknown flag: --x` (with a "did you mean" hint), `duplicate flag specified: --x`
 * (repeatable flags excepted), `missing a value on flag: --x`, `expecting boolean value for
 * flag --x, not: v`, `arg should start with -- : x`. A `--` word ends the flags.
 */
export function parseInstructionFlags(
  words: readonly string[],
  accepted: Readonly<Record<string, FlagType>>,
): InstructionFlags {
  const single = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const used: string[] = [];
  for (const word of words) {
    if (word === '--') break;
    if (!word.startsWith('--')) throw invalidArgument(`arg should start with -- : ${word}`);
    const eq = word.indexOf('=');
    const flagName = eq === -1 ? word : word.slice(0, eq);
    const value = eq === -1 ? undefined : word.slice(eq + 1);
    const name = flagName.slice(2);
    const type = Object.hasOwn(accepted, name) ? accepted[name] : undefined;
    if (type === undefined) {
      const names = Object.keys(accepted);
      throw invalidArgument(withSuggestion(`unknown flag: ${flagName}`, name, names, true));
    }
    if (used.includes(name) && type !== 'strings') {
      throw invalidArgument(`duplicate flag specified: ${flagName}`);
    }
    if (!used.includes(name)) used.push(name);
    if (type === 'bool') single.set(name, boolValue(flagName, value));
    else if (value === undefined) throw invalidArgument(`missing a value on flag: ${flagName}`);
    else if (type === 'string') single.set(name, value);
    else lists.set(name, [...(lists.get(name) ?? []), value]);
  }
  return {
    value: (name) => single.get(name),
    values: (name) => lists.get(name) ?? [],
    isTrue: (name) => single.get(name) === 'true',
    used,
  };
}

function boolValue(flagName: string, value: string | undefined): string {
  if (value === '') throw invalidArgument(`missing a value on flag: ${flagName}`);
  const lower = (value ?? '').toLowerCase();
  if (lower === 'true' || lower === '') return 'true';
  if (lower === 'false') return 'false';
  throw invalidArgument(`expecting boolean value for flag ${flagName}, not: ${value ?? ''}`);
}

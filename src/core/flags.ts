import { invalidArgument } from './errors.js';

/**
 * Command-line flags with the semantics of Go's pflag, which docker and dockerd use:
 * `--name value`, `--name=value`, `-n value`, `-nvalue`, grouped booleans (`-it`),
 * `--bool=false`, `--` to end flags. Shared by moord and the moor CLI.
 */
export type FlagType = 'bool' | 'string' | 'list';

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  /** Shown in help; `value` names the argument (`--data-root string`). */
  help?: string;
  value?: string;
  default?: string | boolean | string[];
  hidden?: boolean;
}

export type FlagValue = string | boolean | string[];

export interface ParsedFlags {
  /** Values of flags given, and defaults of the others that have one. */
  values: Map<string, FlagValue>;
  /** Names of flags given on the command line, in order of first use. */
  given: Set<string>;
  /** Positional arguments (and everything after the first one, with `interspersed: false`). */
  args: string[];
}

export interface ParseOptions {
  /** When false (docker run IMAGE CMD...), flags stop at the first positional argument. */
  interspersed?: boolean;
}

function parseBool(name: string, value: string): boolean {
  if (/^(1|t|true|TRUE|True)$/.test(value)) return true;
  if (/^(0|f|false|FALSE|False)$/.test(value)) return false;
  throw invalidArgument(
    `invalid argument "${value}" for "--${name}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
  );
}

export function parseFlags(
  specs: FlagSpec[],
  argv: string[],
  options: ParseOptions = {},
): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const values = new Map<string, FlagValue>();
  const given = new Set<string>();
  const args: string[] = [];
  const interspersed = options.interspersed ?? true;

  const set = (spec: FlagSpec, value: string | boolean): void => {
    let stored: FlagValue;
    if (spec.type === 'bool')
      stored = typeof value === 'boolean' ? value : parseBool(spec.name, value);
    else if (spec.type === 'list') {
      const previous = given.has(spec.name) ? (values.get(spec.name) as string[]) : [];
      stored = [...previous, String(value)];
    } else stored = String(value);
    values.set(spec.name, stored);
    given.add(spec.name);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) throw invalidArgument(`unknown flag: --${name}`);
      if (eq !== -1) set(spec, arg.slice(eq + 1));
      else if (spec.type === 'bool') set(spec, true);
      else {
        if (i + 1 >= argv.length) throw invalidArgument(`flag needs an argument: --${name}`);
        set(spec, argv[++i] as string);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const short = arg[j] as string;
        const spec = byShort.get(short);
        if (!spec) throw invalidArgument(`unknown shorthand flag: '${short}' in ${arg}`);
        if (spec.type === 'bool') {
          if (arg[j + 1] === '=') {
            set(spec, arg.slice(j + 2));
            break;
          }
          set(spec, true);
          continue;
        }
        let value = arg.slice(j + 1);
        if (value.startsWith('=')) value = value.slice(1);
        if (value === '') {
          if (i + 1 >= argv.length) {
            throw invalidArgument(`flag needs an argument: '${short}' in -${short}`);
          }
          value = argv[++i] as string;
        }
        set(spec, value);
        break;
      }
      continue;
    }
    if (!interspersed) {
      args.push(...argv.slice(i));
      break;
    }
    args.push(arg);
  }

  for (const spec of specs) {
    if (!values.has(spec.name) && spec.default !== undefined) values.set(spec.name, spec.default);
  }
  return { values, given, args };
}

/** Typed readers over ParsedFlags. */
export function flagString(flags: ParsedFlags, name: string): string | undefined {
  const v = flags.values.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(flags: ParsedFlags, name: string): boolean {
  return flags.values.get(name) === true;
}

export function flagList(flags: ParsedFlags, name: string): string[] {
  const v = flags.values.get(name);
  return Array.isArray(v) ? v : [];
}

/** Help text lines in docker's style: `  -H, --host list   Daemon socket(s) to connect to`. */
export function formatFlagHelp(specs: FlagSpec[]): string {
  const rows = specs
    .filter((s) => !s.hidden)
    .map((s) => {
      const names = (s.short ? `-${s.short}, ` : '    ') + `--${s.name}`;
      const value =
        s.type === 'bool' ? '' : ` ${s.value ?? (s.type === 'list' ? 'list' : 'string')}`;
      return [names + value, s.help ?? ''] as const;
    });
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, help]) => `  ${left.padEnd(width)}   ${help}`.trimEnd()).join('\n');
}

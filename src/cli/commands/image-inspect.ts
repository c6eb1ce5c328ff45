import { escapePath } from '../../client/index.js';
import { type FlagSpec, flagBool, flagString } from '../../core/index.js';
import { INSPECT_FORMAT_HELP, checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import { errorText, isApiStatus } from '../error-text.js';
import { TemplateError, compileTemplate, type Renderer } from '../go-template.js';
import { inspectContainer } from '../inspect-container.js';
import { compactJson, indentJson } from '../json-text.js';
import { fetchInspected } from '../inspect-fetch.js';
import { typedVolume } from '../inspect-types.js';

const FORMAT_FLAG: FlagSpec = {
  name: 'format',
  short: 'f',
  type: 'string',
  help: INSPECT_FORMAT_HELP,
};

/** One inspected object: as the daemon sent it, and parsed for templates. */
export interface Inspected {
  raw: string;
  value: unknown;
  /** The value as docker's Go type prints it (inspect-types.ts), where moor models it. */
  typed?: unknown;
  /**
   * docker's lookup has no raw JSON (`volume inspect`): a template that fails on the typed
   * value is an error, with no second try on the JSON.
   */
  typedOnly?: boolean;
}

/** GET /images/{name}/json. */
export async function inspectImage(ctx: CliContext, name: string): Promise<Inspected> {
  // docker's client refuses an empty name without asking the daemon.
  if (name === '') throw new Error('Error: No such image: ');
  return fetchInspected(ctx, `/images/${escapePath(name)}/json`);
}

/** What docker's inspect.Inspect prints for the given `--format`. */
interface Inspector {
  add(item: Inspected): void;
  flush(): string;
}

function jsonInspector(render: (text: string) => string): Inspector {
  const items: string[] = [];
  return {
    add: (item) => void items.push(item.raw),
    flush: () => (items.length === 0 ? '[]\n' : `${render(`[${items.join(',')}]`)}\n`),
  };
}

/**
 * docker's TemplateInspector: the template runs on the typed value; if that fails, on the
 * decoded JSON with `missingkey=error`, whose failure is the one reported (without raw JSON,
 * the typed value's).
 */
function templateInspector(render: Renderer, renderRaw: Renderer): Inspector {
  let out = '';
  return {
    add(item) {
      try {
        if (item.typed !== undefined) {
          try {
            out += render(item.typed) + '\n';
            return;
          } catch (err) {
            if (!(err instanceof TemplateError) || item.typedOnly) throw err;
          }
        }
        out += (item.typed !== undefined ? renderRaw : render)(item.value) + '\n';
      } catch (err) {
        if (err instanceof TemplateError) throw new Error(`template parsing error: ${err.message}`);
        throw err;
      }
    },
    flush: () => (out === '' ? '\n' : out),
  };
}

/**
 * docker's inspect.Inspect: each reference looked up in turn, printed as an indented JSON array
 * (the daemon's own bytes), compact JSON for `--format json`, or one template line each.
 * Lookup failures are printed together at the end, exit 1; a bad template exits 64.
 */
export async function runInspect(
  ctx: CliContext,
  refs: readonly string[],
  format: string,
  lookup: (ref: string) => Promise<Inspected>,
): Promise<number> {
  let inspector: Inspector;
  if (format === '') inspector = jsonInspector((text) => indentJson(text));
  else if (format === 'json') inspector = jsonInspector(compactJson);
  else {
    try {
      inspector = templateInspector(
        compileTemplate(format),
        compileTemplate(format, { missingKey: 'error' }),
      );
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      ctx.stderr.write(`template parsing error: ${err.message}\n`);
      return 64;
    }
  }
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      inspector.add(await lookup(ref));
    } catch (err) {
      errors.push(errorText(err, ctx.host));
    }
  }
  ctx.stdout.write(inspector.flush());
  if (errors.length === 0) return 0;
  ctx.stderr.write(errors.join('\n') + '\n');
  return 1;
}

export const imageInspectCommand: Command = {
  name: 'image inspect',
  summary: 'Display detailed information on one or more images',
  usage: 'moor image inspect [OPTIONS] IMAGE [IMAGE...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, [FORMAT_FLAG], argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    return runInspect(ctx, flags.args, flagString(flags, 'format') ?? '', (ref) =>
      inspectImage(ctx, ref),
    );
  },
};

const OBJECT_TYPES = [
  'config',
  'container',
  'image',
  'network',
  'node',
  'plugin',
  'secret',
  'service',
  'task',
  'volume',
];

type Lookup = (ctx: CliContext, ref: string, size: boolean) => Promise<Inspected>;

/** The object types the top-level inspect tries, in docker's order, with their lookups. */
const LOOKUPS: { type: string; lookup: Lookup }[] = [
  {
    type: 'container',
    lookup: (ctx, ref, size) => inspectContainer(ctx, ref, size),
  },
  { type: 'image', lookup: (ctx, ref) => inspectImage(ctx, ref) },
  { type: 'network', lookup: (ctx, ref) => fetchInspected(ctx, `/networks/${escapePath(ref)}`) },
  {
    type: 'volume',
    lookup: async (ctx, ref) => {
      const inspected = await fetchInspected(ctx, `/volumes/${escapePath(ref)}`);
      return { ...inspected, typed: typedVolume(inspected.value) };
    },
  },
];

function isSkippable(err: unknown): boolean {
  return (
    isApiStatus(err, 404) ||
    (err instanceof Error &&
      (err.message.includes('not supported') || err.message.includes('invalid reference format')))
  );
}

/** The top-level inspect's lookup: the first object type that knows `ref` (or only `type`). */
async function inspectAny(
  ctx: CliContext,
  ref: string,
  type: string,
  size: boolean,
): Promise<Inspected> {
  for (const candidate of LOOKUPS) {
    if (type !== '' && candidate.type !== type) continue;
    try {
      const found = await candidate.lookup(ctx, ref, size);
      if (size && candidate.type !== 'container') {
        ctx.stderr.write(`WARNING: --size ignored for ${candidate.type}\n`);
      }
      return found;
    } catch (err) {
      if (type !== '' || !isSkippable(err)) throw err;
    }
  }
  throw new Error(`Error: No such object: ${ref}`);
}

const INSPECT_FLAGS: FlagSpec[] = [
  FORMAT_FLAG,
  {
    name: 'size',
    short: 's',
    type: 'bool',
    help: 'Display total file sizes if the type is container',
  },
  { name: 'type', type: 'string', help: 'Only inspect objects of the given type' },
];

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Return low-level information on Docker objects',
  usage: 'moor inspect [OPTIONS] NAME|ID [NAME|ID...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, INSPECT_FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const type = flagString(flags, 'type') ?? '';
    const known = `must be one of "${OBJECT_TYPES.join('", "')}"`;
    if (flags.given.has('type') && type === '') throw new Error(`type is empty: ${known}`);
    if (type !== '' && !OBJECT_TYPES.includes(type)) {
      throw new Error(`unknown type: "${type}": ${known}`);
    }
    const size = flagBool(flags, 'size');
    return runInspect(ctx, flags.args, flagString(flags, 'format') ?? '', (ref) =>
      inspectAny(ctx, ref, type, size),
    );
  },
};

/**
 * Build arguments as Docker's builder scopes them: `--build-arg` values reach a stage only
 * through an `ARG` it declares (or a predefined proxy arg); ARGs before the first FROM are
 * meta args, usable in FROM lines and as defaults for a stage's bare `ARG NAME`; each stage
 * starts with no declared args. Values are `undefined` when declared without a default and
 * not given.
 */

/** Proxy variables usable without an ARG; left out of the cache key unless declared. */
export const PREDEFINED_ARGS: ReadonlySet<string> = new Set([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
]);

export interface BuildArgs {
  /** `--build-arg` values: null when given without a value and not in the environment. */
  readonly fromOptions: ReadonlyMap<string, string | null>;
  readonly meta: Map<string, string | undefined>;
  /** Args declared in the current stage (ARG), with their defaults. */
  readonly declared: Map<string, string | undefined>;
  /** Every arg any stage declared: `--build-arg`s never declared are reported unused. */
  readonly referenced: Set<string>;
}

export function createBuildArgs(fromOptions: Record<string, string | null>): BuildArgs {
  return {
    fromOptions: new Map(Object.entries(fromOptions)),
    meta: new Map(),
    declared: new Map(),
    referenced: new Set(),
  };
}

/** A meta ARG (before the first FROM). */
export function addMetaArg(args: BuildArgs, key: string, value: string | undefined): void {
  args.meta.set(key, value);
  args.declared.set(key, value);
  args.referenced.add(key);
}

/** An ARG in a stage. */
export function declareArg(args: BuildArgs, key: string, value: string | undefined): void {
  args.declared.set(key, value);
  args.referenced.add(key);
}

/** The args of a new stage: the build's, with no ARG declared yet. */
export function stageArgs(args: BuildArgs): BuildArgs {
  return { ...args, declared: new Map() };
}

function valueOf(
  args: BuildArgs,
  key: string,
  source: ReadonlyMap<string, string | undefined>,
): string | undefined {
  const given = args.fromOptions.get(key);
  if (given !== undefined && given !== null) return given;
  const fallback = source.get(key);
  if (fallback === undefined) {
    const meta = args.meta.get(key);
    return meta;
  }
  return fallback;
}

function resolved(
  args: BuildArgs,
  source: ReadonlyMap<string, string | undefined>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of new Set([...source.keys(), ...PREDEFINED_ARGS])) {
    const value = valueOf(args, key, source);
    if (value !== undefined) out.set(key, value);
  }
  return out;
}

/** The values of the current stage's args (for expansion and RUN). */
export function allowedArgs(args: BuildArgs): Map<string, string> {
  return resolved(args, args.declared);
}

/** The values of the meta args (for FROM lines). */
export function metaArgValues(args: BuildArgs): Map<string, string> {
  return resolved(args, args.meta);
}

/**
 * The args a RUN sees as environment: allowed ones not overridden by the stage's ENV
 * (ENV wins over ARG), as `KEY=value`.
 */
export function runArgEnv(args: BuildArgs, env: readonly string[]): string[] {
  const envKeys = new Set(env.map((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e)));
  return [...allowedArgs(args)]
    .filter(([key]) => !envKeys.has(key))
    .map(([key, value]) => `${key}=${value}`);
}

/** The part of runArgEnv that goes into a RUN's cache key: no undeclared proxy args. */
export function cacheKeyArgEnv(args: BuildArgs, argEnv: readonly string[]): string[] {
  return argEnv.filter((entry) => {
    const key = entry.slice(0, entry.indexOf('='));
    return args.declared.has(key) || !PREDEFINED_ARGS.has(key);
  });
}

/** `--build-arg`s no stage declared (predefined ones excepted), sorted. */
export function unusedBuildArgs(args: BuildArgs): string[] {
  return [...args.fromOptions.keys()]
    .filter((key) => !args.referenced.has(key) && !PREDEFINED_ARGS.has(key))
    .sort();
}

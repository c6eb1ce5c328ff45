import { posix } from 'node:path';

import type { ContainerConfig } from '../oci/index.js';

/**
 * The run configuration a build stage carries from step to step (Docker's `runConfig`), and
 * the forms of it each step records. A step's image stores the run config as `config` and,
 * as its cache key, the run config with the step's own `Cmd` as `container_config`: for
 * metadata steps a `#(nop)` comment, for RUN the command (with the build args it used).
 */
export type RunConfig = ContainerConfig;

const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** A deep copy, so that steps never share lists or maps. */
export function copyRunConfig(config: RunConfig, changes: Partial<RunConfig> = {}): RunConfig {
  const copy = structuredClone(config);
  return { ...copy, ...structuredClone(changes) };
}

/** The shell of shell-form instructions: SHELL's, else `/bin/sh -c`. */
export function shellOf(config: RunConfig): string[] {
  return config.Shell && config.Shell.length > 0 ? [...config.Shell] : [...DEFAULT_SHELL];
}

/**
 * The cache key config of a metadata step: `Cmd` = shell + `#(nop) ` + comment as two words
 * (ENV, LABEL, CMD, ...), or as one word (`#(nop) COPY ...`, WORKDIR) as Docker records them.
 */
export function withNopComment(
  config: RunConfig,
  comment: string,
  form: 'two-words' | 'one-word',
): RunConfig {
  const cmd =
    form === 'two-words'
      ? [...shellOf(config), '#(nop) ', comment]
      : [...shellOf(config), `#(nop) ${comment}`];
  return copyRunConfig(config, { Cmd: cmd });
}

/** Docker's history `created_by`: the cache key config's Cmd joined by spaces. */
export function createdByOf(containerConfig: RunConfig): string {
  return (containerConfig.Cmd ?? []).join(' ');
}

/**
 * RUN/CMD/ENTRYPOINT command lines: the exec form as given, the shell form as the shell plus
 * the command text. `argsEscaped` is only ever true on Windows, so it stays false here.
 */
export function resolveCmdLine(
  args: readonly string[],
  json: boolean,
  config: RunConfig,
): string[] {
  if (json) return [...args];
  return [...shellOf(config), args.join(' ')];
}

/**
 * The RUN command as recorded (cache key and history) when build args are in effect:
 * `|N K=V ...` before the command, sorted, as Docker does, so that a different value misses
 * the cache while an unused predefined proxy arg does not count.
 */
export function prependBuildArgs(buildArgEnv: readonly string[], cmd: readonly string[]): string[] {
  const sorted = [...buildArgEnv].sort();
  return [`|${sorted.length}`, ...sorted, ...cmd];
}

/** Sets or replaces `KEY=value` in an env list (keys compare case-sensitively on Linux). */
export function setEnv(env: readonly string[], entry: string): string[] {
  const key = entry.slice(0, entry.indexOf('='));
  const out = [...env];
  const at = out.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
  if (at === -1) out.push(entry);
  else out[at] = entry;
  return out;
}

/** The value of KEY in an env list, if set. */
export function envValue(
  env: readonly string[] | null | undefined,
  key: string,
): string | undefined {
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    if (eq === -1 ? entry === key : entry.slice(0, eq) === key) {
      return eq === -1 ? '' : entry.slice(eq + 1);
    }
  }
  return undefined;
}

/** WORKDIR: a relative path continues the current working dir. */
export function workdirPath(current: string, path: string): string {
  return posix.join('/', path.startsWith('/') ? '' : current, path);
}

import { DEFAULT_PATH_ENV } from './spec-defaults.js';

/** The container process's environment, assembled as Docker does for `docker run`. */
function envKey(entry: string): string {
  const at = entry.indexOf('=');
  return at < 0 ? entry : entry.slice(0, at);
}

/**
 * A container's `Config.Env` at create, in Docker's order: the request's entries, then the
 * image's entries whose key the request does not set.
 */
export function mergeImageEnv(
  imageEnv: readonly string[],
  requestEnv: readonly string[],
): string[] {
  if (requestEnv.length === 0) return [...imageEnv];
  const keys = new Set(requestEnv.map(envKey));
  return [...requestEnv, ...imageEnv.filter((e) => !keys.has(envKey(e)))];
}

/**
 * `base` with `overrides` applied: an entry replaces the one with the same key in place or is
 * appended; an entry without `=` removes its key.
 */
export function replaceOrAppendEnv(
  base: readonly string[],
  overrides: readonly string[],
): string[] {
  const out: (string | undefined)[] = [...base];
  const index = new Map<string, number>();
  out.forEach((e, i) => index.set(envKey(e ?? ''), i));
  for (const entry of overrides) {
    const key = envKey(entry);
    const at = index.get(key);
    if (!entry.includes('=')) {
      if (at !== undefined) out[at] = undefined;
      index.delete(key);
    } else if (at !== undefined) {
      out[at] = entry;
    } else {
      index.set(key, out.length);
      out.push(entry);
    }
  }
  return out.filter((e): e is string => e !== undefined);
}

export interface ProcessEnvInput {
  hostname: string;
  /** The image's `Env`. */
  imageEnv: readonly string[];
  /** The request's `Env` (or the container's merged `Config.Env` with `imageEnv: []`). */
  requestEnv: readonly string[];
  tty: boolean;
  /** The user's home directory (ResolvedUser.home): `HOME` when no entry sets it. */
  home?: string;
  /** `--link` variables, between the defaults and the configured env. */
  linkedEnv?: readonly string[];
}

/**
 * The final env: `PATH` (Docker's default), `HOSTNAME`, `TERM=xterm` with a TTY and the link
 * variables, overridden or extended by the configured env (image env merged with the
 * request's), then `HOME` when still unset (as runc adds it).
 */
export function buildProcessEnv(input: ProcessEnvInput): string[] {
  const defaults = [`PATH=${DEFAULT_PATH_ENV}`, `HOSTNAME=${input.hostname}`];
  if (input.tty) defaults.push('TERM=xterm');
  defaults.push(...(input.linkedEnv ?? []));
  const env = replaceOrAppendEnv(defaults, mergeImageEnv(input.imageEnv, input.requestEnv));
  return input.home === undefined ? env : withHomeEnv(env, input.home);
}

/** `env` plus `HOME=home` when no entry sets HOME. */
export function withHomeEnv(env: readonly string[], home: string): string[] {
  return env.some((e) => envKey(e) === 'HOME') ? [...env] : [...env, `HOME=${home || '/'}`];
}

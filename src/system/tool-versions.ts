import { basename } from 'node:path';

import { runHostCommand } from '../sys/index.js';

/** A helper binary's version as `docker version` and `docker info` show it. */
export interface ToolVersion {
  /** The binary's name or path as configured (`docker info`'s Init Binary). */
  binary: string;
  version: string;
  /** The commit (or package release) it was built from; '' when it does not say. */
  commit: string;
}

/**
 * `runc --version`: "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\n...". Docker shows
 * the commit line's value as runc's commit.
 */
export function parseRuncVersion(text: string): { version: string; commit: string } | undefined {
  const version = /^runc version (\S+)/m.exec(text)?.[1];
  if (version === undefined) return undefined;
  return { version, commit: /^commit: (\S+)/m.exec(text)?.[1] ?? '' };
}

/** tini's (docker-init's) `--version`: "tini version 0.19.0 - git.de40ad0" (git part optional). */
export function parseTiniVersion(text: string): { version: string; commit: string } | undefined {
  const match = /^tini version (\S+)(?: - git\.(\S+))?/m.exec(text);
  if (match?.[1] === undefined) return undefined;
  return { version: match[1], commit: match[2] ?? '' };
}

async function probe(
  binary: string,
  parse: (text: string) => { version: string; commit: string } | undefined,
): Promise<ToolVersion | undefined> {
  try {
    const parsed = parse(await runHostCommand(binary, ['--version']));
    return parsed && { binary, ...parsed };
  } catch {
    // A missing or broken tool is reported as unknown; starting a container says what is wrong.
    return undefined;
  }
}

/** The versions of the OCI runtime and of the `--init` binary (once, at daemon start). */
export async function probeToolVersions(tools: {
  runtime: string;
  init?: string;
}): Promise<{ runtime?: ToolVersion; init?: ToolVersion }> {
  const [runtime, init] = await Promise.all([
    probe(tools.runtime, parseRuncVersion),
    tools.init === undefined ? undefined : probe(tools.init, parseTiniVersion),
  ]);
  return {
    ...(runtime ? { runtime } : {}),
    ...(init ? { init: { ...init, binary: basename(init.binary) } } : {}),
  };
}

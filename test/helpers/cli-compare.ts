import assert from 'node:assert/strict';
import { join } from 'node:path';

import { dockerCli } from './containers.js';
import { MOOR, type TestDaemon } from './moord.js';
import { type PtyResult, type PtyStep, runInPty } from './pty.js';
import { type RunResult, run } from './run.js';

export interface CompareOptions {
  input?: string;
  timeoutMs?: number;
  /** Applied to both outputs after normalising (for what is not deterministic). */
  transform?: (text: string) => string;
}

/** What may differ between docker's run and moor's, made equal. */
export function normaliseOutput(text: string, name: string, cli: 'docker' | 'moor'): string {
  let out = text.replaceAll(name, '@').replace(/\b[0-9a-f]{64}\b/g, '<ID>');
  out = out.replace(/\b[0-9a-f]{12}\b/g, '<id>');
  out = out.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
  out = out.replace(/"Pid": ?\d+/g, '"Pid": <pid>').replace(/\/proc\/\d+\//g, '/proc/<pid>/');
  // Each container has its own address on the default bridge.
  out = out
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, (ip) => (/^(10|172)\./.test(ip) ? '<ip>' : ip))
    .replace(/\b02:42(?::[0-9a-f]{2}){4}\b/g, '<mac>');
  // docker names itself in hints (`See 'docker run --help'`), not in URLs or file names.
  if (cli === 'docker') out = out.replace(/(?<![.\w])docker(?![.\w-])/g, 'moor');
  return out;
}

/** `ps` columns that tick between two runs (CREATED, STATUS), and the padding after them. */
export function untimed(text: string): string {
  return text
    .replace(
      /(Less than a second|About an? \w+|\d+ \w+)( ago)?|Up (Less than a second|About an? \w+|\d+ \w+)/g,
      'T',
    )
    .replace(/ {2,}/g, '  ');
}

/**
 * The docker CLI and moor side by side against one test daemon. Each test names its own
 * containers (`tag`): `@` in arguments becomes `PREFIX-TAG-d` for docker and `PREFIX-TAG-m` for
 * moor, and is turned back into `@` in their output. `daemon` and `dir` are read on each call
 * (they are set in `before`).
 */
export function cliComparer(env: { daemon: () => TestDaemon; dir: () => string; prefix: string }) {
  const docker = (args: string[], options: CompareOptions = {}) =>
    dockerCli(env.daemon(), join(env.dir(), 'docker-config'))(args, options);
  const moor = (args: string[], options: CompareOptions = {}) =>
    run(MOOR, args, { env: { DOCKER_HOST: env.daemon().host, MOOR_HOST: '' }, ...options });
  const names = (tag: string) => ({
    docker: `${env.prefix}-${tag}-d`,
    moor: `${env.prefix}-${tag}-m`,
  });

  /**
   * Runs `args` through docker, then moor, and asserts equal exit codes and output. Returns
   * docker's result (normalised) for further checks.
   */
  const same = async (
    tag: string,
    args: string[],
    options: CompareOptions = {},
  ): Promise<RunResult> => {
    const n = names(tag);
    const t = options.transform ?? ((text: string) => text);
    const d = await docker(
      args.map((a) => a.replaceAll('@', n.docker)),
      options,
    );
    const m = await moor(
      args.map((a) => a.replaceAll('@', n.moor)),
      options,
    );
    const dn = {
      code: d.code,
      stdout: t(normaliseOutput(d.stdout, n.docker, 'docker')),
      stderr: t(normaliseOutput(d.stderr, n.docker, 'docker')),
    };
    const what = `moor ${args.join(' ')}`;
    assert.equal(t(normaliseOutput(m.stdout, n.moor, 'moor')), dn.stdout, `${what}: stdout`);
    assert.equal(t(normaliseOutput(m.stderr, n.moor, 'moor')), dn.stderr, `${what}: stderr`);
    assert.equal(m.code, dn.code, `${what}: exit code`);
    return dn;
  };

  /** A session in a pseudo-terminal through each CLI; returns [docker's, moor's]. */
  const inPty = async (
    tag: string,
    args: string,
    steps: PtyStep[],
  ): Promise<readonly [PtyResult, PtyResult]> => {
    const n = names(tag);
    const ptyEnv = {
      DOCKER_HOST: env.daemon().host,
      DOCKER_CONFIG: join(env.dir(), 'docker-config'),
      MOOR_HOST: '',
    };
    const d = await runInPty(`docker ${args.replaceAll('@', n.docker)}`, steps, { env: ptyEnv });
    const m = await runInPty(`${MOOR} ${args.replaceAll('@', n.moor)}`, steps, { env: ptyEnv });
    return [d, m] as const;
  };

  return {
    docker,
    moor,
    names,
    same,
    /** A command with no container of its own. */
    both: (args: string[], options: CompareOptions = {}) => same('none', args, options),
    inPty,
  };
}

/**
 * A command line written as text: `` argv`run --name @ busybox sh -c ${'echo a; exit 3'}` ``.
 * The text splits on spaces; interpolated values stay one argument each.
 */
export function argv(strings: TemplateStringsArray, ...values: string[]): string[] {
  const out: string[] = [];
  strings.forEach((text, i) => {
    out.push(...text.split(' ').filter((word) => word !== ''));
    if (i < values.length) out.push(values[i] as string);
  });
  return out;
}

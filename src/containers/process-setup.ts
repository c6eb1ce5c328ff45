import { mkdir, readFile, stat } from 'node:fs/promises';

import { hasErrno, invalidArgument } from '../core/index.js';
import { type ResolvedUser, buildProcessEnv, resolveUser } from '../runtime/index.js';
import type { ContainerPaths } from './container-paths.js';
import type { ContainerRecord } from './container-record.js';
import { resolveInRoot } from './rootfs-path.js';

/** A file of the container's rootfs, read without following links out of it ('' if absent). */
export async function readRootfsFile(rootfs: string, path: string): Promise<string> {
  try {
    return await readFile(await resolveInRoot(rootfs, path, { followLast: true }), 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return '';
    throw err;
  }
}

export interface ProcessSetup {
  args: string[];
  env: string[];
  cwd: string;
  user: ResolvedUser;
}

/** Resolves `-u` against the rootfs's passwd/group files and `--group-add` entries. */
export async function resolveContainerUser(
  rootfs: string,
  user: string,
  groupAdd: readonly string[],
): Promise<ResolvedUser> {
  const passwd = await readRootfsFile(rootfs, '/etc/passwd');
  const group = await readRootfsFile(rootfs, '/etc/group');
  return resolveUser({ passwd, group, user, groupAdd });
}

/** Creates the working directory if missing (as Docker does); a file there is an error. */
export async function ensureWorkingDir(rootfs: string, cwd: string): Promise<void> {
  if (cwd === '/' || cwd === '') return;
  const target = await resolveInRoot(rootfs, cwd, { followLast: true });
  try {
    const info = await stat(target);
    if (!info.isDirectory()) throw invalidArgument(`Cannot mkdir: ${cwd} is not a directory`);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
    await mkdir(target, { recursive: true, mode: 0o755 });
  }
}

/** The container's process as the runtime runs it: argv, env, working dir and user. */
export async function resolveProcess(
  record: ContainerRecord,
  paths: ContainerPaths,
): Promise<ProcessSetup> {
  const { config, hostConfig } = record;
  const user = await resolveContainerUser(
    paths.rootfs,
    config.User ?? '',
    hostConfig.GroupAdd ?? [],
  );
  const cwd = config.WorkingDir || '/';
  if (!cwd.startsWith('/')) {
    throw invalidArgument(
      `the working directory '${cwd}' is invalid, it needs to be an absolute path`,
    );
  }
  await ensureWorkingDir(paths.rootfs, cwd);
  const env = buildProcessEnv({
    hostname: config.Hostname ?? '',
    imageEnv: [],
    requestEnv: config.Env ?? [],
    tty: config.Tty === true,
    home: user.home,
  });
  return { args: [record.path, ...record.args], env, cwd, user };
}

import { invalidArgument } from '../core/index.js';
import { type ResolvedUser, buildProcessEnv, resolveUser } from '../runtime/index.js';
import type { ContainerRecord } from './container-record.js';
import type { RootfsReader } from './rootfs-reader.js';

export interface ProcessSetup {
  args: string[];
  env: string[];
  cwd: string;
  user: ResolvedUser;
}

/** Resolves `-u` against the rootfs's passwd/group files and `--group-add` entries. */
export async function resolveContainerUser(
  rootfs: RootfsReader,
  user: string,
  groupAdd: readonly string[],
): Promise<ResolvedUser> {
  const [passwd, group] = await Promise.all([
    rootfs.readFile('/etc/passwd'),
    rootfs.readFile('/etc/group'),
  ]);
  return resolveUser({ passwd, group, user, groupAdd });
}

/**
 * Checks the working directory as Docker does before a start: a file there is an error. A
 * missing one is created by the runtime (as Docker creates it: root-owned, mode 0755).
 */
async function checkWorkingDir(rootfs: RootfsReader, cwd: string): Promise<void> {
  if (!cwd.startsWith('/')) {
    throw invalidArgument(
      `the working directory '${cwd}' is invalid, it needs to be an absolute path`,
    );
  }
  if (cwd === '/') return;
  if ((await rootfs.kind(cwd)) === 'other') {
    throw invalidArgument(`Cannot mkdir: ${cwd} is not a directory`);
  }
}

/** The container's process as the runtime runs it: argv, env, working dir and user. */
export async function resolveProcess(
  record: ContainerRecord,
  rootfs: RootfsReader,
): Promise<ProcessSetup> {
  const { config, hostConfig } = record;
  const user = await resolveContainerUser(rootfs, config.User ?? '', hostConfig.GroupAdd ?? []);
  const cwd = config.WorkingDir || '/';
  await checkWorkingDir(rootfs, cwd);
  const env = buildProcessEnv({
    hostname: config.Hostname ?? '',
    imageEnv: [],
    requestEnv: config.Env ?? [],
    tty: config.Tty === true,
    home: user.home,
  });
  return { args: [record.path, ...record.args], env, cwd, user };
}

import { access } from 'node:fs/promises';

import { createTarWriter } from '../../archive/index.js';
import { escapePath } from '../../client/index.js';
import { hasErrno } from '../../core/index.js';
import {
  BUSYBOX_PATH,
  busyboxApplets,
  isStaticElf,
  writeBusyboxRootfs,
} from '../busybox-rootfs.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import { isApiStatus } from '../error-text.js';
import { importImage } from './image-import.js';

const IMAGE = 'busybox:latest';
const PACKAGE_HINT = "install Debian's busybox-static package (apt-get install busybox-static)";

async function imageExists(ctx: CliContext, name: string): Promise<boolean> {
  try {
    await ctx.client().json('GET', `/images/${escapePath(name)}/json`);
    return true;
  } catch (err) {
    if (isApiStatus(err, 404)) return false;
    throw err;
  }
}

async function checkBusybox(path: string): Promise<void> {
  try {
    await access(path);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
    throw new Error(`moor bootstrap needs ${path}: ${PACKAGE_HINT}`, { cause: err });
  }
  if (!(await isStaticElf(path))) {
    throw new Error(
      `${path} is dynamically linked; moor bootstrap needs a static one: ${PACKAGE_HINT}`,
    );
  }
}

/**
 * Imports busybox:latest from the host's static busybox, so that a fresh engine can run
 * containers without a registry. Does nothing when busybox:latest is already there.
 */
export const bootstrapCommand: Command = {
  name: 'bootstrap',
  summary: "Create busybox:latest from the host's busybox-static",
  usage: 'moor bootstrap',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, [], argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    if (await imageExists(ctx, IMAGE)) {
      ctx.stdout.write(`${IMAGE} is already present\n`);
      return 0;
    }
    await checkBusybox(BUSYBOX_PATH);
    const applets = await busyboxApplets(BUSYBOX_PATH);
    const tar = createTarWriter();
    const writing = writeBusyboxRootfs(tar, { busybox: BUSYBOX_PATH, applets }).catch(
      (err: unknown) => {
        tar.readable.destroy(err instanceof Error ? err : new Error(String(err)));
        throw err;
      },
    );
    await Promise.all([
      writing,
      importImage(ctx, {
        fromSrc: '-',
        upload: tar.readable,
        repo: 'busybox',
        tag: 'latest',
        message: '',
        changes: ['CMD ["sh"]'],
      }),
    ]);
    return 0;
  },
};

import { rm } from 'node:fs/promises';

import { errorMessage } from '../core/index.js';
import { runHostCommand } from './host-command.js';

/**
 * Clones a Git build context as dockerd does: `URL#ref:subdir` (the ref a branch or tag,
 * default the remote's HEAD), shallow when the transport allows it, into `dir`. Returns the context directory (the
 * subdirectory when one is named). Throws Unavailable when git is not installed.
 */
export async function cloneGitContext(
  url: string,
  dir: string,
  signal?: AbortSignal,
): Promise<string> {
  const hash = url.indexOf('#');
  const remote = hash === -1 ? url : url.slice(0, hash);
  const [ref = '', subdir = ''] = (hash === -1 ? '' : url.slice(hash + 1)).split(':');
  const args = ['clone', '--quiet', '--recurse-submodules'];
  if (ref !== '') args.push('--branch', ref);
  const clone = (extra: string[]) =>
    runHostCommand('git', [...args, ...extra, '--', remote, dir], { signal, packageName: 'git' });
  try {
    await clone(['--depth', '1']);
  } catch (err) {
    // Git's dumb HTTP transport cannot clone shallow: clone it whole then.
    if (!/does not support shallow/.test(errorMessage(err))) throw err;
    await rm(dir, { recursive: true, force: true });
    await clone([]);
  }
  return subdir === '' ? dir : `${dir}/${subdir.replace(/^\/+/, '')}`;
}

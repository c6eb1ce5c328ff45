import { runHostCommand } from './host-command.js';

/**
 * Flushes every dirty file of the file system holding `path` to disk (syncfs(2), via
 * `sync --file-system`): one call makes a whole freshly written tree durable before it is
 * renamed into place, instead of one fsync per file.
 */
export async function syncFilesystem(path: string, signal?: AbortSignal): Promise<void> {
  await runHostCommand('sync', ['--file-system', '--', path], { signal, packageName: 'coreutils' });
}

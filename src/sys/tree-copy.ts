import { runHostCommand } from './host-command.js';

/**
 * Copies the directory tree `source` to `target` (which must not exist yet) keeping everything:
 * ownership, modes, timestamps, extended attributes, device nodes, symlinks as symlinks and
 * hard links between files of the tree. Uses reflinks where the file system has them.
 */
export async function copyTree(
  source: string,
  target: string,
  signal?: AbortSignal,
): Promise<void> {
  await runHostCommand(
    'cp',
    ['--archive', '--reflink=auto', '--no-target-directory', '--', source, target],
    { signal, packageName: 'coreutils' },
  );
}

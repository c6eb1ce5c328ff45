import { hasErrno, internal, unavailable } from '../core/index.js';
import { runProcess } from './process-launcher.js';

export interface HostCommandOptions {
  cwd?: string;
  /** Written to the command's stdin (which is closed afterwards). */
  input?: string | Buffer;
  signal?: AbortSignal;
  /** Names the Debian package that ships the command, for the error when it is missing. */
  packageName?: string;
}

/**
 * Runs a host tool (mknod, setfattr, mount, ...) to completion and returns its stdout. A non-zero
 * exit is an internal error carrying the tool's stderr; a missing tool is `Unavailable`.
 */
export async function runHostCommand(
  file: string,
  args: readonly string[],
  options: HostCommandOptions = {},
): Promise<string> {
  let output;
  try {
    output = await runProcess(file, args, options);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
    const hint = options.packageName ? ` (install the ${options.packageName} package)` : '';
    throw unavailable(`${file} not found${hint}`, err);
  }
  if (output.code === 0) return output.stdout;
  const status =
    output.code === null ? `signal ${output.signal ?? '?'}` : `exit status ${output.code}`;
  const message = output.stderr.trim();
  throw internal(`${file} ${args.join(' ')}: ${status}${message ? `: ${message}` : ''}`);
}

/** The absolute path of a program on the PATH (as `which`), or undefined. */
export async function findExecutable(name: string): Promise<string | undefined> {
  if (name.includes('/')) return name;
  const { access, constants } = await import('node:fs').then((fs) => ({
    access: fs.promises.access,
    constants: fs.constants,
  }));
  const dirs = (
    process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  ).split(':');
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = `${dir}/${name}`;
    try {
      await access(path, constants.X_OK);
      return path;
    } catch (err) {
      if (!hasErrno(err, 'ENOENT', 'EACCES', 'ENOTDIR')) throw err;
    }
  }
  return undefined;
}

/** The capabilities this process may hand on (CapBnd of /proc/self/status), as a hex mask. */
export async function boundingCapabilityMask(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile('/proc/self/status', 'utf8');
  return /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '000001ffffffffff';
}

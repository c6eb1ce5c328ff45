import { spawn } from 'node:child_process';

import { hasErrno, internal, unavailable } from '../core/index.js';

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
export function runHostCommand(
  file: string,
  args: readonly string[],
  options: HostCommandOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      signal: options.signal,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', (err: Error) => {
      // The tool may exit before reading all of its input; its exit status tells what happened.
      if (!hasErrno(err, 'EPIPE')) reject(err);
    });
    child.on('error', (err) => {
      if (hasErrno(err, 'ENOENT')) {
        const hint = options.packageName ? ` (install the ${options.packageName} package)` : '';
        reject(unavailable(`${file} not found${hint}`, err));
      } else {
        reject(err);
      }
    });
    child.on('close', (code, signalName) => {
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString('utf8'));
        return;
      }
      const status = code === null ? `signal ${signalName ?? '?'}` : `exit status ${code}`;
      const message = Buffer.concat(stderr).toString('utf8').trim();
      reject(internal(`${file} ${args.join(' ')}: ${status}${message ? `: ${message}` : ''}`));
    });
    child.stdin.end(options.input ?? '');
  });
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

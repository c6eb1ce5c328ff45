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

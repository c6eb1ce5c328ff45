/**
 * The JSON-lines protocol between moord and its process launcher (launcher-main.ts): moord
 * writes requests to the launcher's stdin, the launcher answers on its stdout, one JSON object
 * per line, each answer naming the request it belongs to.
 */

/** Runs a command to completion, its output collected. */
export interface RunRequest {
  op: 'run';
  id: number;
  file: string;
  args: string[];
  cwd?: string;
  /** Base64 of what to write to the command's stdin (closed afterwards). */
  input?: string;
}

/**
 * Starts a command in its own session, its stdio on /dev/null and a pipe on fd 3 whose lines
 * come back as `line` answers (conmon's sync pipe), then `end`. With `startPipe`, fd 4 is a
 * pipe it waits on until a `go` request.
 */
export interface DetachRequest {
  op: 'detach';
  id: number;
  file: string;
  args: string[];
  cwd: string;
  /** The command's whole environment (nothing is inherited). */
  env: Record<string, string>;
  startPipe?: boolean;
  /**
   * fd 3 is a connection to moord's sync channel (sync-channel.ts) instead, opened with this
   * token: its lines go to moord directly; no `line` or `end` answers come.
   */
  channel?: { path: string; token: string };
}

/** Lets a detached command waiting on its start pipe go on. */
export interface GoRequest {
  op: 'go';
  id: number;
}

/** Signals a command started by a run request, or a detached one still reporting on fd 3. */
export interface KillRequest {
  op: 'kill';
  id: number;
  signal: NodeJS.Signals;
}

/** Stops forwarding the fd-3 lines of a detached command (the launcher closes its end). */
export interface ReleaseRequest {
  op: 'release';
  id: number;
}

export type LauncherRequest = RunRequest | DetachRequest | GoRequest | KillRequest | ReleaseRequest;

export type LauncherAnswer =
  | { id: number; type: 'spawned' }
  | { id: number; type: 'failed'; code: string; message: string }
  | { id: number; type: 'line'; line: string }
  | { id: number; type: 'end' }
  | {
      id: number;
      type: 'exit';
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: string;
      stderr: string;
    };

/** The launcher's first line, once it reads requests. */
export const LAUNCHER_READY = 'ready';

/**
 * One line of the other side, parsed; undefined for a line that is not JSON (only moord and
 * its launcher write on these pipes, so such a line asks and answers nothing).
 */
export function parseJsonLine<T>(line: string): T | undefined {
  try {
    return JSON.parse(line) as T;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

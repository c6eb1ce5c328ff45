import { ApiError } from '../client/index.js';
import { errorMessage } from '../core/index.js';

/** Whether an error means the daemon could not be reached at all. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'EHOSTUNREACH'
  );
}

/** docker's message for a daemon it cannot reach, naming the address the user gave. */
export function connectionErrorText(host: string): string {
  return `Cannot connect to the moor daemon at ${host}. Is the moor daemon running?`;
}

/**
 * An error as the docker CLI prints it: daemon answers read `Error response from daemon: ...`;
 * with `host`, an unreachable daemon reads `Cannot connect to the moor daemon at HOST. ...`.
 */
export function errorText(err: unknown, host?: string): string {
  if (err instanceof ApiError) return `Error response from daemon: ${err.message}`;
  if (host !== undefined && isConnectionError(err)) return connectionErrorText(host);
  return errorMessage(err);
}

/** True for a daemon answer with this HTTP status (404: no such object). */
export function isApiStatus(err: unknown, status: number): boolean {
  return err instanceof ApiError && err.statusCode === status;
}

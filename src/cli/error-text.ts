import { ApiError } from '../client/index.js';
import { errorMessage } from '../core/index.js';

/** An error as the docker CLI prints it: daemon answers read `Error response from daemon: ...`. */
export function errorText(err: unknown): string {
  return err instanceof ApiError ? `Error response from daemon: ${err.message}` : errorMessage(err);
}

/** True for a daemon answer with this HTTP status (404: no such object). */
export function isApiStatus(err: unknown, status: number): boolean {
  return err instanceof ApiError && err.statusCode === status;
}

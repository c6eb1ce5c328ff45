import { type ErrorKind, isMoorError } from '../core/index.js';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  NotFound: 404,
  InvalidArgument: 400,
  Conflict: 409,
  AlreadyExists: 409,
  NotModified: 304,
  Unauthorized: 401,
  Forbidden: 403,
  Unavailable: 503,
  NotImplemented: 501,
  Internal: 500,
};

/**
 * The one place that decides an error's HTTP status. Errors without a kind are 500 (and the
 * server logs them with their stack); no other code picks statuses for errors.
 */
export function statusFromError(err: unknown): number {
  return isMoorError(err) ? STATUS_BY_KIND[err.kind] : 500;
}

/**
 * Domain errors. Code below the API layer throws a MoorError with a kind; exactly one function
 * (api/http-status.ts) turns kinds into HTTP statuses. Messages carry context and are shown to
 * users as they are, so they follow Docker's wording where Docker has one.
 */
export type ErrorKind =
  | 'NotFound'
  | 'InvalidArgument'
  | 'Conflict'
  | 'AlreadyExists'
  | 'NotModified'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Unavailable'
  | 'NotImplemented'
  | 'Internal';

export class MoorError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MoorError';
    this.kind = kind;
  }
}

function maker(kind: ErrorKind) {
  return (message: string, cause?: unknown): MoorError =>
    new MoorError(kind, message, cause === undefined ? undefined : { cause });
}

export const notFound = maker('NotFound');
export const invalidArgument = maker('InvalidArgument');
export const conflict = maker('Conflict');
export const alreadyExists = maker('AlreadyExists');
export const notModified = maker('NotModified');
export const unauthorized = maker('Unauthorized');
export const forbidden = maker('Forbidden');
export const unavailable = maker('Unavailable');
export const notImplemented = maker('NotImplemented');
export const internal = maker('Internal');

export function isMoorError(err: unknown, kind?: ErrorKind): err is MoorError {
  return err instanceof MoorError && (kind === undefined || err.kind === kind);
}

/** True when `err` is a Node system error with the given errno code (ENOENT, EEXIST, ...). */
export function hasErrno(err: unknown, ...codes: string[]): err is NodeJS.ErrnoException {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    codes.includes((err as NodeJS.ErrnoException).code as string)
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

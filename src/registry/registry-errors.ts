/** A distribution API error: its HTTP status and the spec's `{code, message, detail}`. */
export class RegistryError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: unknown;
  constructor(status: number, code: string, message: string, detail?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  body(): { code: string; message: string; detail?: unknown } {
    return {
      code: this.code,
      message: this.message,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

const error = (status: number, code: string, message: string, detail?: unknown) =>
  new RegistryError(status, code, message, detail);

/** The errors the distribution spec defines, with its messages. */
export const registryErrors = {
  blobUnknown: (digest: string) => error(404, 'BLOB_UNKNOWN', 'blob unknown to registry', digest),
  uploadUnknown: () => error(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry'),
  rangeInvalid: () =>
    error(
      416,
      'BLOB_UPLOAD_INVALID',
      'blob upload invalid',
      'the range does not continue the upload',
    ),
  digestInvalid: (digest: string, detail?: unknown) =>
    error(
      400,
      'DIGEST_INVALID',
      'provided digest did not match uploaded content',
      detail ?? digest,
    ),
  manifestBlobUnknown: (digest: string) =>
    error(400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest }),
  manifestInvalid: (reason: string) => error(400, 'MANIFEST_INVALID', 'manifest invalid', reason),
  manifestUnknown: (reference: string) =>
    error(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { Tag: reference }),
  nameInvalid: (path: string) => error(400, 'NAME_INVALID', 'invalid repository name', path),
  nameUnknown: (name: string) =>
    error(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name }),
  tagInvalid: (tag: string) => error(400, 'TAG_INVALID', 'manifest tag did not match URI', tag),
  unsupported: () => error(405, 'UNSUPPORTED', 'The operation is unsupported.'),
  unauthorized: () => error(401, 'UNAUTHORIZED', 'authentication required'),
  unknown: (message: string) => error(500, 'UNKNOWN', 'unknown error', message),
};

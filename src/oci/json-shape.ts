/** Shape checks for JSON read from untrusted content (manifests, configs). */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

export function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** JSON.parse of a buffer; a syntax error becomes `fail(message)`. */
export function parseJson(bytes: Buffer | Uint8Array, fail: (message: string) => Error): unknown {
  try {
    return JSON.parse(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    );
  } catch (err) {
    if (err instanceof SyntaxError) throw fail(err.message);
    throw err;
  }
}

/** Describes a JSON value's type for error messages, as Go's decoder names them. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

import { errorMessage, isMoorError } from '../core/index.js';
import { parsePlatform } from '../oci/index.js';

/**
 * A `--platform` value as docker's client sends it in save/load queries: the OCI platform as
 * JSON, fields in Go's order. Undefined when the flag is not given.
 */
export function platformQuery(specifier: string | undefined): string[] | undefined {
  if (specifier === undefined || specifier === '') return undefined;
  try {
    const p = parsePlatform(specifier);
    return [
      JSON.stringify({
        architecture: p.architecture,
        os: p.os,
        'os.version': p['os.version'],
        'os.features': p['os.features'],
        variant: p.variant,
      }),
    ];
  } catch (err) {
    if (!isMoorError(err, 'InvalidArgument')) throw err;
    throw new Error(`invalid platform: ${errorMessage(err)}`, { cause: err });
  }
}

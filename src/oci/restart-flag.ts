import { invalidArgument } from '../core/index.js';

/** A restart policy in the API's shape (HostConfig.RestartPolicy). */
export interface RestartPolicyValue {
  /** '' (the engine's default), 'no', 'always', 'unless-stopped' or 'on-failure'. */
  Name: string;
  MaximumRetryCount: number;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * The docker CLI's `--restart` value: `NAME[:MAX-RETRIES]` (`on-failure:3`). An empty value
 * gives an empty name (the engine's default). The name is not checked here: the engine does
 * that, with its own messages. Throws InvalidArgument with the CLI's messages for a missing
 * name or a count that is not an integer.
 */
export function parseRestartFlag(text: string): RestartPolicyValue {
  if (text === '') return { Name: '', MaximumRetryCount: 0 };
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const count = colon < 0 ? '' : text.slice(colon + 1);
  if (colon >= 0 && name === '') {
    throw invalidArgument('invalid restart policy format: no policy provided before colon');
  }
  if (count === '') return { Name: name, MaximumRetryCount: 0 };
  const notInteger = () =>
    invalidArgument('invalid restart policy format: maximum retry count must be an integer');
  if (!/^[+-]?\d+$/.test(count)) throw notInteger();
  const value = BigInt(count);
  if (value > INT64_MAX || value < INT64_MIN) throw notInteger();
  return { Name: name, MaximumRetryCount: Number(value) };
}

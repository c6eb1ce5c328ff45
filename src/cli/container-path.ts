import { escapePath } from '../client/index.js';

/**
 * The API path of a container (`/containers/{id}{rest}`). As docker's client, the name is
 * trimmed of spaces and an empty one is refused before the daemon is asked.
 */
export function containerPath(id: string, rest = ''): string {
  const trimmed = id.trim();
  if (trimmed === '') throw new Error('invalid container name or ID: value is empty');
  return `/containers/${escapePath(trimmed)}${rest}`;
}

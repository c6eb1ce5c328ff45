import { isMoorError } from '../core/index.js';
import { runHostCommand } from './host-command.js';

/**
 * Checks a user's password against an htpasswd file (bcrypt, as registries use) with
 * apache2-utils' `htpasswd -v`; the password goes through stdin, never the command line.
 * Throws Unavailable when htpasswd is not installed.
 */
export async function verifyHtpasswd(
  file: string,
  user: string,
  password: string,
): Promise<boolean> {
  if (user === '' || user.startsWith('-') || user.includes(':')) return false;
  try {
    await runHostCommand('htpasswd', ['-v', '-i', file, user], {
      input: password,
      packageName: 'apache2-utils',
    });
    return true;
  } catch (err) {
    // A wrong password or unknown user: htpasswd exits non-zero.
    if (isMoorError(err, 'Internal')) return false;
    throw err;
  }
}

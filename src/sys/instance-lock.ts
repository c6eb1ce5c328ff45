import { createHash } from 'node:crypto';
import net from 'node:net';

import { hasErrno } from '../core/index.js';

export interface InstanceLock {
  release(): Promise<void>;
}

export type InstanceLockResult = { ok: true; lock: InstanceLock } | { ok: false; holder: string };

/**
 * An exclusive, kernel-held lock on a name (moord uses its data root): a listening socket in
 * Linux's abstract namespace. Only one process can bind a name; the kernel frees it when the
 * process dies, however it dies, so there is never a stale lock to clean up. A second taker
 * learns the holder's pid by connecting.
 */
export async function acquireInstanceLock(name: string): Promise<InstanceLockResult> {
  const address = '\0moor-lock-' + createHash('sha256').update(name).digest('hex').slice(0, 32);
  const server = net.createServer((conn) => conn.end(String(process.pid)));
  const bound = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (err) => (hasErrno(err, 'EADDRINUSE') ? resolve(false) : reject(err)));
    server.listen(address, () => resolve(true));
  });
  if (bound) {
    server.unref();
    const release = () => new Promise<void>((resolve) => server.close(() => resolve()));
    return { ok: true, lock: { release } };
  }
  return { ok: false, holder: await askHolder(address) };
}

function askHolder(address: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const conn = net.connect(address);
    conn.setTimeout(1000, () => conn.destroy());
    conn.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    conn.on('close', () => resolve(answer.trim() || 'unknown'));
    conn.on('error', () => resolve('unknown'));
  });
}

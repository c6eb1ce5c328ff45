import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * Where detached commands started by the process launcher report on their fd 3 straight to
 * moord: a unix socket in a directory only root enters (the exec root). For each command the
 * launcher connects, writes the token moord gave it with the request, and hands the connection
 * to the command as its fd 3. What the command writes there (conmon's sync lines) then reaches
 * moord at once, not through the launcher, which would add a hop: a wakeup of another process
 * on the way to every start. A connection without a known token is closed unread.
 */
export interface SyncChannel {
  readonly path: string;
  /**
   * Takes the lines of the command that will connect with the returned token; `onEnd` when it
   * closed its end. `release()` stops reading (and forgets a token not used yet).
   */
  expect(onLine: (line: string) => void, onEnd: () => void): ExpectedCommand;
  close(): void;
}

export interface ExpectedCommand {
  token: string;
  release: () => void;
}

interface Expected {
  onLine: (line: string) => void;
  onEnd: () => void;
  socket?: Socket;
}

export async function openSyncChannel(path: string): Promise<SyncChannel> {
  const expected = new Map<string, Expected>();
  rmSync(path, { force: true });
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    let entry: Expected | undefined;
    lines.on('line', (line) => {
      if (entry) {
        entry.onLine(line);
        return;
      }
      entry = expected.get(line);
      if (!entry) {
        socket.destroy();
        return;
      }
      expected.delete(line);
      entry.socket = socket;
    });
    lines.on('close', () => entry?.onEnd());
  });
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    path,
    expect(onLine, onEnd) {
      const token = randomBytes(16).toString('hex');
      const entry: Expected = { onLine, onEnd };
      expected.set(token, entry);
      return {
        token,
        release: () => {
          expected.delete(token);
          entry.onLine = () => undefined;
          entry.onEnd = () => undefined;
          entry.socket?.destroy();
        },
      };
    },
    close() {
      server.close();
      rmSync(path, { force: true });
    },
  };
}

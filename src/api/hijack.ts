import type { Socket } from 'node:net';

import type { RequestContext } from './router.js';

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

/** Stream ids of Docker's multiplexed frames. */
export const STDOUT = 1;
export const STDERR = 2;

/** One frame of Docker's multiplexed stream: [stream, 0, 0, 0, size (BE32)] + payload. */
export function frame(stream: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/**
 * Takes over a request's connection, as dockerd does for attach and exec start: answers
 * `101 UPGRADED` when the client asked to upgrade (the docker CLI, dockerode with hijack), else
 * `200 OK`, then the socket carries raw bytes both ways. Node stops parsing HTTP on an upgrade
 * request, so what the client sends afterwards is the process's stdin.
 */
export function hijack(ctx: RequestContext, contentType: string): Socket {
  const socket = ctx.req.socket;
  const upgrade = (ctx.req.headers.upgrade ?? '') !== '';
  // The client half-closes when its stdin ends; output must still flow until the process ends.
  socket.allowHalfOpen = true;
  socket.setTimeout(0);
  socket.setNoDelay(true);
  const head = upgrade
    ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`
    : `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n\r\n`;
  socket.write(head);
  return socket;
}

/**
 * Ends a hijacked stream once its output is done. On a unix socket whose output has all gone
 * to the kernel, the connection is closed at once: a half-close reaches the client only at the
 * event loop's next turn — after `docker run`'s wait has been answered, and the CLI waits for
 * this end before it exits. Otherwise (output still buffered; TCP or TLS, where a close with
 * input unread could reset the connection) it is ended in order.
 */
export function closeHijacked(socket: Socket): void {
  if (socket.destroyed) return;
  const unix = socket.remoteAddress === undefined && !('encrypted' in socket);
  if (unix && socket.writableLength === 0) socket.destroy();
  else socket.end();
}

/**
 * The stdin half of a hijacked connection, as an async iterable of chunks. The end of input
 * must leave the socket open: output keeps flowing until the process ends.
 */
export async function* socketInput(socket: Socket): AsyncGenerator<Buffer> {
  for await (const chunk of socket.iterator({ destroyOnReturn: false })) yield chunk as Buffer;
}

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * Checks that the host can bind `port` on `ip` for `proto` (0: any free port), and returns
 * the port. Throws the bind error (EADDRINUSE when something holds it).
 */
export function probePort(
  proto: 'tcp' | 'udp' | 'sctp',
  ip: string,
  port: number,
): Promise<number> {
  const host = ip === '' ? '0.0.0.0' : ip;
  if (proto === 'udp') {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', (err) => {
        socket.close();
        reject(err);
      });
      socket.bind({ address: host, port, exclusive: true }, () => {
        const bound = socket.address().port;
        socket.close(() => resolve(bound));
      });
    });
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

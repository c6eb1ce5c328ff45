import { createSocket } from 'node:dgram';
import { type Socket, createServer } from 'node:net';

import {
  CLASS_IN,
  RCODE_NOERROR,
  RCODE_SERVFAIL,
  TYPE_A,
  buildReply,
  parseQuery,
} from './dns-message.js';

/**
 * The names a network's resolver owns: name (asked from address `from`) → addresses;
 * undefined when not its own.
 */
export type DnsRecords = (name: string, from: string) => string[] | undefined;

export interface DnsServer {
  close(): Promise<void>;
}

export interface DnsServerOptions {
  /** Where it listens: the network's gateway address, port 53 (UDP and TCP). */
  address: string;
  port?: number;
  records: DnsRecords;
  /** The host's resolvers, for every other name. */
  upstreams: readonly string[];
  /** How long an upstream may take (ms). */
  timeoutMs?: number;
  /** The upstreams' port (53). */
  upstreamPort?: number;
}

/** Asks the first upstream that answers in time; undefined when none does. */
async function forward(
  message: Buffer,
  upstreams: readonly string[],
  timeoutMs: number,
  port: number,
): Promise<Buffer | undefined> {
  for (const upstream of upstreams) {
    const reply = await new Promise<Buffer | undefined>((resolve) => {
      const socket = createSocket(upstream.includes(':') ? 'udp6' : 'udp4');
      const done = (value: Buffer | undefined) => {
        clearTimeout(timer);
        socket.close();
        resolve(value);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      socket.on('error', () => done(undefined));
      socket.on('message', (data) => done(data));
      socket.send(message, port, upstream);
    });
    if (reply) return reply;
  }
  return undefined;
}

/**
 * A network's embedded resolver, as Docker's: names of containers on the network (and their
 * aliases) answer with all their addresses, rotated on each query (round-robin); other record
 * types of those names get an empty NOERROR answer; every other name goes to the host's
 * resolvers (SERVFAIL when none answers).
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const socket = createSocket('udp4');
  const turns = new Map<string, number>();
  const timeoutMs = options.timeoutMs ?? 2000;

  const answer = async (message: Buffer, from: string): Promise<Buffer | undefined> => {
    const query = parseQuery(message);
    if (!query) return undefined;
    const { name, type } = query.question;
    const addresses = query.question.class === CLASS_IN ? options.records(name, from) : undefined;
    if (addresses === undefined) {
      const reply = await forward(
        message,
        options.upstreams,
        timeoutMs,
        options.upstreamPort ?? 53,
      );
      return reply ?? buildReply(message, query, RCODE_SERVFAIL);
    }
    if (type !== TYPE_A) return buildReply(message, query, RCODE_NOERROR);
    const turn = turns.get(name) ?? 0;
    turns.set(name, turn + 1);
    const start = addresses.length > 0 ? turn % addresses.length : 0;
    const rotated = [...addresses.slice(start), ...addresses.slice(0, start)];
    return buildReply(message, query, RCODE_NOERROR, rotated);
  };

  socket.on('message', (message, from) => {
    answer(message, from.address)
      .then((reply) => {
        if (reply) socket.send(reply, from.port, from.address);
      })
      .catch(() => undefined);
  });
  const port = options.port ?? 53;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: options.address, port, exclusive: true }, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve();
    });
  });
  let tcp: DnsServer;
  try {
    tcp = await listenTcp(options.address, port, answer);
  } catch (err) {
    socket.close();
    throw err;
  }
  return {
    close: async () => {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await tcp.close();
    },
  };
}

/**
 * DNS over TCP (RFC 1035 4.2.2), as clients use for large answers: each message is preceded
 * by its two-byte length; a connection may carry several queries.
 */
async function listenTcp(
  address: string,
  port: number,
  answer: (message: Buffer, from: string) => Promise<Buffer | undefined>,
): Promise<DnsServer> {
  const connections = new Set<Socket>();
  const server = createServer((conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    let pending = Buffer.alloc(0);
    conn.on('error', () => undefined);
    conn.setTimeout(10_000, () => conn.destroy());
    conn.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + message.length);
        answer(Buffer.from(message), conn.remoteAddress ?? '')
          .then((reply) => {
            if (!reply || conn.destroyed) return;
            const length = Buffer.alloc(2);
            length.writeUInt16BE(reply.length);
            conn.write(Buffer.concat([length, reply]));
          })
          .catch(() => undefined);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const conn of connections) conn.destroy();
      }),
  };
}

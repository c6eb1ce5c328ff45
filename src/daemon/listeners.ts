import { readFile, chmod, chown, unlink } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

import {
  type HostAddress,
  type Logger,
  formatHostAddress,
  hasErrno,
  invalidArgument,
  isLoopbackHost,
  unavailable,
} from '../core/index.js';
import { takeUpgradeBody } from '../api/index.js';
import { lookupGroupId } from '../sys/index.js';
import type { DaemonConfig } from './config.js';

export interface Listener {
  address: HostAddress;
  server: http.Server;
}

/**
 * Refuses unauthenticated TCP off loopback unless TLS was explicitly turned off (`--tls=false`),
 * as dockerd 27+ does: an open Engine API is root on the host for anyone who can reach it.
 */
export function checkTcpSecurity(
  address: HostAddress,
  config: Pick<DaemonConfig, 'tls'>,
): string | undefined {
  if (address.kind !== 'tcp' || config.tls === true) return undefined;
  const where = formatHostAddress(address);
  if (isLoopbackHost(address.host)) {
    return `API is accessible on ${where} without encryption: any local user can control the daemon`;
  }
  if (config.tls === false) {
    return `API is accessible on ${where} without encryption or authentication: anyone who can reach it is root on this host`;
  }
  throw invalidArgument(
    `refusing to listen on ${where} without TLS: the API would be open to anyone who can reach it. ` +
      'Use --tlsverify with --tlscacert/--tlscert/--tlskey, or pass --tls=false to accept the risk',
  );
}

async function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect(path);
    conn.once('connect', () => {
      conn.destroy();
      resolve(true);
    });
    conn.once('error', () => resolve(false));
  });
}

function listen(
  server: net.Server,
  target: string | { host: string; port: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

async function openUnix(
  path: string,
  handler: http.RequestListener,
  config: DaemonConfig,
): Promise<http.Server> {
  if (await socketInUse(path)) {
    throw unavailable(`socket ${path} is in use by another daemon`);
  }
  await unlink(path).catch((err: unknown) => {
    if (!hasErrno(err, 'ENOENT')) throw err;
  });
  let gid = 0;
  if (config.group !== undefined) {
    const found = await lookupGroupId(config.group);
    if (found === undefined) throw invalidArgument(`group ${config.group} not found`);
    gid = found;
  }
  const server = acceptUpgrades(http.createServer(handler), handler);
  // The socket must never be reachable by others, not even between listen() and chmod().
  const previous = process.umask(0o177);
  try {
    await listen(server, path);
  } finally {
    process.umask(previous);
  }
  await chown(path, 0, gid);
  await chmod(path, 0o660);
  return server;
}

/** Upgraded (attach, exec) connections: the HTTP server no longer tracks them. */
const upgradedSockets = new WeakMap<http.Server, Set<net.Socket>>();

/**
 * Attach and exec start ask to upgrade the connection (`Upgrade: tcp`). Node then hands over
 * the raw socket, with nothing of the HTTP machinery left on it (a client that half-closes its
 * side, as the docker CLI does without stdin, must not end the stream). The same handler
 * serves it, with a response bound to the socket for errors.
 */
function acceptUpgrades<T extends http.Server>(server: T, handler: http.RequestListener): T {
  const hijacked = new Set<net.Socket>();
  upgradedSockets.set(server, hijacked);
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    hijacked.add(socket);
    socket.once('close', () => hijacked.delete(socket));
    void takeUpgradeBody(req, socket, head).then(() => {
      const res = new http.ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket);
      res.on('finish', () => socket.end());
      handler(req, res);
    });
  });
  return server;
}

async function openTcp(
  address: { host: string; port: number },
  handler: http.RequestListener,
  config: DaemonConfig,
): Promise<http.Server> {
  if (config.tls !== true) {
    const server = acceptUpgrades(http.createServer(handler), handler);
    await listen(server, address);
    return server;
  }
  const read = async (what: string, path: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      throw invalidArgument(`could not read TLS ${what} ${path}: ${(err as Error).message}`, err);
    }
  };
  const server = https.createServer(
    {
      cert: await read('certificate', config.tlsCert),
      key: await read('key', config.tlsKey),
      ca: config.tlsVerify ? await read('CA certificate', config.tlsCaCert) : undefined,
      requestCert: config.tlsVerify,
      rejectUnauthorized: config.tlsVerify,
      minVersion: 'TLSv1.2',
    },
    handler,
  );
  acceptUpgrades(server, handler);
  await listen(server, address);
  return server;
}

/** Opens every listener; on failure, closes the ones already open. */
export async function openListeners(
  addresses: HostAddress[],
  handler: http.RequestListener,
  config: DaemonConfig,
  logger: Logger,
): Promise<Listener[]> {
  for (const address of addresses) {
    const warning = checkTcpSecurity(address, config);
    if (warning) logger.warn(warning);
  }
  const opened: Listener[] = [];
  try {
    for (const address of addresses) {
      const server =
        address.kind === 'unix'
          ? await openUnix(address.path, handler, config)
          : await openTcp(address, handler, config);
      opened.push({ address, server });
      logger.info('API listen', { addr: formatHostAddress(address) });
    }
  } catch (err) {
    await closeListeners(opened, 0);
    throw err;
  }
  return opened;
}

/**
 * Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts what is left
 * (long streams such as `logs -f`), and removes unix socket files.
 */
export async function closeListeners(listeners: Listener[], graceMs: number): Promise<void> {
  await Promise.all(
    listeners.map(async ({ address, server }) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        server.closeAllConnections();
        for (const socket of upgradedSockets.get(server) ?? []) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
      if (address.kind === 'unix') {
        await unlink(address.path).catch((err: unknown) => {
          if (!hasErrno(err, 'ENOENT')) throw err;
        });
      }
    }),
  );
}

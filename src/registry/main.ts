import { readFile } from 'node:fs/promises';
import {
  type IncomingMessage,
  type ServerResponse,
  createServer as createHttpServer,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { resolve } from 'node:path';

import { type FlagSpec, errorMessage, flagBool, flagString, parseFlags } from '../core/index.js';
import { verifyHtpasswd } from '../sys/index.js';
import { withBasicAuth } from './basic-auth.js';
import { collectGarbage } from './registry-gc.js';
import { createRegistryHandler } from './registry-server.js';
import { openRegistryStorage } from './registry-storage.js';

const USAGE = `Usage:  moor registry COMMAND

Run an image registry (the distribution API v2) on a directory

Commands:
  serve       Serve a registry: moor registry serve --addr 127.0.0.1:5000 --root DIR
  gc          Remove the blobs no manifest refers to: moor registry gc --root DIR [--dry-run]
`;

const SERVE_FLAGS: FlagSpec[] = [
  { name: 'addr', type: 'string', help: 'Address to listen on (host:port)' },
  { name: 'root', type: 'string', help: 'Directory holding the registry' },
  { name: 'tls-cert', type: 'string', help: 'Serve HTTPS with this certificate (PEM)' },
  { name: 'tls-key', type: 'string', help: 'The key of --tls-cert (PEM)' },
  {
    name: 'tls-client-ca',
    type: 'string',
    help: 'Require client certificates signed by this CA (PEM; with --tls-cert)',
  },
  { name: 'htpasswd', type: 'string', help: 'Require basic auth with this htpasswd file (bcrypt)' },
];
const GC_FLAGS: FlagSpec[] = [
  { name: 'root', type: 'string', help: 'Directory holding the registry' },
  { name: 'dry-run', type: 'bool', help: 'Only list what would be removed' },
];

/**
 * `moor registry serve|gc`: the registry runs on its own, outside moord (bin/moor hands this
 * command here, so the CLI itself never loads server code). `serve` runs until SIGINT/SIGTERM.
 */
export async function registryMain(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'serve') return await serve(rest);
    if (command === 'gc') return await gc(rest);
    process.stdout.write(USAGE);
    return command === undefined || command === '--help' ? 0 : 1;
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    return 1;
  }
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`--${flag} is required`);
  return value;
}

async function serve(argv: string[]): Promise<number> {
  const flags = parseFlags(SERVE_FLAGS, argv);
  const addr = flagString(flags, 'addr') ?? '127.0.0.1:5000';
  const root = resolve(required(flagString(flags, 'root'), 'root'));
  const certFile = flagString(flags, 'tls-cert');
  const clientCa = flagString(flags, 'tls-client-ca');
  if (clientCa && !certFile) throw new Error('--tls-client-ca needs --tls-cert');
  const server = await serveRegistry({
    addr,
    root,
    htpasswd: flagString(flags, 'htpasswd'),
    tls: certFile
      ? { cert: certFile, key: required(flagString(flags, 'tls-key'), 'tls-key'), clientCa }
      : undefined,
  });
  process.stderr.write(
    `registry listening on ${addr} (${certFile ? 'https' : 'http'}), root ${root}\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/**
 * A registry server on `addr` (host:port) over the directory `root`: `moor registry serve`,
 * and moord's `--registry-addr`. Resolves once it listens.
 */
export async function serveRegistry(options: {
  addr: string;
  root: string;
  htpasswd?: string | undefined;
  /** `clientCa`: client certificates signed by it are required (mutual TLS). */
  tls?: { cert: string; key: string; clientCa?: string | undefined } | undefined;
}): Promise<{ close(): Promise<void> }> {
  const colon = options.addr.lastIndexOf(':');
  const host = options.addr.slice(0, colon) || '127.0.0.1';
  const port = Number(options.addr.slice(colon + 1));
  const open = createRegistryHandler(await openRegistryStorage(options.root));
  const htpasswd = options.htpasswd;
  const handler = htpasswd
    ? withBasicAuth(open, (user, password) => verifyHtpasswd(resolve(htpasswd), user, password))
    : open;
  const listener = (req: IncomingMessage, res: ServerResponse) => void handler(req, res);
  const server = options.tls
    ? createHttpsServer(
        {
          cert: await readFile(options.tls.cert),
          key: await readFile(options.tls.key),
          ...(options.tls.clientCa
            ? { ca: await readFile(options.tls.clientCa), requestCert: true }
            : {}),
        },
        listener,
      )
    : createHttpServer(listener);
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(port, host, ready);
  });
  return {
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

async function gc(argv: string[]): Promise<number> {
  const flags = parseFlags(GC_FLAGS, argv);
  const storage = await openRegistryStorage(resolve(required(flagString(flags, 'root'), 'root')));
  const removed = await collectGarbage(storage, { dryRun: flagBool(flags, 'dry-run') });
  for (const digest of removed) process.stdout.write(`${digest}\n`);
  return 0;
}

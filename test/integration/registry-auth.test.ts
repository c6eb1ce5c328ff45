import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createRegistryHandler, openRegistryStorage } from '../../src/registry/index.js';
import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { type TestRegistry, startTestRegistry } from '../helpers/registry.js';
import { ok, run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'registry-auth';
const USER = 'tester';
const PASSWORD = 'secret-pass';

/**
 * Registries that want credentials, on loopback: one with Docker's token flow (a test token
 * server issuing bearer tokens for basic credentials), one with basic auth, and moor's own
 * with an htpasswd file (bcrypt, made by apache2-utils' htpasswd). `docker login`
 * goes through moord's POST /auth; pushes and pulls carry the CLI's X-Registry-Auth.
 */
describe('registry authentication', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  const servers: Server[] = [];
  const tokens = new Set<string>();
  let tokenRegistry = '';
  let basicRegistry = '';
  let htpasswdRegistry: TestRegistry | undefined;

  const basicOk = (req: IncomingMessage) =>
    req.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

  async function serve(
    root: string,
    guard: (req: IncomingMessage, res: ServerResponse, base: string) => boolean,
  ): Promise<string> {
    const handler = createRegistryHandler(await openRegistryStorage(root));
    let base = '';
    const server = createServer((req, res) => {
      if (guard(req, res, base)) void handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return base;
  }

  const deny = (res: ServerResponse, challenge: string) => {
    res.writeHead(401, { 'WWW-Authenticate': challenge, 'Content-Type': 'application/json' });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    daemon = await startDaemonWithBusybox(NAME);
    tokenRegistry = await serve(join(dir, 'token-root'), (req, res, base) => {
      if (req.url?.startsWith('/token')) {
        if (!basicOk(req)) {
          res.writeHead(401).end('{"details":"incorrect username or password"}');
          return false;
        }
        const token = randomBytes(16).toString('hex');
        tokens.add(token);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
        return false;
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (bearer && tokens.has(bearer)) return true;
      deny(res, `Bearer realm="http://${base}/token",service="test-registry"`);
      return false;
    });
    const htpasswd = join(dir, 'htpasswd');
    const made = await run('htpasswd', ['-B', '-b', '-c', htpasswd, USER, PASSWORD]);
    assert.equal(made.code, 0, made.stderr);
    htpasswdRegistry = await startTestRegistry(NAME, ['--htpasswd', htpasswd]);
    basicRegistry = await serve(join(dir, 'basic-root'), (req, res) => {
      if (basicOk(req)) return true;
      deny(res, 'Basic realm="test"');
      return false;
    });
  });
  after(async () => {
    await htpasswdRegistry?.stop();
    for (const server of servers) server.close();
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  for (const kind of ['token', 'basic', 'htpasswd'] as const) {
    test(`${kind} auth: login, push, pull; refused without or with wrong credentials`, async () => {
      const registry =
        kind === 'token'
          ? tokenRegistry
          : kind === 'basic'
            ? basicRegistry
            : htpasswdRegistry!.address;
      const docker = dockerCli(daemon!, join(dir, `config-${kind}`));
      const anonymous = dockerCli(daemon!, join(dir, `config-${kind}-anonymous`));
      const wrong = await docker(['login', registry, '-u', USER, '--password-stdin'], {
        input: 'wrong\n',
      });
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /unauthorized|incorrect username or password/);
      const login = ok(
        await docker(['login', registry, '-u', USER, '--password-stdin'], {
          input: `${PASSWORD}\n`,
        }),
      );
      assert.match(login.stdout, /Login Succeeded/);

      const ctx = join(dir, `ctx-${kind}`);
      await mkdir(ctx);
      await writeFile(join(ctx, 'Dockerfile'), `FROM busybox\nRUN echo ${kind} > /kind\n`);
      const ref = `${registry}/secure/app:v1`;
      ok(await docker(['build', '-t', ref, ctx]));
      const refused = await anonymous(['push', ref]);
      assert.notEqual(refused.code, 0);
      ok(await docker(['push', ref]));
      ok(await docker(['rmi', ref]));
      // Refused in the registry's words, as a daemon error: the docker CLI asks for no username.
      const anonymousPull = await anonymous(['pull', ref]);
      assert.equal(anonymousPull.code, 1);
      assert.match(anonymousPull.stderr, /^Error response from daemon: unauthorized: /m);
      assert.doesNotMatch(anonymousPull.stdout, /Username/);
      ok(await docker(['pull', ref]));
      assert.equal(ok(await docker(['run', '--rm', ref, 'cat', '/kind'])).stdout, `${kind}\n`);
    });
  }
});

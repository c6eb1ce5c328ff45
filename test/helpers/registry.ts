import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { MOOR } from './moord.js';
import { freePort, run } from './run.js';

export interface TestRegistry {
  /** host:port on loopback. */
  address: string;
  root: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** `moor registry serve` on a free loopback port and a temp root (`args`: more flags). */
export async function startTestRegistry(name: string, args: string[] = []): Promise<TestRegistry> {
  const root = await mkdtemp(join(tmpdir(), `moor-registry-${name}-`));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const proc = spawn(MOOR, ['registry', 'serve', '--addr', address, '--root', root, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  // Ready once it says so (plain HTTP or HTTPS alike), or failed when it exits first.
  await new Promise<void>((ready, fail) => {
    proc.stderr?.on('data', (c: Buffer) => {
      log += c.toString();
      if (log.includes('registry listening on')) ready();
    });
    proc.once('exit', () => fail(new Error(`registry did not start: ${log}`)));
  });
  return {
    address,
    root,
    proc,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Puts an image from a `docker save` archive into a registry by hand (gzip layers, schema 2
 * manifest), so that pulls can be tested apart from pushes. Returns the manifest digest.
 */
export async function seedRegistry(
  address: string,
  repo: string,
  tag: string,
  savedArchive: string,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'moor-seed-'));
  try {
    const untar = await run('tar', ['-C', dir, '-xf', savedArchive]);
    if (untar.code !== 0) throw new Error(untar.stderr);
    const [image] = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      Config: string;
      Layers: string[];
    }[];
    const upload = async (data: Buffer) => {
      const digest = sha(data);
      const res = await fetch(`http://${address}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        body: data,
      });
      if (res.status !== 201) throw new Error(`upload ${res.status}: ${await res.text()}`);
      return { digest, size: data.length };
    };
    const config = await upload(await readFile(join(dir, image!.Config)));
    const layers = [];
    for (const layer of image!.Layers)
      layers.push(await upload(gzipSync(await readFile(join(dir, layer)))));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        ...l,
      })),
    });
    const res = await fetch(`http://${address}/v2/${repo}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
      body: manifest,
    });
    if (res.status !== 201) throw new Error(`manifest ${res.status}: ${await res.text()}`);
    return res.headers.get('docker-content-digest') ?? '';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

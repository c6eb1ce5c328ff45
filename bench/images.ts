/**
 * Image benchmark: load and save of a generated ~500 MB single-layer image through moord,
 * in MB/s, beside `tar` (create and extract) and `gzip -1` of the same data measured in the
 * same run as the reference. Needs root (moord). Run: npm run bench:images [-- --mb 500]
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { createClient } from '../src/client/index.js';
import { startTestDaemon } from '../test/helpers/moord.js';
import { run } from '../test/helpers/run.js';
import { cleanupBenchDaemon } from './measure.js';

const mbArg = process.argv.indexOf('--mb');
const totalMb = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 500;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e9];
}

async function mustRun(cmd: string, args: string[]): Promise<void> {
  const r = await run('sh', ['-c', [cmd, ...args].join(' ')], { timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'moor-bench-images-'));
  const daemon = await startTestDaemon('bench-images');
  const client = createClient({ host: daemon.host });
  try {
    // Data: half random (incompressible), half text-like (compressible), in 8 MB files.
    const rootfs = join(dir, 'rootfs');
    await mkdir(rootfs);
    const fileMb = 8;
    for (let i = 0; i < Math.ceil(totalMb / fileMb); i++) {
      const chunk =
        i % 2 === 0 ? randomBytes(fileMb << 20) : Buffer.alloc(fileMb << 20, `line ${i} of text\n`);
      await writeFile(join(rootfs, `file-${i}`), chunk);
    }
    const tarPath = join(dir, 'rootfs.tar');
    const [, tarCreate] = await timed(() => mustRun('tar', ['-C', rootfs, '-cf', tarPath, '.']));
    const size = (await stat(tarPath)).size;
    const out = join(dir, 'extract');
    await mkdir(out);
    const [, tarExtract] = await timed(() => mustRun('tar', ['-C', out, '-xf', tarPath]));
    const [, gzipTime] = await timed(() =>
      mustRun('gzip', ['-1', '-c', tarPath, '>', join(dir, 'rootfs.tar.gz')]),
    );

    // moor: import once to have the image, then time save and load.
    const importRes = await client.stream('POST', '/images/create', {
      query: { fromSrc: '-', repo: 'bench', tag: 'big' },
      body: await readFile(tarPath),
      headers: { 'Content-Type': 'application/x-tar' },
    });
    for await (const _ of importRes) void _;
    const savedPath = join(dir, 'saved.tar');
    const [, saveTime] = await timed(async () => {
      const res = await client.stream('GET', '/images/bench:big/get');
      await pipeline(res, createWriteStream(savedPath));
    });
    await client.json('DELETE', '/images/bench:big');
    const saved = await readFile(savedPath);
    const [, loadTime] = await timed(async () => {
      const res = await client.stream('POST', '/images/load', {
        query: { quiet: '1' },
        body: saved,
        headers: { 'Content-Type': 'application/x-tar' },
      });
      for await (const _ of res) void _;
    });

    const mbs = (seconds: number) => size / (1 << 20) / seconds;
    const rows: [string, number][] = [
      ['tar create (reference)', mbs(tarCreate)],
      ['tar extract (reference)', mbs(tarExtract)],
      ['gzip -1 (reference)', mbs(gzipTime)],
      ['moor save', mbs(saveTime)],
      ['moor load', mbs(loadTime)],
    ];
    console.log(`image of ${(size / (1 << 20)).toFixed(0)} MB`);
    for (const [name, rate] of rows)
      console.log(`${name.padEnd(26)} ${rate.toFixed(1).padStart(8)} MB/s`);
    console.log(`save / tar create   ratio ${(mbs(saveTime) / mbs(tarCreate)).toFixed(2)}`);
    console.log(`load / tar extract  ratio ${(mbs(loadTime) / mbs(tarExtract)).toFixed(2)}`);
  } finally {
    client.close();
    await cleanupBenchDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { setImmediate } from 'node:timers/promises';

import { createTarWriter, readTar } from '../archive/index.js';
import {
  addDockerfileToArchive,
  contextFromStream,
  isArchive,
  isGitUrl,
  isHttpUrl,
  randomDockerfileName,
} from './build-input.js';

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const tar = createTarWriter();
  const chunks: Buffer[] = [];
  const reading = (async () => {
    for await (const chunk of tar.readable) chunks.push(chunk as Buffer);
  })();
  for (const [name, content] of Object.entries(files)) {
    await tar.add({ name, type: 'file' }, Buffer.from(content));
  }
  await tar.finish();
  await reading;
  return Buffer.concat(chunks);
}

/** `data` in pieces, each on its own event-loop turn, as a pipe delivers it. */
async function* chunks(data: Buffer, size = 100): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) {
    await setImmediate();
    yield data.subarray(i, i + size);
  }
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of source) out.push(chunk);
  return Buffer.concat(out);
}

async function filesOf(source: AsyncIterable<Buffer>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const entry of readTar(source)) {
    out[entry.header.name] = (await entry.buffer()).toString();
  }
  return out;
}

test('an archive is a tar header with a valid checksum or compressed data', async () => {
  const tar = await tarOf({ Dockerfile: 'FROM scratch\n' });
  assert.ok(isArchive(tar.subarray(0, 1024)));
  assert.ok(isArchive(gzipSync(Buffer.from('anything'))));
  assert.ok(!isArchive(Buffer.from('FROM busybox\nRUN echo hi\n')));
  assert.ok(!isArchive(Buffer.alloc(1024)));
  assert.ok(!isArchive(Buffer.from('x'.repeat(2000))));
});

test('stdin with a tar is sent as it is, with -f naming the Dockerfile in it', async () => {
  const tar = await tarOf({ 'build/Dockerfile': 'FROM scratch\n', 'a.txt': 'a' });
  const context = await contextFromStream(chunks(tar), 'build/Dockerfile');
  assert.equal(context.relDockerfile, 'build/Dockerfile');
  assert.deepEqual(await collect(context.body), tar);
});

test('stdin with a Dockerfile becomes a tar holding `Dockerfile`', async () => {
  const text = 'FROM busybox\nCMD ["sh"]\n';
  const context = await contextFromStream(chunks(Buffer.from(text), 7), '');
  assert.equal(context.relDockerfile, 'Dockerfile');
  assert.deepEqual(await filesOf(context.body), { Dockerfile: text });
  const empty = await contextFromStream(chunks(Buffer.alloc(0)), '');
  assert.deepEqual(await filesOf(empty.body), { Dockerfile: '' });
});

test('a Dockerfile on stdin with -f is docker’s error', async () => {
  await assert.rejects(contextFromStream(chunks(Buffer.from('FROM a\n')), 'Dockerfile.dev'), {
    message: 'ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles',
  });
  await assert.rejects(contextFromStream(chunks(Buffer.from('FROM a\n')), '-'), {
    message: 'build context is not an archive',
  });
});

test('a Dockerfile added to an archive context, listed in its .dockerignore', async () => {
  const name = randomDockerfileName();
  assert.match(name, /^\.dockerfile\.[0-9a-f]{20}$/);
  const content = Buffer.from('FROM scratch\n');
  const withIgnore = await tarOf({ '.dockerignore': '*.md', 'a.txt': 'a' });
  assert.deepEqual(await filesOf(addDockerfileToArchive(chunks(withIgnore), { name, content })), {
    '.dockerignore': `*.md\n${name}\n`,
    'a.txt': 'a',
    [name]: 'FROM scratch\n',
  });
  const gzipped = gzipSync(await tarOf({ 'a.txt': 'a' }));
  assert.deepEqual(await filesOf(addDockerfileToArchive(chunks(gzipped), { name, content })), {
    'a.txt': 'a',
    '.dockerignore': `.dockerignore\n${name}\n`,
    [name]: 'FROM scratch\n',
  });
});

test('git repositories and http URLs as docker tells them apart', () => {
  assert.ok(isGitUrl('https://github.com/moby/moby.git'));
  assert.ok(isGitUrl('https://example.com/repo.git#main:dir'));
  assert.ok(isGitUrl('git://example.com/repo'));
  assert.ok(isGitUrl('git@github.com:moby/moby'));
  assert.ok(isGitUrl('github.com/moby/moby'));
  assert.ok(!isGitUrl('https://example.com/context.tar'));
  assert.ok(isHttpUrl('https://example.com/context.tar'));
  assert.ok(isHttpUrl('http://127.0.0.1:8080/Dockerfile'));
  assert.ok(!isHttpUrl('ftp://example.com/x'));
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { type FileSpec, makeTar } from '../../test/helpers/archives.js';
import { isMoorError } from '../core/index.js';
import { type BuildContext, openBuildContext } from './build-context.js';

const isRoot = process.getuid?.() === 0;
const FROM = 'FROM scratch\n';

describe(
  'openBuildContext',
  { skip: isRoot ? false : 'extracting keeps owners: needs root' },
  () => {
    let tmp: string;
    const opened: BuildContext[] = [];

    before(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'moor-build-context-test-'));
    });
    after(async () => {
      for (const context of opened) await context.close();
      await rm(tmp, { recursive: true, force: true });
    });

    async function open(
      body: Buffer | string,
      dockerfile?: string,
      tmpDir = join(tmp, 'contexts'),
    ): Promise<BuildContext> {
      const context = await openBuildContext({
        body: Readable.from([Buffer.from(body)]),
        dockerfile,
        tmpDir,
        signal: AbortSignal.timeout(10_000),
      });
      opened.push(context);
      return context;
    }

    /** The error openBuildContext fails with; the context directory is gone by then. */
    async function failure(body: Buffer | string, dockerfile?: string): Promise<Error> {
      const tmpDir = await mkdtemp(join(tmp, 'failing-'));
      const error = await open(body, dockerfile, tmpDir).then(
        () => assert.fail('the context opened'),
        (err: unknown) => err as Error,
      );
      assert.deepEqual(await readdir(tmpDir), [], 'nothing left behind');
      return error;
    }

    const withDockerfile = (files: FileSpec[], text = FROM) =>
      makeTar([{ name: 'Dockerfile', content: text }, ...files]);

    it('extracts a plain tar, keeping modes, times, symlinks and hard links', async () => {
      const tar = await withDockerfile([
        { name: 'bin/', type: 'directory', mode: 0o750 },
        { name: 'bin/tool', content: '#!/bin/sh\n', mode: 0o755 },
        { name: 'bin/link', type: 'symlink', linkname: 'tool' },
        { name: 'bin/hard', type: 'hardlink', linkname: 'bin/tool', mode: 0o755 },
        { name: 'abs', type: 'symlink', linkname: '/etc/passwd' },
      ]);
      const context = await open(tar);
      assert.equal(context.dockerfileName, 'Dockerfile');
      assert.equal(context.dockerfileText, FROM);
      assert.deepEqual(context.dockerignore, []);
      const tool = await stat(join(context.dir, 'bin/tool'));
      assert.equal(tool.mode & 0o7777, 0o755);
      assert.equal(tool.mtime.toISOString(), '2026-01-01T00:00:00.000Z');
      assert.equal(tool.nlink, 2);
      assert.equal((await stat(join(context.dir, 'bin'))).mode & 0o7777, 0o750);
      assert.equal(await readlink(join(context.dir, 'bin/link')), 'tool');
      assert.equal(await readlink(join(context.dir, 'abs')), '/etc/passwd');
      await context.close();
      assert.equal(existsSync(context.dir), false, 'close removes the context');
    });

    it('extracts compressed tars: gzip, and bzip2, xz and zstd with the host tools', async () => {
      const tar = await withDockerfile([{ name: 'a.txt', content: 'a\n' }]);
      const compressed: Array<[string, Buffer]> = [['gzip', gzipSync(tar)]];
      for (const tool of ['bzip2', 'xz', 'zstd']) {
        const result = spawnSync(tool, ['-c', '-q'], { input: tar });
        if (result.status === 0) compressed.push([tool, result.stdout]);
      }
      for (const [format, body] of compressed) {
        const context = await open(body);
        assert.equal(await readFile(join(context.dir, 'a.txt'), 'utf8'), 'a\n', format);
        assert.equal(context.dockerfileText, FROM, format);
      }
    });

    it("fails on corrupt compressed data with the tool's message", async () => {
      const xzMagic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
      const error = await failure(Buffer.concat([xzMagic, Buffer.from('not xz data')]));
      assert.ok(isMoorError(error, 'InvalidArgument') || isMoorError(error, 'Unavailable'));
      assert.match(error.message, /^xz/);
    });

    it('takes a body that is no archive for the Dockerfile, with an empty context', async () => {
      const text = 'FROM busybox\nRUN echo hi\n';
      const context = await open(text);
      assert.equal(context.dockerfileName, 'Dockerfile');
      assert.equal(context.dockerfileText, text);
      assert.deepEqual(await readdir(context.dir), []);
    });

    it('treats an empty body or an empty tar as an empty context', async () => {
      assert.match((await failure('')).message, /^Cannot locate specified Dockerfile: Dockerfile$/);
      const emptyTar = Buffer.alloc(1024);
      assert.match((await failure(emptyTar)).message, /^Cannot locate specified Dockerfile/);
    });

    it('reads the Dockerfile from the path given, or dockerfile when Dockerfile is missing', async () => {
      const custom = await makeTar([{ name: 'build/dev.Dockerfile', content: 'FROM a\n' }]);
      const context = await open(custom, 'build/dev.Dockerfile');
      assert.equal(context.dockerfileName, 'build/dev.Dockerfile');
      assert.equal(context.dockerfileText, 'FROM a\n');
      assert.equal((await open(custom, '/build/./dev.Dockerfile')).dockerfileText, 'FROM a\n');

      const lower = await makeTar([{ name: 'dockerfile', content: 'FROM b\n' }]);
      const found = await open(lower);
      assert.equal(found.dockerfileName, 'dockerfile');
      assert.equal(found.dockerfileText, 'FROM b\n');
      assert.equal((await open(lower, 'Dockerfile')).dockerfileName, 'dockerfile');
    });

    it("fails with dockerd's words for a missing, empty or directory Dockerfile", async () => {
      const tar = await makeTar([
        { name: 'empty', content: '' },
        { name: 'dir/', type: 'directory' },
        { name: 'file', content: 'x' },
      ]);
      const missing = await failure(tar);
      assert.equal(missing.message, 'Cannot locate specified Dockerfile: Dockerfile');
      assert.ok(isMoorError(missing, 'NotFound'), 'a client error');
      assert.equal(
        (await failure(tar, 'nope')).message,
        'Cannot locate specified Dockerfile: nope',
      );

      const empty = await failure(tar, 'empty');
      assert.equal(empty.message, 'the Dockerfile (empty) cannot be empty');
      assert.ok(isMoorError(empty, 'InvalidArgument'));

      const dir = await failure(tar, 'dir');
      assert.match(
        dir.message,
        /^unexpected error reading Dockerfile: read \/.*\/dir: is a directory$/,
      );
      assert.match((await failure(tar, 'file/Dockerfile')).message, /^open .*: not a directory$/);
    });

    it('refuses a Dockerfile path outside the context; links resolve inside it', async () => {
      const tar = await makeTar([
        { name: 'Dockerfile', type: 'symlink', linkname: '/etc/passwd' },
        { name: 'real/Dockerfile', content: FROM },
        { name: 'inside', type: 'symlink', linkname: '/real/Dockerfile' },
      ]);
      const outside = await failure(tar, '../Dockerfile');
      assert.equal(outside.message, 'forbidden path outside the build context: ../Dockerfile ()');
      // /etc/passwd is looked for in the context, as dockerd does.
      assert.equal((await failure(tar)).message, 'Cannot locate specified Dockerfile: Dockerfile');
      assert.equal((await open(tar, 'inside')).dockerfileText, FROM);
    });

    it('refuses entries that would leave the context', async () => {
      const escapes: FileSpec[][] = [
        [{ name: '../evil', content: 'x' }],
        [{ name: 'a/../../evil', content: 'x' }],
        [{ name: 'up', type: 'symlink', linkname: '../../evil' }],
        [{ name: 'hard', type: 'hardlink', linkname: '../evil' }],
      ];
      for (const files of escapes) {
        const error = await failure(await withDockerfile(files));
        assert.ok(isMoorError(error, 'InvalidArgument'), `${files[0]?.name}: ${error.message}`);
      }
      assert.equal(existsSync(join(tmp, 'evil')), false);
    });

    it('writes through a symlinked directory inside the context, never outside it', async () => {
      const outside = await mkdtemp(join(tmpdir(), 'moor-build-context-test-outside-'));
      try {
        const tar = await withDockerfile([
          { name: 'out', type: 'symlink', linkname: outside },
          { name: 'out/planted', content: 'x' },
        ]);
        const context = await open(tar);
        assert.deepEqual(await readdir(outside), []);
        assert.equal(await readFile(join(context.dir, outside, 'planted'), 'utf8'), 'x');
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it('applies .dockerignore: exceptions kept, the Dockerfile and itself read but removed', async () => {
      const ignore = [
        '*.log',
        '!keep.log',
        'secret',
        'docs',
        '!docs/keep.md',
        'vendor',
        '!**/*.go',
        'Dockerfile',
        '.dockerignore',
      ].join('\n');
      const tar = await withDockerfile([
        { name: '.dockerignore', content: ignore },
        { name: 'a.log', content: 'x' },
        { name: 'keep.log', content: 'x' },
        { name: 'secret/key', content: 'x' },
        { name: 'docs/keep.md', content: 'x' },
        { name: 'docs/drop.md', content: 'x' },
        { name: 'vendor/lib.go', content: 'x' },
        { name: 'src/main.go', content: 'x' },
        { name: 'src/notes.log', content: 'x' },
      ]);
      const context = await open(tar);
      assert.equal(context.dockerfileText, FROM);
      assert.deepEqual(context.dockerignore, ignore.split('\n'));
      const left = await readdir(context.dir, { recursive: true });
      assert.deepEqual(left.sort(), [
        'docs',
        'docs/keep.md',
        'keep.log',
        'src',
        'src/main.go',
        'src/notes.log',
      ]);
    });

    it('keeps the Dockerfile and .dockerignore when they are not excluded', async () => {
      const tar = await withDockerfile([
        { name: '.dockerignore', content: '# nothing of ours\n*.tmp\n' },
        { name: 'x.tmp', content: 'x' },
      ]);
      const context = await open(tar);
      assert.deepEqual((await readdir(context.dir)).sort(), ['.dockerignore', 'Dockerfile']);
      assert.deepEqual(context.dockerignore, ['*.tmp']);
    });

    it('removes a custom Dockerfile when excluded, and nothing for invalid patterns', async () => {
      const custom = await makeTar([
        { name: '.dockerignore', content: 'ci\n' },
        { name: 'ci/build.Dockerfile', content: FROM },
      ]);
      const context = await open(custom, 'ci/build.Dockerfile');
      assert.equal(context.dockerfileText, FROM);
      assert.deepEqual(await readdir(context.dir), ['.dockerignore']);

      const invalid = await withDockerfile([
        { name: '.dockerignore', content: 'Dockerfile\n[\n' },
        { name: 'a', content: 'x' },
      ]);
      const kept = await open(invalid);
      assert.deepEqual((await readdir(kept.dir)).sort(), ['.dockerignore', 'Dockerfile', 'a']);
    });

    it('gives a directory its times back when excluded entries leave it', async () => {
      const tar = await withDockerfile([
        { name: '.dockerignore', content: 'dir/*.o\n' },
        { name: 'dir/', type: 'directory' },
        { name: 'dir/a.o', content: 'x' },
        { name: 'dir/a.c', content: 'x' },
      ]);
      const context = await open(tar);
      assert.deepEqual(await readdir(join(context.dir, 'dir')), ['a.c']);
      const info = await lstat(join(context.dir, 'dir'));
      assert.equal(info.mtime.toISOString(), '2026-01-01T00:00:00.000Z');
    });

    it('refuses remotes that are no URL, and the session remote', async () => {
      const tmpDir = await mkdtemp(join(tmp, 'remotes-'));
      const remote = (value: string) =>
        openBuildContext({
          body: Readable.from([]),
          remote: value,
          tmpDir,
          signal: AbortSignal.timeout(10_000),
        });
      await assert.rejects(remote('ftp://example/x'), {
        message: 'remoteURL (ftp://example/x) could not be recognized as URL',
      });
      await assert.rejects(remote('client-session'), /no longer supported/);
      assert.deepEqual(await readdir(tmpDir), []);
    });
  },
);

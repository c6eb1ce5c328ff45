import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { type TarHeader, readTar } from '../archive/index.js';
import {
  contextTar,
  isOutsideContext,
  keepBuildFiles,
  listContext,
  readDockerignore,
  resolveLocalContext,
} from './build-context.js';

interface Entry {
  header: TarHeader;
  body: string;
}

async function entriesOf(tar: AsyncIterable<Buffer>): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const entry of readTar(tar)) {
    out.push({ header: entry.header, body: (await entry.buffer()).toString() });
  }
  return out;
}

/** The tar docker would send for `dir` (with the Dockerfile at `relDockerfile`). */
async function contextEntries(dir: string, relDockerfile = 'Dockerfile', fromStdin = false) {
  const patterns = keepBuildFiles(await readDockerignore(dir), relDockerfile, fromStdin);
  return entriesOf(contextTar(await listContext(dir, patterns)));
}

const names = (entries: Entry[]) => entries.map((e) => e.header.name);

describe('build context from a directory', () => {
  let root = '';
  let counter = 0;
  /** A fresh context directory holding `files` (a name ending in `/` is a directory). */
  const context = async (files: Record<string, string>): Promise<string> => {
    const dir = join(root, `ctx${counter++}`);
    await mkdir(dir);
    for (const [name, content] of Object.entries(files)) {
      if (name.endsWith('/')) await mkdir(join(dir, name), { recursive: true });
      else {
        await mkdir(join(dir, name, '..'), { recursive: true });
        await writeFile(join(dir, name), content);
      }
    }
    return dir;
  };
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'moor-build-context-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('relative names in lexical walk order, directories with a slash, owner 0:0', async () => {
    const dir = await context({
      Dockerfile: 'FROM scratch\n',
      'b.txt': 'b',
      'a/z.txt': 'z',
      'a/b/c.txt': 'c',
      'A.txt': 'A',
      'empty/': '',
    });
    const entries = await contextEntries(dir);
    assert.deepEqual(names(entries), [
      'A.txt',
      'Dockerfile',
      'a/',
      'a/b/',
      'a/b/c.txt',
      'a/z.txt',
      'b.txt',
      'empty/',
    ]);
    for (const { header } of entries) {
      assert.equal(header.uid, 0);
      assert.equal(header.gid, 0);
      assert.equal(header.uname, '');
    }
    const c = entries.find((e) => e.header.name === 'a/b/c.txt')!;
    assert.equal(c.body, 'c');
    assert.equal(c.header.type, 'file');
    assert.equal(entries.find((e) => e.header.name === 'a/')!.header.type, 'directory');
  });

  test('.dockerignore excludes files and whole directories, but never itself or the Dockerfile', async () => {
    const dir = await context({
      Dockerfile: 'FROM scratch\n',
      '.dockerignore': '*.log\nnode_modules\nDockerfile\n.dockerignore\n',
      'app.js': 'x',
      'debug.log': 'noise',
      'node_modules/dep/index.js': 'dep',
      'src/main.log': 'kept: *.log is only the top level',
    });
    const entries = await contextEntries(dir);
    assert.deepEqual(names(entries), [
      '.dockerignore',
      'Dockerfile',
      'app.js',
      'src/',
      'src/main.log',
    ]);
  });

  test('an exception re-includes a file inside an excluded directory (the directory is not sent)', async () => {
    const dir = await context({
      Dockerfile: 'FROM scratch\n',
      '.dockerignore': 'docs\n!docs/keep.md\n',
      'docs/keep.md': 'keep',
      'docs/drop.md': 'drop',
    });
    assert.deepEqual(names(await contextEntries(dir)), [
      '.dockerignore',
      'Dockerfile',
      'docs/keep.md',
    ]);
  });

  test('a Dockerfile in an excluded directory is still sent', async () => {
    const dir = await context({
      '.dockerignore': 'build\n',
      'build/Dockerfile': 'FROM scratch\n',
      'build/other': 'x',
    });
    const local = await resolveLocalContext(dir, join(dir, 'build/Dockerfile'), '/');
    assert.equal(local.relDockerfile, 'build/Dockerfile');
    assert.deepEqual(names(await contextEntries(dir, local.relDockerfile)), [
      '.dockerignore',
      'build/Dockerfile',
    ]);
  });

  test('a Dockerfile from stdin gets no exception of its own', () => {
    assert.deepEqual(keepBuildFiles(['*'], '-', true), ['*', '!.dockerignore']);
    assert.deepEqual(keepBuildFiles(['*'], 'Dockerfile', false), [
      '*',
      '!.dockerignore',
      '!Dockerfile',
    ]);
    assert.deepEqual(keepBuildFiles(['*.log'], 'Dockerfile', false), ['*.log']);
  });

  test('a pattern docker cannot match is left for the walk to report', async () => {
    assert.deepEqual(keepBuildFiles(['a['], 'Dockerfile', false), ['a[']);
    const dir = await context({ Dockerfile: 'FROM scratch\n', '.dockerignore': 'a[\n' });
    await assert.rejects(contextEntries(dir, 'Dockerfile'), /syntax error in pattern/);
  });

  test('the Dockerfile: PATH/Dockerfile, else PATH/dockerfile; -f is relative to the working directory', async () => {
    const dir = await context({ dockerfile: 'FROM scratch\n', 'sub/Build.df': 'FROM scratch\n' });
    const realDir = (await resolveLocalContext(dir, '', '/')).dir;
    assert.deepEqual(await resolveLocalContext(dir, '', '/'), {
      dir: realDir,
      relDockerfile: 'dockerfile',
    });
    const fromSub = await resolveLocalContext('..', 'Build.df', join(dir, 'sub'));
    assert.equal(fromSub.relDockerfile, 'sub/Build.df');
    assert.equal((await resolveLocalContext(dir, '-', '/')).relDockerfile, '-');
  });

  test('-f outside the context is recognised; a missing Dockerfile or context is docker’s error', async () => {
    const dir = await context({ 'inner/x': 'x' });
    await writeFile(join(dir, 'Outside.df'), 'FROM scratch\n');
    const inner = join(dir, 'inner');
    const outside = await resolveLocalContext(inner, join(dir, 'Outside.df'), '/');
    assert.equal(outside.relDockerfile, '../Outside.df');
    assert.ok(isOutsideContext(outside.relDockerfile));
    assert.ok(!isOutsideContext('..dir/Dockerfile'));
    await assert.rejects(resolveLocalContext(inner, '', '/'), {
      message: `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${outside.dir}/Dockerfile: no such file or directory`,
    });
    await assert.rejects(resolveLocalContext(join(inner, 'x'), '', '/'), {
      message: `unable to prepare context: context must be a directory: ${outside.dir}/x`,
    });
  });

  test('a Dockerfile from elsewhere goes in under its own name, listed in .dockerignore', async () => {
    const extra = { name: '.dockerfile.0123456789abcdef0123', content: Buffer.from('FROM a\n') };
    const withIgnore = await context({ '.dockerignore': 'secret', 'a.txt': 'a', secret: 's' });
    const entries = await entriesOf(
      contextTar(await listContext(withIgnore, ['secret', '!.dockerignore']), extra),
    );
    assert.deepEqual(names(entries), ['.dockerignore', 'a.txt', extra.name]);
    assert.equal(entries[0]!.body, `secret\n${extra.name}\n`);
    assert.equal(entries[2]!.body, 'FROM a\n');
    assert.equal(entries[2]!.header.mode, 0o600);

    const bare = await context({ 'a.txt': 'a' });
    const added = await entriesOf(contextTar(await listContext(bare, []), extra));
    assert.deepEqual(names(added), ['a.txt', '.dockerignore', extra.name]);
    assert.equal(added[1]!.body, `.dockerignore\n${extra.name}\n`);
    assert.equal(added[1]!.header.mode, 0o600);
  });

  test('symlinks are kept as links, hard links point at the first name', async () => {
    const dir = await context({ Dockerfile: 'FROM scratch\n', 'data/one': '1' });
    await symlink('data/one', join(dir, 'link'));
    await link(join(dir, 'data/one'), join(dir, 'data/two'));
    const entries = await contextEntries(dir);
    const byName = new Map(entries.map((e) => [e.header.name, e.header]));
    assert.equal(byName.get('link')?.type, 'symlink');
    assert.equal(byName.get('link')?.linkname, 'data/one');
    assert.equal(byName.get('data/one')?.type, 'file');
    assert.equal(byName.get('data/two')?.type, 'hardlink');
    assert.equal(byName.get('data/two')?.linkname, 'data/one');
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { makeTar } from '../../test/helpers/archives.js';
import { isMoorError } from '../core/index.js';
import { openBuildContext } from './build-context.js';
import { detectContentType, isGitUrl } from './remote-context.js';
import { fetchUrlSource, parseHttpTime } from './url-source.js';

interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** An HTTP server on 127.0.0.1 answering `routes` by path (404 otherwise). */
async function serve(routes: Record<string, Route>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const route = routes[req.url ?? ''] ?? { status: 404, body: 'no such file\n' };
    res.writeHead(route.status ?? 200, route.headers ?? {});
    res.end(route.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A loopback address nothing listens on (a port just released). */
async function closedPortUrl(): Promise<string> {
  const { server, url } = await serve({});
  await new Promise((resolve) => server.close(resolve));
  return url;
}

const LAST_MODIFIED = 'Wed, 21 Oct 2015 07:28:00 GMT';
const isRoot = process.getuid?.() === 0;

describe('URL sources of a build', () => {
  let tmp: string;
  let base: string;
  let server: Server;
  let closedUrl: string;
  let contextTar: Buffer;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'moor-url-source-test-'));
    const dockerfile = 'FROM busybox\nCOPY a.txt /a\n';
    const context = (contextTar = await makeTar([
      { name: 'Dockerfile', content: dockerfile },
      { name: 'a.txt', content: 'from remote\n' },
    ]));
    ({ server, url: base } = await serve({
      '/file.bin': {
        headers: { 'Last-Modified': LAST_MODIFIED, 'Content-Type': 'application/x-tar' },
        body: context,
      },
      '/plain.txt': { body: 'plain\n' },
      '/a%20b.txt': { body: 'spaced\n' },
      '/dir/': {
        headers: { 'Content-Disposition': 'attachment; filename="report.csv"' },
        body: 'x,y\n',
      },
      '/ext/': {
        headers: {
          'Content-Disposition': `attachment; filename="fallback.txt"; filename*=UTF-8''na%C3%AFve.txt`,
        },
        body: 'n\n',
      },
      '/anon/': { body: 'who\n' },
      '/moved': { status: 302, headers: { Location: '/plain.txt' } },
      '/broken': { status: 500, body: '  server trouble \n' },
      '/ctx.tar': { headers: { 'Content-Type': 'application/x-tar' }, body: context },
      '/ctx.tar.gz': {
        headers: { 'Content-Type': 'application/octet-stream' },
        body: gzipSync(context),
      },
      '/ctx-sniffed': { body: context },
      '/Dockerfile': { headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: dockerfile },
      '/Dockerfile.bin': {
        headers: { 'Content-Type': 'application/octet-stream' },
        body: dockerfile,
      },
      '/page.html': {
        headers: { 'Content-Type': 'text/html' },
        body: '<html><body>hi</body></html>',
      },
      '/empty': { headers: { 'Content-Type': 'text/plain' } },
    }));
    closedUrl = await closedPortUrl();
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(tmp, { recursive: true, force: true });
  });

  async function download(path: string) {
    const dir = await mkdtemp(join(tmp, 'add-'));
    return fetchUrlSource(`${base}${path}`, { dir, signal: AbortSignal.timeout(10_000) });
  }

  describe('fetchUrlSource (ADD <url>)', () => {
    it('downloads to a 0600 file named after the URL, dated by Last-Modified, not unpacked', async () => {
      const file = await download('/file.bin');
      assert.equal(file.name, 'file.bin');
      assert.equal(file.path.endsWith('/file.bin'), true);
      assert.deepEqual(file.mtime, new Date(LAST_MODIFIED));
      const info = await stat(file.path);
      assert.equal(info.mode & 0o777, 0o600);
      assert.equal(info.mtime.getTime(), Date.parse(LAST_MODIFIED));
      assert.equal(file.size, info.size);
      assert.deepEqual(await readFile(file.path), contextTar);
      assert.equal((await readdir(join(file.path, '..'))).length, 1, 'a tar stays one file');
    });

    it('gives the epoch as the file time without Last-Modified', async () => {
      const file = await download('/plain.txt');
      assert.equal(file.mtime, undefined);
      assert.equal((await stat(file.path)).mtime.getTime(), 0);
      assert.equal(await readFile(file.path, 'utf8'), 'plain\n');
    });

    it('decodes the URL path for the name', async () => {
      const file = await download('/a%20b.txt');
      assert.equal(file.name, 'a b.txt');
      assert.equal(await readFile(file.path, 'utf8'), 'spaced\n');
    });

    it('names a URL ending in / after Content-Disposition, else leaves the name empty', async () => {
      assert.equal((await download('/dir/')).name, 'report.csv');
      assert.equal((await download('/ext/')).name, 'naïve.txt');
      const anonymous = await download('/anon/');
      assert.equal(anonymous.name, '');
      assert.equal(anonymous.path.endsWith('/__unnamed__'), true);
      assert.equal(await readFile(anonymous.path, 'utf8'), 'who\n');
    });

    it('follows redirects, keeping the requested name', async () => {
      const file = await download('/moved');
      assert.equal(file.name, 'moved');
      assert.equal(await readFile(file.path, 'utf8'), 'plain\n');
    });

    it("fails with dockerd's words and the status's kind", async () => {
      await assert.rejects(download('/missing.txt'), (err: unknown) => {
        assert.ok(isMoorError(err, 'NotFound'));
        assert.equal(
          err.message,
          `failed to GET ${base}/missing.txt with status 404 Not Found: no such file`,
        );
        return true;
      });
      await assert.rejects(download('/broken'), (err: unknown) => {
        assert.ok(isMoorError(err, 'Internal'));
        assert.equal(
          err.message,
          `failed to GET ${base}/broken with status 500 Internal Server Error: server trouble`,
        );
        return true;
      });
    });

    it('fails clearly when nothing answers', async () => {
      const dir = await mkdtemp(join(tmp, 'add-'));
      const url = `${closedUrl}/x.txt`;
      const port = new URL(closedUrl).port;
      await assert.rejects(fetchUrlSource(url, { dir, signal: AbortSignal.timeout(10_000) }), {
        message: `Get "${url}": dial tcp 127.0.0.1:${port}: connect: connection refused`,
      });
    });
  });

  describe(
    'remote contexts',
    { skip: isRoot ? false : 'extracting keeps owners: needs root' },
    () => {
      async function openRemote(path: string, dockerfile?: string) {
        const tmpDir = await mkdtemp(join(tmp, 'remote-'));
        const context = await openBuildContext({
          body: Readable.from([]),
          remote: path.startsWith('http') ? path : `${base}${path}`,
          dockerfile,
          tmpDir,
          signal: AbortSignal.timeout(10_000),
        });
        return { context, tmpDir };
      }

      it('extracts a remote tar, plain or gzip, declared or sniffed', async () => {
        for (const path of ['/ctx.tar', '/ctx.tar.gz', '/ctx-sniffed']) {
          const { context } = await openRemote(path);
          assert.equal(context.dockerfileText, 'FROM busybox\nCOPY a.txt /a\n', path);
          assert.equal(await readFile(join(context.dir, 'a.txt'), 'utf8'), 'from remote\n', path);
          await context.close();
        }
      });

      it('takes a text/plain remote (or sniffed text) for the Dockerfile alone', async () => {
        for (const path of ['/Dockerfile', '/Dockerfile.bin']) {
          const { context } = await openRemote(path, 'ignored/for/a/dockerfile');
          assert.equal(context.dockerfileText, 'FROM busybox\nCOPY a.txt /a\n', path);
          assert.equal(context.dockerfileName, 'Dockerfile');
          assert.deepEqual(await readdir(context.dir), []);
          await context.close();
        }
      });

      it("refuses other content, empty answers and failed GETs with dockerd's words", async () => {
        const cases: Array<[string, string, string]> = [
          [
            '/page.html',
            `error detecting content type for remote ${base}/page.html: unsupported Content-Type "text/html"`,
            'InvalidArgument',
          ],
          [
            '/empty',
            `error detecting content type for remote ${base}/empty: empty response`,
            'InvalidArgument',
          ],
          [
            '/nope.tar',
            `error downloading remote context ${base}/nope.tar: failed to GET ${base}/nope.tar with status 404 Not Found: no such file`,
            'NotFound',
          ],
        ];
        for (const [path, message, kind] of cases) {
          const tmpDir = await mkdtemp(join(tmp, 'remote-'));
          const opening = openBuildContext({
            body: Readable.from([]),
            remote: `${base}${path}`,
            tmpDir,
            signal: AbortSignal.timeout(10_000),
          });
          await assert.rejects(opening, (err: unknown) => {
            assert.ok(isMoorError(err), path);
            assert.equal(err.message, message);
            assert.equal(err.kind, kind, path);
            return true;
          });
          assert.deepEqual(await readdir(tmpDir), [], `${path}: nothing left behind`);
        }
      });

      it('fails clearly when the remote is unreachable', async () => {
        const url = `${closedUrl}/ctx.tar`;
        const port = new URL(closedUrl).port;
        await assert.rejects(openRemote(url), {
          message: `error downloading remote context ${url}: Get "${url}": dial tcp 127.0.0.1:${port}: connect: connection refused`,
        });
      });
    },
  );
});

describe('remote kinds and types', () => {
  it("tells Git URLs as dockerd's urlutil does", () => {
    for (const url of [
      'git://example.com/repo',
      'git@example.com:org/repo.git',
      'github.com/org/repo',
      'https://example.com/repo.git',
      'http://example.com/repo.git#main:sub',
    ]) {
      assert.equal(isGitUrl(url), true, url);
    }
    for (const url of [
      'https://example.com/ctx.tar',
      'https://example.com/repo.git/x',
      'repo.git',
    ]) {
      assert.equal(isGitUrl(url), false, url);
    }
  });

  it("sniffs content as Go's http.DetectContentType", () => {
    const cases: Array<[Buffer | string, string]> = [
      ['FROM busybox\n', 'text/plain'],
      ['  <!DOCTYPE html><html>', 'text/html'],
      ['<?xml version="1.0"?>', 'text/xml'],
      ['\xEF\xBB\xBFFROM x', 'text/plain'],
      [Buffer.from([0x1f, 0x8b, 0x08, 0x00]), 'application/x-gzip'],
      [Buffer.from('Dockerfile\0\0\0\0'), 'application/octet-stream'],
      ['%PDF-1.4', 'application/pdf'],
      ['PK\x03\x04', 'application/zip'],
    ];
    for (const [data, type] of cases) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      assert.equal(detectContentType(bytes), type, JSON.stringify(data));
    }
  });

  it("reads the date forms of Go's http.ParseTime", () => {
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
    for (const text of [
      'Sun, 06 Nov 1994 08:49:37 GMT',
      'Sunday, 06-Nov-94 08:49:37 GMT',
      'Sun Nov  6 08:49:37 1994',
    ]) {
      assert.equal(parseHttpTime(text)?.getTime(), expected, text);
    }
    for (const text of ['', 'yesterday', 'Sun, 31 Feb 1994 08:49:37 GMT', '2015-10-21T07:28:00Z']) {
      assert.equal(parseHttpTime(text), undefined, text);
    }
  });
});

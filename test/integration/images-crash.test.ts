import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { createClient } from '../../src/client/index.js';
import { makeDockerArchive, makeTar } from '../helpers/archives.js';
import { type TestDaemon, cleanupDaemon, relaunch, startTestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

/** Posts an archive to /images/load and resolves once `predicate` sees a progress line. */
function loadUntil(
  socket: string,
  body: Buffer,
  predicate: (line: string) => boolean,
): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        socketPath: socket,
        method: 'POST',
        path: '/images/load',
        headers: { 'Content-Type': 'application/x-tar', 'Content-Length': body.length },
      },
      (res) => {
        res.on('data', (c: Buffer) => {
          if (c.toString().split('\n').some(predicate)) resolve();
        });
        res.on('error', () => resolve());
        res.on('close', () => resolve());
      },
    );
    req.on('error', () => resolve());
    req.end(body);
  });
}

describe('a daemon killed during load', { skip: !isRoot && 'needs root' }, () => {
  const daemons: TestDaemon[] = [];
  after(async () => {
    for (const d of daemons) await cleanupDaemon(d);
  });

  test('leaves a store that loads and lists correctly, with no partial image', async () => {
    const first = await startTestDaemon('load-kill');
    daemons.push(first);
    const big = () => makeTar([{ name: 'blob', content: randomBytes(24 * 1024 * 1024) }]);
    const { tar } = await makeDockerArchive([
      { layers: [await big(), await big(), await big()], tags: ['crash:test'] },
    ]);
    await loadUntil(first.socket, tar, (line) => line.includes('Loading layer'));
    first.proc.kill('SIGKILL');
    await first.exited;

    const second = await relaunch(first);
    daemons.push(second);
    const client = createClient({ host: second.host });
    try {
      const images = await client.json<{ RepoTags: string[] }[]>('GET', '/images/json', {
        query: { all: '1' },
      });
      assert.deepEqual(images, []);
      const layers = readdirSync(join(second.dataRoot, 'layers', 'overlay2')).filter(
        (n) => !n.startsWith('.'),
      );
      assert.deepEqual(layers, [], 'no orphan layer survives the restart');
      // The same archive loads completely afterwards.
      const res = await client.stream('POST', '/images/load', {
        body: tar,
        query: { quiet: '1' },
        headers: { 'Content-Type': 'application/x-tar' },
      });
      let text = '';
      for await (const c of res) text += (c as Buffer).toString();
      assert.match(text, /Loaded image: crash:test/);
    } finally {
      client.close();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ApiError, createClient } from './api-client.js';
import { MULTIPLEXED_STREAM, RAW_STREAM, hijack } from './hijack.js';

let dir = '';
let server: net.Server | undefined;
let socketPath = '';
const requests: string[] = [];

/** A bare daemon: answers by the request path, then echoes stdin upper-cased. */
function handle(conn: net.Socket): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) return;
    conn.off('data', onData);
    const head = buffered.subarray(0, end).toString();
    const rest = buffered.subarray(end + 4);
    requests.push(head);
    const path = head.split(' ')[1] ?? '';
    if (path === '/_ping') {
      conn.end('HTTP/1.1 200 OK\r\nApi-Version: 1.51\r\nContent-Length: 2\r\n\r\nOK');
      return;
    }
    if (path.includes('/missing/')) {
      const body = '{"message":"No such container: missing"}';
      conn.end(
        `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    if (path.includes('/chunked/')) {
      conn.end(
        'HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n{"message"\r\nC\r\n:"is paused"\r\n1\r\n}\r\n0\r\n\r\n',
      );
      return;
    }
    if (path.includes('/json/')) {
      conn.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
      return;
    }
    const plain = path.includes('/old/');
    conn.write(
      plain
        ? `HTTP/1.1 200 OK\r\nContent-Type: ${RAW_STREAM}\r\n\r\nearly:`
        : `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${MULTIPLEXED_STREAM}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nearly:`,
    );
    conn.write(rest.toString().toUpperCase());
    conn.on('data', (chunk: Buffer) => conn.write(chunk.toString().toUpperCase()));
    conn.on('end', () => conn.end(':bye'));
  };
  conn.on('data', onData);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moor-hijack-test-'));
  socketPath = join(dir, 'api.sock');
  server = net.createServer({ allowHalfOpen: true }, handle);
  await new Promise<void>((resolve) => server?.listen(socketPath, resolve));
});

after(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function readAll(source: AsyncIterable<Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of source) text += chunk.toString();
  return text;
}

test('hijack upgrades, keeps the bytes read with the headers, and half-closes stdin', async () => {
  const client = createClient({ host: `unix://${socketPath}` });
  try {
    const conn = await hijack(client, 'POST', '/containers/web/attach', {
      query: { stream: 1, stdout: 1, stdin: true },
    });
    assert.equal(conn.multiplexed, true);
    conn.socket.write('hello');
    conn.closeWrite();
    assert.equal(await readAll(conn.output()), 'early:HELLO:bye');
    const request = requests.find((r) => r.includes('/attach')) ?? '';
    assert.match(
      request,
      /^POST \/v1\.\d+\/containers\/web\/attach\?stdin=true&stdout=1&stream=1 HTTP\/1\.1/,
    );
    assert.match(request, /\r\nConnection: Upgrade\r\n/);
    assert.match(request, /\r\nUpgrade: tcp/);
  } finally {
    client.close();
  }
});

test('hijack sends a JSON body (exec start)', async () => {
  const client = createClient({ host: `unix://${socketPath}` });
  try {
    const conn = await hijack(client, 'POST', '/exec/abc/start', {
      body: { Detach: false, Tty: true },
    });
    conn.closeWrite();
    const text = await readAll(conn.output());
    assert.equal(text, 'early:{"DETACH":FALSE,"TTY":TRUE}:bye');
    const request = requests.find((r) => r.includes('/exec/abc/start')) ?? '';
    assert.match(request, /Content-Type: application\/json/);
  } finally {
    client.close();
  }
});

test('hijack accepts a plain 200 with a stream content type (older daemons)', async () => {
  const client = createClient({ host: `unix://${socketPath}` });
  try {
    const conn = await hijack(client, 'POST', '/containers/old/attach');
    assert.equal(conn.multiplexed, false);
    conn.closeWrite();
    assert.equal(await readAll(conn.output()), 'early::bye');
  } finally {
    client.close();
  }
});

test('hijack throws the daemon error of an error answer', async () => {
  const client = createClient({ host: `unix://${socketPath}` });
  try {
    await assert.rejects(hijack(client, 'POST', '/containers/missing/attach'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.statusCode, 404);
      assert.equal(err.message, 'No such container: missing');
      return true;
    });
    await assert.rejects(hijack(client, 'POST', '/containers/chunked/attach'), {
      message: 'is paused',
    });
    await assert.rejects(hijack(client, 'POST', '/containers/json/attach'), {
      message: 'unable to upgrade to tcp, received 200',
    });
  } finally {
    client.close();
  }
});

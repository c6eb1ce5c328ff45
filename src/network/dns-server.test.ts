import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { test } from 'node:test';

import { buildQuery, parseReply, RCODE_NOERROR, RCODE_SERVFAIL } from './dns-message.js';
import { startDnsServer } from './dns-server.js';

/** One query to 127.0.0.1:port; resolves with the reply. */
function ask(port: number, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no reply'));
    }, 3000);
    socket.on('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(data);
    });
    socket.send(query, port, '127.0.0.1');
  });
}

/** Queries over one TCP connection to 127.0.0.1:port (length-prefixed); resolves with the replies. */
function askTcp(port: number, queries: Buffer[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const conn = connect(port, '127.0.0.1');
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    conn.on('error', reject);
    // Both queries in one write, the second split across the boundary's bytes as TCP may.
    const framed = Buffer.concat(
      queries.flatMap((q) => [Buffer.from([q.length >> 8, q.length & 0xff]), q]),
    );
    conn.write(framed.subarray(0, 3));
    setTimeout(() => conn.write(framed.subarray(3)), 20);
    conn.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (replies.length === queries.length) {
        conn.end();
        resolve(replies);
      }
    });
  });
}

test('the embedded resolver: own names, round-robin, empty answers, forwarding', async () => {
  const port = 20000 + (process.pid % 20000);
  const records = new Map([
    ['web', ['10.0.0.2']],
    ['pool', ['10.0.0.3', '10.0.0.4', '10.0.0.5']],
  ]);
  const server = await startDnsServer({
    address: '127.0.0.1',
    port,
    records: (name) => records.get(name),
    // An upstream that never answers (the port of this very test's client side is unused):
    // forwarded names end with SERVFAIL.
    upstreams: ['127.0.0.1'],
    upstreamPort: port + 1,
    timeoutMs: 200,
  });
  try {
    assert.deepEqual(parseReply(await ask(port, buildQuery(1, 'WEB'))), {
      rcode: RCODE_NOERROR,
      addresses: ['10.0.0.2'],
    });
    const first = parseReply(await ask(port, buildQuery(2, 'pool'))).addresses;
    const second = parseReply(await ask(port, buildQuery(3, 'pool'))).addresses;
    assert.deepEqual(first, ['10.0.0.3', '10.0.0.4', '10.0.0.5']);
    assert.deepEqual(second, ['10.0.0.4', '10.0.0.5', '10.0.0.3']);
    // AAAA of an owned name: NOERROR without answers (busybox nslookup needs it).
    assert.deepEqual(parseReply(await ask(port, buildQuery(4, 'web', 28))), {
      rcode: RCODE_NOERROR,
      addresses: [],
    });
    const reply = await ask(port, buildQuery(5, 'elsewhere.example'));
    assert.equal(reply.readUInt16BE(0), 5, 'the id is the query’s');
    assert.equal(parseReply(reply).rcode, RCODE_SERVFAIL);
    const overTcp = await askTcp(port, [buildQuery(6, 'web'), buildQuery(7, 'web', 28)]);
    assert.deepEqual(
      overTcp.map((r) => [r.readUInt16BE(0), parseReply(r)]),
      [
        [6, { rcode: RCODE_NOERROR, addresses: ['10.0.0.2'] }],
        [7, { rcode: RCODE_NOERROR, addresses: [] }],
      ],
    );
  } finally {
    await server.close();
  }
});

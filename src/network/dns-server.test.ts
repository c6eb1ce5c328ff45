import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
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
  } finally {
    await server.close();
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bridgeRules, portRules } from './nat.js';
import { bridgeCommands, dummyCommands, interfaceCommands, macvlanCommands } from './net-links.js';

test('a bridge: created with its MTU, the gateway address, up', () => {
  assert.deepEqual(bridgeCommands({ name: 'br-x', address: '10.1.0.1/24', mtu: 1400 }), [
    'link add name br-x mtu 1400 type bridge',
    'addr add 10.1.0.1/24 dev br-x',
    'link set br-x up',
  ]);
});

test('a container interface: the peer made inside its namespace; the route only if asked', () => {
  const base = {
    pid: 4242,
    bridge: 'br-x',
    hostName: 'veth1234567',
    name: 'eth0',
    mac: '02:42:0a:01:00:02',
    address: '10.1.0.2/24',
    mtu: 1500,
  };
  assert.deepEqual(interfaceCommands({ ...base, gateway: '10.1.0.1' }), {
    host: [
      'link add veth1234567 mtu 1500 type veth peer name eth0 mtu 1500 netns 4242',
      'link set veth1234567 master br-x up',
    ],
    inside: [
      'link set eth0 address 02:42:0a:01:00:02',
      'addr add 10.1.0.2/24 dev eth0',
      'link set eth0 up',
      'route add default via 10.1.0.1',
    ],
  });
  assert.equal(interfaceCommands(base).inside.length, 3);
});

test('bridge rules: isolation stages and NAT; internal networks drop everything across', () => {
  const comment = ['-m', 'comment', '--comment', 'moor:br-x'];
  const open = bridgeRules({
    bridge: 'br-x',
    subnet: '10.1.0.0/24',
    internal: false,
    masquerade: true,
  });
  assert.deepEqual(open, [
    {
      table: 'filter',
      chain: 'MOOR-ISOLATION-STAGE-1',
      args: ['-i', 'br-x', '!', '-o', 'br-x', ...comment, '-j', 'MOOR-ISOLATION-STAGE-2'],
    },
    {
      table: 'filter',
      chain: 'MOOR-ISOLATION-STAGE-2',
      args: ['-o', 'br-x', ...comment, '-j', 'DROP'],
    },
    {
      table: 'nat',
      chain: 'POSTROUTING',
      args: ['-s', '127.0.0.0/8', '-o', 'br-x', ...comment, '-j', 'MASQUERADE'],
    },
    {
      table: 'nat',
      chain: 'POSTROUTING',
      args: ['-s', '10.1.0.0/24', '!', '-o', 'br-x', ...comment, '-j', 'MASQUERADE'],
    },
  ]);
  assert.equal(
    bridgeRules({ bridge: 'br-x', subnet: '10.1.0.0/24', internal: false, masquerade: false })
      .length,
    3,
  );
  const internal = bridgeRules({
    bridge: 'br-x',
    subnet: '10.1.0.0/24',
    internal: true,
    masquerade: true,
  });
  assert.ok(internal.every((r) => r.args.at(-1) === 'DROP' && r.chain === 'FORWARD'));
  assert.equal(internal.length, 2);
});

test('a published port: DNAT from outside and from the host, hairpin NAT', () => {
  const rules = portRules({
    bridge: 'br-x',
    container: 'abc',
    proto: 'tcp',
    hostIp: '127.0.0.1',
    hostPort: 8080,
    containerIp: '10.1.0.2',
    containerPort: 80,
  });
  assert.deepEqual(
    rules.map((r) => `${r.table} ${r.chain} ${r.args.join(' ')}`),
    [
      'nat PREROUTING -p tcp -d 127.0.0.1 -m addrtype --dst-type LOCAL -m tcp --dport 8080 -m comment --comment moor:br-x abc -j DNAT --to-destination 10.1.0.2:80',
      'nat OUTPUT -p tcp -d 127.0.0.1 -m addrtype --dst-type LOCAL -m tcp --dport 8080 -m comment --comment moor:br-x abc -j DNAT --to-destination 10.1.0.2:80',
      'nat POSTROUTING -p tcp -s 10.1.0.2 -d 10.1.0.2 -m tcp --dport 80 -m comment --comment moor:br-x abc -j MASQUERADE',
    ],
  );
});

test('macvlan: a dummy parent; the interface made in the container’s namespace', () => {
  assert.deepEqual(dummyCommands('dm-abc'), ['link add dm-abc type dummy', 'link set dm-abc up']);
  assert.deepEqual(
    macvlanCommands({
      pid: 77,
      parent: 'dm-abc',
      name: 'eth0',
      mode: 'bridge',
      mac: '02:42:0a:02:00:02',
      address: '10.2.0.2/24',
      gateway: '10.2.0.1',
    }),
    {
      host: ['link add name eth0 link dm-abc netns 77 type macvlan mode bridge'],
      inside: [
        'link set eth0 address 02:42:0a:02:00:02',
        'addr add 10.2.0.2/24 dev eth0',
        'link set eth0 up',
        'route add default via 10.2.0.1',
      ],
    },
  );
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
  until,
} from '../helpers/containers.js';
import { type TestDaemon, relaunch } from '../helpers/moord.js';
import { bridgeLeftovers, removeBridgeLeftovers } from '../helpers/network.js';

const isRoot = process.getuid?.() === 0;

/** This test's bridges and ranges: names and subnets no other test or engine uses. */
const DEFAULT_BRIDGE = 'moornb-t0';
const NET_A = { name: 'nb-a', bridge: 'moornb-ta', subnet: '10.221.0.0/24' };
const NET_B = { name: 'nb-b', bridge: 'moornb-tb', subnet: '10.222.0.0/24' };
const RANGED_BRIDGE = 'moornb-tr';
const BRIDGES = [DEFAULT_BRIDGE, NET_A.bridge, NET_B.bridge, RANGED_BRIDGE];

/**
 * The bridge driver on the real kernel: the default bridge and user bridge networks give
 * containers an address, a route and /etc/hosts; containers on one network reach each other,
 * networks are isolated from each other; addresses survive a daemon restart; removing a
 * network leaves no bridge or rule. All traffic stays inside the test's own bridges.
 */
describe('bridge networks', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    await removeBridgeLeftovers(BRIDGES);
    config = await mkdtemp(join(tmpdir(), 'moor-netbridge-cfg-'));
    daemon = await startDaemonWithBusybox('netbridge', {
      args: ['--bridge', DEFAULT_BRIDGE, '--bip', '10.220.0.1/24'],
    });
    docker = dockerCli(daemon, config);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await removeBridgeLeftovers(BRIDGES);
    await rm(config, { recursive: true, force: true });
  });

  const sh = async (args: string[], script: string) => {
    const r = await docker(['run', '--rm', ...args, 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const ipOf = async (name: string) =>
    (
      await docker([
        'inspect',
        '-f',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
        name,
      ])
    ).stdout.trim();

  test('the default bridge: address, default route, /etc/hosts, top-level settings', async () => {
    const out = await sh(
      ['--network', 'bridge', '--hostname', 'nb-host'],
      'ip -4 -o addr show eth0; ip route; grep nb-host /etc/hosts; ping -c1 -W2 10.220.0.1 >/dev/null && echo gateway-ok',
    );
    assert.match(out, /eth0\s+inet 10\.220\.0\.\d+\/24/);
    assert.match(out, /^default via 10\.220\.0\.1 dev eth0/m);
    assert.match(out, /^10\.220\.0\.\d+\tnb-host$/m);
    assert.match(out, /gateway-ok/);
    const started = await docker([
      'run',
      '-d',
      '--name',
      'nb-def',
      '--network',
      'bridge',
      'busybox',
      'sleep',
      '300',
    ]);
    assert.equal(started.code, 0, started.stderr);
    const top = await docker([
      'inspect',
      '-f',
      '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.MacAddress}} {{.NetworkSettings.IPPrefixLen}}',
      'nb-def',
    ]);
    const [ip, gateway, mac, prefix] = top.stdout.trim().split(' ');
    assert.match(ip ?? '', /^10\.220\.0\.\d+$/);
    assert.equal(gateway, '10.220.0.1');
    assert.match(mac ?? '', /^02:42:0a:dc:00:[0-9a-f]{2}$/);
    assert.equal(prefix, '24');
    const containers = await docker(['network', 'inspect', '-f', '{{json .Containers}}', 'bridge']);
    assert.match(containers.stdout, new RegExp(`"Name":"nb-def".*"IPv4Address":"${ip}/24"`));
    await docker(['rm', '-f', 'nb-def']);
  });

  test('--link on the default bridge: hosts entries; a stopped container refused', async () => {
    const target = await docker([
      'run',
      '-d',
      '--name',
      'nb-linked',
      '--network',
      'bridge',
      'busybox',
      'sleep',
      '300',
    ]);
    assert.equal(target.code, 0, target.stderr);
    const ip = await ipOf('nb-linked');
    const out = await sh(
      ['--network', 'bridge', '--link', 'nb-linked:db'],
      'grep -w db /etc/hosts; ping -c1 -W2 db >/dev/null && echo reached',
    );
    assert.match(out, new RegExp(`^${ip.replaceAll('.', '\\.')}\tdb [0-9a-f]{12} nb-linked$`, 'm'));
    assert.match(out, /reached/);
    await docker(['stop', '-t', '0', 'nb-linked']);
    const refused = await docker([
      ...['run', '--rm', '--name', 'nb-linker', '--network', 'bridge', '--link', 'nb-linked:x'],
      ...['busybox', 'true'],
    ]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /Cannot link to a non running container: \/nb-linked AS \/nb-linker\/x/,
    );
    await docker(['rm', '-f', 'nb-linked']);
  });

  test('a user network: containers reach each other; other networks are isolated', async () => {
    for (const net of [NET_A, NET_B]) {
      const made = await docker([
        'network',
        'create',
        '--subnet',
        net.subnet,
        '-o',
        `com.docker.network.bridge.name=${net.bridge}`,
        net.name,
      ]);
      assert.equal(made.code, 0, made.stderr);
    }
    const range = await docker([
      'network',
      'create',
      '--subnet',
      '10.223.0.0/24',
      '--ip-range',
      '10.223.0.128/25',
      '-o',
      `com.docker.network.bridge.name=${RANGED_BRIDGE}`,
      'nb-ranged',
    ]);
    assert.equal(range.code, 0, range.stderr);
    assert.match(
      await sh(['--network', 'nb-ranged'], 'ip -4 -o addr show eth0'),
      /inet 10\.223\.0\.(12[89]|1[3-9]\d|2\d\d)\//,
    );
    assert.equal((await docker(['network', 'rm', 'nb-ranged'])).code, 0);

    const server = await docker([
      ...['run', '-d', '--name', 'nb-web', '--network', NET_A.name],
      ...['busybox', 'sh', '-c', 'echo served > /tmp/index.html; httpd -f -p 8080 -h /tmp'],
    ]);
    assert.equal(server.code, 0, server.stderr);
    const ip = await ipOf('nb-web');
    assert.match(ip, /^10\.221\.0\.\d+$/);
    // (busybox-static’s wget crashes with -T: the timeout comes from timeout(1).)
    const fetch = `timeout 3 wget -q -O - http://${ip}:8080/index.html`;
    await until(
      async () =>
        (await docker(['run', '--rm', '--network', NET_A.name, 'busybox', 'sh', '-c', fetch]))
          .stdout === 'served\n',
    );
    // From the other network: no way through.
    const blocked = await docker([
      'run',
      '--rm',
      '--network',
      NET_B.name,
      'busybox',
      'sh',
      '-c',
      `${fetch} || echo blocked`,
    ]);
    assert.equal(blocked.stdout, 'blocked\n');
    const inUse = await docker(['network', 'rm', NET_A.name]);
    assert.equal(inUse.code, 1);
    assert.match(
      inUse.stderr,
      /error while removing network: network nb-a id [0-9a-f]{64} has active endpoints/,
    );
  });

  test('embedded DNS on a user network: names, aliases round-robin; none on the default bridge', async () => {
    for (const i of [1, 2, 3]) {
      const r = await docker(
        [
          'run',
          '-d',
          '--name',
          `nb-pool${i}`,
          '--network',
          NET_A.name,
          '--network-alias',
          'nb-pool',
        ].concat(['busybox', 'sleep', '300']),
      );
      assert.equal(r.code, 0, r.stderr);
    }
    const pool = await Promise.all([1, 2, 3].map((i) => ipOf(`nb-pool${i}`)));
    const web = await ipOf('nb-web');
    const out = await sh(
      ['--network', NET_A.name],
      'grep nameserver /etc/resolv.conf; nslookup nb-web; nslookup nb-pool; nslookup nb-pool',
    );
    assert.match(out, /^nameserver 10\.221\.0\.1$/m);
    assert.match(out, new RegExp(`Name:\\s+nb-web\\nAddress: ${web.replaceAll('.', '\\.')}`));
    // All three addresses each time, in turns.
    const answers = [...out.matchAll(/Name:\s+nb-pool\nAddress: (\S+)/g)].map((m) => m[1]);
    assert.equal(answers.length, 6);
    assert.deepEqual([...answers.slice(0, 3)].sort(), [...pool].sort());
    assert.deepEqual([...answers.slice(3)].sort(), [...pool].sort());
    assert.notEqual(answers[0], answers[3], 'the order rotates');
    // A --link alias answers for the container that made the link.
    const linked = await sh(['--network', NET_A.name, '--link', 'nb-web:webby'], 'nslookup webby');
    assert.match(linked, new RegExp(`Name:\\s+webby\\nAddress: ${web.replaceAll('.', '\\.')}`));
    const byName = await sh(
      ['--network', NET_A.name],
      'timeout 3 wget -q -O - http://nb-web:8080/index.html',
    );
    assert.equal(byName, 'served\n');
    // The default bridge has no embedded resolver (Docker's behaviour): the host's resolvers
    // (not asked here: tests stay off other addresses), and no container names in /etc/hosts.
    const onDefault = await sh(['--network', 'bridge'], 'cat /etc/resolv.conf /etc/hosts');
    assert.doesNotMatch(onDefault, /nameserver 10\.220\.0\.1|nb-web/);
    await docker(['rm', '-f', 'nb-pool1', 'nb-pool2', 'nb-pool3']);
  });

  test('--ip fixes an address on a user network; Docker’s errors; container: shares a namespace', async () => {
    const fixed = await docker(
      ['run', '-d', '--name', 'nb-fixed', '--network', NET_A.name, '--ip', '10.221.0.50'].concat([
        'busybox',
        'sleep',
        '300',
      ]),
    );
    assert.equal(fixed.code, 0, fixed.stderr);
    const settings = await docker([
      'inspect',
      '-f',
      `{{with index .NetworkSettings.Networks "${NET_A.name}"}}{{json .IPAMConfig}} {{.IPAddress}}{{end}}`,
      'nb-fixed',
    ]);
    assert.equal(settings.stdout, '{"IPv4Address":"10.221.0.50"} 10.221.0.50\n');
    const refused: Array<[string[], RegExp]> = [
      [['--network', NET_A.name, '--ip', '10.221.0.50'], /Address already in use/],
      [
        ['--network', NET_A.name, '--ip', '10.99.0.5'],
        /no configured subnet or ip-range contain the IP address 10.99.0.5/,
      ],
      [
        ['--ip', '10.220.0.9'],
        /user specified IP address is supported on user defined networks only/,
      ],
      [['--network', 'nb-nothing'], /network nb-nothing not found/],
    ];
    for (const [args, message] of refused) {
      const r = await docker(['run', '--rm', ...args, 'busybox', 'true']);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
    const mac = await sh(
      ['--network', NET_A.name, '--mac-address', '02:42:0a:dd:00:99'],
      'cat /sys/class/net/eth0/address',
    );
    assert.equal(mac, '02:42:0a:dd:00:99\n');
    // Another container's namespace: the same interface and address.
    const shared = await sh(['--network', 'container:nb-fixed'], 'ip -4 -o addr show eth0');
    assert.match(shared, /inet 10\.221\.0\.50\/24/);
    const created = await docker(['create', '--network', 'container:nb-fixed', 'busybox', 'true']);
    const mode = await docker([
      'inspect',
      '-f',
      '{{.HostConfig.NetworkMode}}',
      created.stdout.trim(),
    ]);
    const fixedId = (await docker(['inspect', '-f', '{{.Id}}', 'nb-fixed'])).stdout.trim();
    assert.equal(mode.stdout.trim(), `container:${fixedId}`);
    await docker(['stop', '-t', '0', 'nb-fixed']);
    const stopped = await docker(['start', created.stdout.trim()]);
    assert.match(
      stopped.stderr,
      new RegExp(`cannot join network of a non running container: ${fixedId}`),
    );
    await docker(['rm', '-f', created.stdout.trim(), 'nb-fixed']);
  });

  test('network connect/disconnect: a running container gets and loses eth1; Docker’s errors', async () => {
    const started = await docker([
      'run',
      '-d',
      '--name',
      'nb-multi',
      '--network',
      NET_A.name,
      'busybox',
      'sleep',
      '300',
    ]);
    assert.equal(started.code, 0, started.stderr);
    const connected = await docker([
      'network',
      'connect',
      '--alias',
      'nb-second',
      NET_B.name,
      'nb-multi',
    ]);
    assert.equal(connected.code, 0, connected.stderr);
    const addrs = (await docker(['exec', 'nb-multi', 'ip', '-4', '-o', 'addr'])).stdout;
    assert.match(addrs, /eth0\s+inet 10\.221\.0\.\d+\/24/);
    assert.match(addrs, /eth1\s+inet 10\.222\.0\.\d+\/24/);
    const nets = await docker([
      'inspect',
      '-f',
      '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}',
      'nb-multi',
    ]);
    assert.equal(nets.stdout.trim(), `${NET_A.name} ${NET_B.name}`);
    // The alias answers on the second network.
    const found = await sh(['--network', NET_B.name], 'nslookup nb-second');
    assert.match(found, /Address: 10\.222\.0\.\d+/);
    const again = await docker(['network', 'connect', NET_B.name, 'nb-multi']);
    assert.match(again.stderr, /endpoint with name nb-multi already exists in network nb-b/);
    const toHost = await docker(['network', 'connect', 'host', 'nb-multi']);
    assert.match(
      toHost.stderr,
      /cannot connect container to host network - container must be created in host network mode/,
    );
    assert.equal((await docker(['network', 'disconnect', NET_B.name, 'nb-multi'])).code, 0);
    assert.doesNotMatch(
      (await docker(['exec', 'nb-multi', 'ip', '-4', '-o', 'addr'])).stdout,
      /eth1/,
    );
    const notThere = await docker(['network', 'disconnect', NET_B.name, 'nb-multi']);
    assert.match(notThere.stderr, /container [0-9a-f]{64} is not connected to network nb-b/);
    await docker(['rm', '-f', 'nb-multi']);
  });

  test('addresses survive a daemon restart and are not handed out twice', async () => {
    const before = await ipOf('nb-web');
    const old = daemon as TestDaemon;
    await old.stop();
    daemon = await relaunch(old);
    docker = dockerCli(daemon, config);
    assert.equal(await ipOf('nb-web'), before);
    const other = await sh(['--network', NET_A.name], 'ip -4 -o addr show eth0');
    assert.doesNotMatch(other, new RegExp(`inet ${before.replaceAll('.', '\\.')}/`));
  });

  test('removing the networks leaves no bridge and no rule behind', async () => {
    await docker(['rm', '-f', 'nb-web']);
    for (const net of [NET_A, NET_B]) {
      const removed = await docker(['network', 'rm', net.name]);
      assert.equal(removed.code, 0, removed.stderr);
    }
    assert.deepEqual(await bridgeLeftovers([NET_A.bridge, NET_B.bridge, RANGED_BRIDGE]), []);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { argv, cliComparer } from '../helpers/cli-compare.js';
import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import { type TestDaemon, relaunch } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'networks-cli';
/** This test's own default bridge: a name and range no other test or engine uses. */
const BRIDGE = ['--bridge', 'moornet-t0', '--bip', '10.213.0.1/24'];

interface WireNetwork {
  Name: string;
  Id: string;
  Driver: string;
  Scope: string;
  IPAM: { Driver: string; Options: unknown; Config: unknown };
  Options: Record<string, string>;
  Labels: Record<string, string>;
  Containers: Record<string, { Name: string }>;
}

/**
 * Networks as objects through the real docker CLI (and moor's, compared): the predefined
 * networks, create with Docker's IPAM options, filters, Docker's errors, prune, and networks
 * kept across a daemon restart.
 */
describe('networks with the docker CLI', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    daemon = await startDaemonWithBusybox(NAME, { args: BRIDGE });
    docker = dockerCli(daemon, join(dir, 'docker-config'));
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  const { same } = cliComparer({ daemon: () => daemon!, dir: () => dir, prefix: NAME });

  const inspect = async (ref: string): Promise<WireNetwork> => {
    const r = await docker(['network', 'inspect', ref]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as WireNetwork[])[0] as WireNetwork;
  };

  test('bridge, host and none exist, with Docker’s drivers and default bridge options', async () => {
    const ls = await same('ls', ['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}']);
    assert.equal(ls.stdout, 'bridge bridge local\nhost host local\nnone null local\n');
    const bridge = await inspect('bridge');
    assert.deepEqual(bridge.IPAM, {
      Driver: 'default',
      Options: null,
      Config: [{ Subnet: '10.213.0.0/24', Gateway: '10.213.0.1' }],
    });
    assert.deepEqual(bridge.Options, {
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': 'moornet-t0',
      'com.docker.network.driver.mtu': '1500',
    });
    for (const name of ['bridge', 'host', 'none']) {
      const removed = await same('predefined', ['network', 'rm', name]);
      assert.equal(removed.code, 1);
      assert.match(
        removed.stderr,
        new RegExp(`${name} is a pre-defined network and cannot be removed`),
      );
    }
  });

  test('create with subnet, range, gateway, aux address, labels and options; filters', async () => {
    const created = await docker([
      ...argv`network create --subnet 10.214.0.0/24 --ip-range 10.214.0.128/25`,
      ...argv`--gateway 10.214.0.254 --aux-address router=10.214.0.2 --label team=a`,
      ...argv`-o com.docker.network.bridge.name=moornet-t1 --internal nc-app`,
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^[a-f0-9]{64}\n$/);
    const app = await inspect('nc-app');
    assert.equal(app.Id, created.stdout.trim());
    assert.deepEqual(app.IPAM, {
      Driver: 'default',
      Options: {},
      Config: [
        {
          Subnet: '10.214.0.0/24',
          IPRange: '10.214.0.128/25',
          Gateway: '10.214.0.254',
          AuxiliaryAddresses: { router: '10.214.0.2' },
        },
      ],
    });
    assert.deepEqual(app.Labels, { team: 'a' });
    assert.deepEqual(app.Options, { 'com.docker.network.bridge.name': 'moornet-t1' });
    // Without a subnet: the next free default pool.
    assert.equal((await docker(['network', 'create', 'nc-auto'])).code, 0);
    const auto = (await inspect('nc-auto')).IPAM.Config as Array<{ Subnet: string }>;
    assert.match(auto[0]?.Subnet ?? '', /^172\.(1[7-9]|2\d|3[01])\.0\.0\/16$/);
    const names = async (filter: string[]) =>
      (await docker(['network', 'ls', ...filter, '--format', '{{.Name}}'])).stdout;
    assert.equal(await names(['-f', 'name=nc-']), 'nc-app\nnc-auto\n');
    assert.equal(await names(['-f', 'label=team=a']), 'nc-app\n');
    assert.equal(await names(['-f', 'type=custom']), 'nc-app\nnc-auto\n');
    assert.equal(await names(['-f', 'driver=null']), 'none\n');
    assert.equal(await names(['-f', `id=${app.Id.slice(0, 6)}`]), 'nc-app\n');
    await same('ls-q', ['network', 'ls', '-q', '-f', 'type=builtin']);
    // Templates see docker's typed network.Inspect (structs, Go times), not maps.
    await same('inspect-f', [
      ...argv`network inspect -f`,
      '{{.}}|{{.IPAM.Config}}|{{.Created}}|{{json .}}',
      ...argv`nc-app bridge`,
    ]);
  });

  test('bad input: Docker’s messages and status, nothing created', async () => {
    const refused: Array<[string[], RegExp]> = [
      [
        argv`network create --subnet 10.214.0.0/16 nc-overlap`,
        /Pool overlaps with other one on this address space/,
      ],
      [
        argv`network create --subnet 10.215.0.0/24 --gateway 10.216.0.1 nc-gw`,
        /no matching subnet for gateway 10.216.0.1/,
      ],
      [
        argv`network create --subnet 10.215.0.0/24 --ip-range 10.216.0.0/25 nc-range`,
        /no matching subnet for range 10.216.0.0\/25/,
      ],
      [argv`network create nc-app`, /network with name nc-app already exists/],
      [argv`network create -d nosuch nc-driver`, /plugin "nosuch" not found/],
      [argv`network create bridge`, /bridge is a pre-defined network and cannot be created/],
      [argv`network inspect nc-missing`, /network nc-missing not found/],
    ];
    for (const [args, message] of refused) {
      const r = await docker(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
    const ls = await docker(['network', 'ls', '--format', '{{.Name}}']);
    assert.equal(ls.stdout, 'bridge\nhost\nnc-app\nnc-auto\nnone\n');
  });

  test('host and none list the running containers on them', async () => {
    const started = await docker(argv`run -d --name nc-hosted --network host busybox sleep 300`);
    assert.equal(started.code, 0, started.stderr);
    const host = await inspect('host');
    assert.deepEqual(
      Object.values(host.Containers).map((c) => c.Name),
      ['nc-hosted'],
    );
    assert.deepEqual((await inspect('none')).Containers, {});
    await docker(['rm', '-f', 'nc-hosted']);
  });

  test('networks stay across a daemon restart; prune removes the unused custom ones', async () => {
    const before = await inspect('nc-app');
    const old = daemon as TestDaemon;
    await old.stop();
    daemon = await relaunch(old);
    docker = dockerCli(daemon, join(dir, 'docker-config'));
    assert.deepEqual(await inspect('nc-app'), before);
    const pruned = await docker(['network', 'prune', '-f']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.equal(pruned.stdout, 'Deleted Networks:\nnc-app\nnc-auto\n\n');
    const after = await same('after-prune', ['network', 'ls', '--format', '{{.Name}}']);
    assert.equal(after.stdout, 'bridge\nhost\nnone\n');
    await same('prune-none', ['network', 'prune', '-f']);
    await same('create-rm', ['network', 'create', '@']);
    await same('create-rm', ['network', 'rm', '@', 'nc-nothing']);
  });
});

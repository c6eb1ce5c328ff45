import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import Docker from 'dockerode';

import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { swaggerErrors } from '../helpers/swagger.js';

const isRoot = process.getuid?.() === 0;

interface ApiError {
  statusCode?: number;
  json?: { message?: string };
}

const status = (code: number, message: RegExp) => (err: ApiError) =>
  err.statusCode === code && message.test(err.json?.message ?? '');

/** dockerode (a real client library) drives the volume API; answers validate against the swagger. */
describe('dockerode against moord volumes', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let docker: Docker;
  before(async () => {
    daemon = await startDaemonWithBusybox('dockerode-vol');
    docker = new Docker({ socketPath: daemon.socket });
  });
  after(() => cleanupContainerDaemon(daemon));

  test('create, list with filters, inspect, remove (409 in use, 404)', async () => {
    await docker.createVolume({ Name: 'dv-data', Labels: { from: 'dockerode' } });
    const created = (await docker.getVolume('dv-data').inspect()) as unknown as Record<
      string,
      unknown
    >;
    assert.equal(created['Name'], 'dv-data');
    assert.match(String(created['Mountpoint']), /\/volumes\/dv-data\/_data$/);
    await docker.createVolume({
      Name: 'dv-tmpfs',
      Labels: {},
      DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' },
    });
    const withOptions = await docker.getVolume('dv-tmpfs').inspect();
    // (A volume made without options or labels has them null, as dockerd sends it, which the
    // swagger does not allow; this one has both.)
    assert.deepEqual(swaggerErrors('Volume', withOptions), []);
    assert.deepEqual(withOptions.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
    assert.equal(created['Options'], null);
    const names = async (filters: Record<string, string[]>) =>
      ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name).sort();
    assert.deepEqual(await names({ label: ['from=dockerode'] }), ['dv-data']);
    assert.deepEqual(await names({ name: ['dv-'] }), ['dv-data', 'dv-tmpfs']);
    assert.deepEqual(await names({ driver: ['local'] }), ['dv-data', 'dv-tmpfs']);
    const container = await docker.createContainer({
      Image: 'busybox',
      Cmd: ['true'],
      HostConfig: { Binds: ['dv-data:/d:ro'] },
    });
    assert.deepEqual(await names({ dangling: ['true'] }), ['dv-tmpfs']);
    const inspected = await container.inspect();
    assert.deepEqual(inspected.Mounts, [
      {
        Type: 'volume',
        Name: 'dv-data',
        Source: created['Mountpoint'],
        Destination: '/d',
        Driver: 'local',
        Mode: 'ro',
        RW: false,
        Propagation: '',
      },
    ]);
    const summary = (await docker.listContainers({ all: true }))[0];
    assert.deepEqual(summary?.Mounts, inspected.Mounts);
    await assert.rejects(
      docker.getVolume('dv-data').remove(),
      status(409, new RegExp(`^remove dv-data: volume is in use - \\[${container.id}\\]$`)),
    );
    await assert.rejects(
      docker.getVolume('dv-nosuch').inspect(),
      status(404, /^get dv-nosuch: no such volume$/),
    );
    await assert.rejects(docker.getVolume('dv-nosuch').remove(), status(404, /no such volume/));
    await container.remove();
    await docker.getVolume('dv-data').remove();
    await docker.getVolume('dv-tmpfs').remove();
  });

  test('bad requests: 400 with Docker’s messages, nothing created', async () => {
    await assert.rejects(
      docker.createVolume({ Name: 'dv bad' }),
      status(400, /includes invalid characters for a local volume name/),
    );
    await assert.rejects(
      docker.createVolume({ Name: 'dv-opt', DriverOpts: { foo: 'bar' } }),
      status(400, /^invalid option: "foo"$/),
    );
    await assert.rejects(
      docker.createContainer({
        Image: 'busybox',
        HostConfig: { VolumesFrom: ['dv-nobody'] },
      }),
      status(400, /^No such container: dv-nobody$/),
    );
    await assert.rejects(
      docker.createContainer({
        Image: 'busybox',
        HostConfig: { Mounts: [{ Type: 'volume', Source: '', Target: 'rel' }] },
      }),
      status(400, /invalid mount config for type "volume": invalid mount path: 'rel'/),
    );
    assert.deepEqual((await docker.listVolumes()).Volumes, []);
    assert.deepEqual(await docker.listContainers({ all: true }), []);
  });

  test('prune: anonymous volumes only, unless all=true', async () => {
    await docker.createVolume({ Name: 'dv-named' });
    const container = await docker.createContainer({
      Image: 'busybox',
      HostConfig: { Binds: ['/anon'] },
    });
    const anon = (await container.inspect()).Mounts[0]?.Name ?? '';
    assert.match(anon, /^[0-9a-f]{64}$/);
    await container.remove();
    const pruned = (await docker.pruneVolumes()) as unknown;
    assert.deepEqual(pruned, { VolumesDeleted: [anon], SpaceReclaimed: 0 });
    const all = (await docker.pruneVolumes({ filters: { all: ['true'] } })) as unknown;
    assert.deepEqual(all, { VolumesDeleted: ['dv-named'], SpaceReclaimed: 0 });
    assert.deepEqual(await docker.pruneVolumes(), { VolumesDeleted: null, SpaceReclaimed: 0 });
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
/** Debian's python3 with its python3-docker (docker-py). */
const PYTHON = '/usr/bin/python3';

/**
 * docker-py (Debian's python3-docker) against moord, unchanged: a script drives containers,
 * exec, logs, archives, volumes, networks, a build and events, and prints what it saw as JSON.
 */
const SCRIPT = String.raw`
import docker, io, json, sys, time
c = docker.DockerClient(base_url=sys.argv[1])
seen = {'ping': c.ping()}
seen['run'] = c.containers.run('busybox', ['sh', '-c', 'echo out; echo err >&2'], remove=True,
                               stderr=True).decode()
ct = c.containers.run('busybox', 'sleep 30', detach=True, name='py1', labels={'a': 'b'},
                      environment={'X': '1'})
ct.reload()
seen['status'] = ct.status
seen['labels'] = ct.labels
ex = ct.exec_run('sh -c "echo $X; exit 3"')
seen['exec'] = [ex.exit_code, ex.output.decode()]
seen['top'] = ct.top()['Titles'][:2]
bits, stat = ct.get_archive('/etc/hostname')
seen['archive'] = [stat['name'], b''.join(bits)[:3] != b'']
ct.stop(timeout=1)
ct.reload()
seen['stopped'] = [ct.status, ct.attrs['State']['ExitCode']]
ct.remove()
logged = c.containers.run('busybox', ['sh', '-c', 'echo one; echo two'], detach=True)
logged.wait()
seen['logs'] = logged.logs().decode()
logged.remove()
v = c.volumes.create('pyvol', labels={'k': 'v'})
n = c.networks.create('pynet', driver='bridge')
ct2 = c.containers.run('busybox', 'sleep 5', detach=True, network='pynet',
                       volumes={'pyvol': {'bind': '/v', 'mode': 'rw'}})
ct2.reload()
seen['network'] = list(ct2.attrs['NetworkSettings']['Networks'].keys())
seen['mount'] = ct2.attrs['Mounts'][0]['Name']
ct2.remove(force=True)
n.remove()
v.remove()
dockerfile = b'FROM busybox\nRUN echo built > /b\nCMD ["cat", "/b"]\n'
img, _ = c.images.build(fileobj=io.BytesIO(dockerfile), tag='pyimg:1', rm=True)
seen['build'] = img.tags
seen['run built'] = c.containers.run('pyimg:1', remove=True).decode()
since = int(time.time()) - 60
events = c.events(since=since, until=int(time.time()) + 1, decode=True)
seen['events'] = sorted({e.get('Type') for e in events})
c.images.remove('pyimg:1')
print(json.dumps(seen))
`;

describe('docker-py against moord', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-docker-py-'));
    daemon = await startDaemonWithBusybox('docker-py');
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  test('containers, exec, logs, archives, volumes, networks, build and events', async () => {
    const script = join(dir, 'drive.py');
    await writeFile(script, SCRIPT);
    const result = await run(PYTHON, [script, daemon!.host], { timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(seen, {
      ping: true,
      run: 'out\nerr\n',
      status: 'running',
      labels: { a: 'b' },
      exec: [3, '1\n'],
      top: ['UID', 'PID'],
      archive: ['hostname', true],
      stopped: ['exited', 137],
      logs: 'one\ntwo\n',
      network: ['pynet'],
      mount: 'pyvol',
      build: ['pyimg:1'],
      'run built': 'built\n',
      events: ['container', 'image', 'network', 'volume'],
    });
  });
});

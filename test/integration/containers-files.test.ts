import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
  until,
} from '../helpers/containers.js';
import { MOOR, type TestDaemon } from '../helpers/moord.js';
import { type RunResult, run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/** Entry names of a tar listing (`tar -t` output), without empty lines. */
function names(listing: string): string[] {
  return listing.split('\n').filter((l) => l !== '');
}

/**
 * `docker cp`, `docker diff` and `docker export` (and the moor commands) against moord, on
 * running, exited and never-started containers.
 */
describe('container files with the docker CLI', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let work = '';
  let docker: ReturnType<typeof dockerCli>;
  /** A shell pipeline with the docker CLI and moor pointed at the test daemon. */
  let sh: (script: string) => Promise<RunResult>;
  const moor = (args: string[]) => run(MOOR, ['-H', daemon?.host ?? '', ...args]);
  /** Host paths a broken escape check would write: must never appear. */
  const hostMarker = join(tmpdir(), `moor-files-host-${process.pid}`);
  const escaped = `/tmp/moor-files-escaped-${process.pid}`;

  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-files-cfg-'));
    work = await mkdtemp(join(tmpdir(), 'moor-files-work-'));
    await rm(escaped, { force: true });
    await writeFile(hostMarker, 'host only\n');
    daemon = await startDaemonWithBusybox('files');
    docker = dockerCli(daemon, config);
    const env = { DOCKER_HOST: daemon.host, DOCKER_CONFIG: config };
    sh = (script) => run('sh', ['-c', `set -e; cd ${work}; ${script}`], { env });
    const started = await docker(['run', '-d', '--name', 'files-run', 'busybox', 'sleep', '600']);
    assert.equal(started.code, 0, started.stderr);
    const made = await docker([
      'exec',
      'files-run',
      'sh',
      '-c',
      'mkdir -p /data/sub && echo hello > /data/hello.txt && echo deep > /data/sub/deep.txt',
    ]);
    assert.equal(made.code, 0, made.stderr);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
    await rm(hostMarker, { force: true });
    await rm(escaped, { force: true });
  });

  /** Whether anything of the test daemon's containers is mounted on the host. */
  /** Overlay mounts on the host under the test daemon's directories. */
  async function overlayMounts(): Promise<string[]> {
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    return mounts
      .split('\n')
      .map((l) => l.split(' '))
      .filter(
        ([, target = '', type]) => type === 'overlay' && target.startsWith(daemon?.dir ?? '/-'),
      )
      .map(([, target = '']) => target);
  }

  /** Waits (briefly) for the mounts of operations whose response was already sent to go. */
  async function settledMounts(): Promise<void> {
    await until(async () => (await overlayMounts()).length === 0, 3000).catch(() => undefined);
  }

  test('cp out of a running container: a file, a directory, and - as a tar', async () => {
    const file = await docker(['cp', 'files-run:/data/hello.txt', join(work, 'hello.txt')]);
    assert.equal(file.code, 0, file.stderr);
    assert.equal(await readFile(join(work, 'hello.txt'), 'utf8'), 'hello\n');
    const dir = await docker(['cp', 'files-run:/data', join(work, 'data-copy')]);
    assert.equal(dir.code, 0, dir.stderr);
    assert.equal(await readFile(join(work, 'data-copy/sub/deep.txt'), 'utf8'), 'deep\n');
    const tar = await sh('docker cp files-run:/data - | tar -tf -');
    assert.equal(tar.code, 0, tar.stderr);
    assert.deepEqual(names(tar.stdout).sort(), [
      'data/',
      'data/hello.txt',
      'data/sub/',
      'data/sub/deep.txt',
    ]);
    // As the container sees it: the engine's /etc/hostname mounted over the image's.
    const id = (await docker(['inspect', '-f', '{{.Id}}', 'files-run'])).stdout.trim();
    const hostname = await sh('docker cp files-run:/etc/hostname - | tar -xOf -');
    assert.equal(hostname.stdout, `${id.slice(0, 12)}\n`);
    // The container was frozen for the copies only.
    const ps = await docker(['inspect', '-f', '{{.State.Status}}', 'files-run']);
    assert.equal(ps.stdout.trim(), 'running');
    assert.equal((await docker(['exec', 'files-run', 'true'])).code, 0);
  });

  test('cp out of an exited and a never-started container, leaving nothing mounted', async () => {
    const ran = await docker([
      'run',
      '--name',
      'files-exited',
      'busybox',
      'sh',
      '-c',
      'echo bye > /bye.txt',
    ]);
    assert.equal(ran.code, 0, ran.stderr);
    const created = await docker(['create', '--name', 'files-created', 'busybox', 'true']);
    assert.equal(created.code, 0, created.stderr);
    const bye = await sh('docker cp files-exited:/bye.txt - | tar -xOf -');
    assert.equal(bye.code, 0, bye.stderr);
    assert.equal(bye.stdout, 'bye\n');
    const passwd = await docker(['cp', 'files-created:/etc/passwd', join(work, 'passwd')]);
    assert.equal(passwd.code, 0, passwd.stderr);
    assert.match(await readFile(join(work, 'passwd'), 'utf8'), /^root:x:0:0:/);
    const bin = await docker(['cp', 'files-created:/bin', join(work, 'bin-copy')]);
    assert.equal(bin.code, 0, bin.stderr);
    assert.ok(existsSync(join(work, 'bin-copy/busybox')));
    // Into a stopped container, then out again.
    await writeFile(join(work, 'into-stopped.txt'), 'stopped\n');
    const into = await docker(['cp', join(work, 'into-stopped.txt'), 'files-exited:/']);
    assert.equal(into.code, 0, into.stderr);
    const back = await sh('docker cp files-exited:/into-stopped.txt - | tar -xOf -');
    assert.equal(back.stdout, 'stopped\n');
    // A running container's root filesystem lives in its own mount namespace; stopped ones
    // are unmounted after the copies (once the response is sent, as dockerd does).
    await settledMounts();
    assert.deepEqual(await overlayMounts(), [], 'no container rootfs is mounted on the host');
  });

  test('cp into a running container: a file, a directory and a tar on stdin', async () => {
    await writeFile(join(work, 'in.txt'), 'in file\n');
    await mkdir(join(work, 'in-dir/nested'), { recursive: true });
    await writeFile(join(work, 'in-dir/nested/n.txt'), 'nested\n');
    await writeFile(join(work, 'stdin.txt'), 'from stdin\n');
    const file = await docker(['cp', join(work, 'in.txt'), 'files-run:/tmp/']);
    assert.equal(file.code, 0, file.stderr);
    const renamed = await docker(['cp', join(work, 'in.txt'), 'files-run:/tmp/renamed.txt']);
    assert.equal(renamed.code, 0, renamed.stderr);
    const dir = await docker(['cp', join(work, 'in-dir'), 'files-run:/tmp/copied-dir']);
    assert.equal(dir.code, 0, dir.stderr);
    const stdin = await sh('tar -cf - stdin.txt | docker cp - files-run:/tmp');
    assert.equal(stdin.code, 0, stdin.stderr);
    const cat = await docker([
      'exec',
      'files-run',
      'cat',
      '/tmp/in.txt',
      '/tmp/renamed.txt',
      '/tmp/copied-dir/nested/n.txt',
      '/tmp/stdin.txt',
    ]);
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, 'in file\nin file\nnested\nfrom stdin\n');
  });

  test('cp of a missing path fails with Docker’s message', async () => {
    const out = await docker(['cp', 'files-run:/no/such', work]);
    assert.equal(out.code, 1);
    assert.match(
      out.stderr,
      /Error response from daemon: Could not find the file \/no\/such in container files-run/,
    );
    const into = await docker(['cp', join(work, 'in.txt'), 'files-run:/no/such/dir/x']);
    assert.equal(into.code, 1);
    assert.match(into.stderr, /Could not find the file \/no\/such\/dir in container files-run/);
    const notDir = await docker(['cp', join(work, 'in.txt'), 'files-run:/etc/passwd/x']);
    assert.equal(notDir.code, 1);
    assert.match(notDir.stderr, /extraction point is not a directory/);
    const missing = await docker(['cp', 'files-nosuch:/etc/passwd', work]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: files-nosuch/);
  });

  test('symlinks in the container cannot lead a copy out of its root filesystem', async () => {
    const links = await docker([
      'exec',
      'files-run',
      'sh',
      '-c',
      'ln -s / /escape-abs && ln -s ../../../../../../../../tmp /escape-rel && echo inside > /tmp/inside.txt',
    ]);
    assert.equal(links.code, 0, links.stderr);
    // Reading: the links resolve with the container's root as `/`.
    const inside = await sh('docker cp files-run:/escape-rel/inside.txt - | tar -xOf -');
    assert.equal(inside.stdout, 'inside\n');
    const host = await docker(['cp', `files-run:/escape-abs${hostMarker}`, work]);
    assert.equal(host.code, 1, 'a file only the host has is not found');
    assert.match(host.stderr, /Could not find the file/);
    // Writing through the links lands in the container.
    const source = join(work, 'escaped-source');
    await writeFile(source, 'written\n');
    const name = escaped.slice(escaped.lastIndexOf('/') + 1);
    for (const dest of ['/escape-abs/tmp/', '/escape-rel/']) {
      await rm(join(work, name), { force: true });
      await writeFile(join(work, name), `via ${dest}\n`);
      const put = await docker(['cp', join(work, name), `files-run:${dest}`]);
      assert.equal(put.code, 0, put.stderr);
      assert.equal(existsSync(escaped), false, `${dest} wrote on the host`);
      const cat = await docker(['exec', 'files-run', 'cat', `/tmp/${name}`]);
      assert.equal(cat.stdout, `via ${dest}\n`);
    }
    // A tar that brings its own link to `/` and a file under it stays inside too.
    const crafted = join(work, 'crafted');
    await mkdir(crafted, { recursive: true });
    await symlink('/', join(crafted, 'root-link'));
    await writeFile(join(crafted, name), 'crafted\n');
    assert.equal(await readlink(join(crafted, 'root-link')), '/');
    const tar = await sh(
      `tar -C crafted -cf crafted.tar root-link && ` +
        `tar -C crafted -rf crafted.tar --transform 's,^,root-link/tmp/,' ${name} && ` +
        `docker cp - files-run:/tmp < crafted.tar`,
    );
    assert.equal(tar.code, 0, tar.stderr);
    assert.equal(existsSync(escaped), false, 'the crafted tar wrote on the host');
    const cat = await docker(['exec', 'files-run', 'cat', `/tmp/${name}`]);
    assert.equal(cat.stdout, 'crafted\n');
  });

  test('diff lists added, changed and deleted paths; a fresh container has none', async () => {
    const fresh = await docker(['run', '-d', '--name', 'files-fresh', 'busybox', 'sleep', '600']);
    assert.equal(fresh.code, 0, fresh.stderr);
    const none = await docker(['diff', 'files-fresh']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, '', 'the engine’s own mount points are not changes');
    const changed = await docker([
      'exec',
      'files-fresh',
      'sh',
      '-c',
      'echo added > /added.txt && rm /bin/ls && echo more >> /etc/passwd && mkdir -p /new/dir',
    ]);
    assert.equal(changed.code, 0, changed.stderr);
    const expected = 'A /added.txt\nC /bin\nD /bin/ls\nC /etc\nC /etc/passwd\nA /new\nA /new/dir\n';
    const diff = await docker(['diff', 'files-fresh']);
    assert.equal(diff.code, 0, diff.stderr);
    assert.equal(diff.stdout, expected);
    const viaMoor = await moor(['diff', 'files-fresh']);
    assert.equal(viaMoor.code, 0, viaMoor.stderr);
    assert.equal(viaMoor.stdout, expected);
    assert.equal((await docker(['stop', '-t', '0', 'files-fresh'])).code, 0);
    const stopped = await docker(['diff', 'files-fresh']);
    assert.equal(stopped.stdout, expected, 'a stopped container has the same changes');
  });

  test('export writes the whole root filesystem as a tar, running or stopped', async () => {
    const running = await sh('docker export files-run | tar -tf -');
    assert.equal(running.code, 0, running.stderr);
    const entries = names(running.stdout);
    for (const name of ['bin/busybox', 'etc/passwd', 'tmp/in.txt', 'data/sub/deep.txt']) {
      assert.ok(entries.includes(name), `${name} in the export`);
    }
    assert.ok(!entries.some((e) => e.startsWith('/') || e.startsWith('./')));
    // The container's own files only: nothing of what is mounted in it (proc, the /etc files).
    assert.ok(!entries.includes('proc/cpuinfo'), 'no /proc content in the export');
    const hostname = await sh('docker export files-run | tar -xOf - etc/hostname');
    assert.equal(hostname.stdout, '', 'the engine-mounted /etc/hostname is not exported');
    await settledMounts();
    assert.deepEqual(await overlayMounts(), [], 'the read-only view is unmounted after it');
    const file = join(work, 'fresh.tar');
    const out = await docker(['export', '-o', file, 'files-fresh']);
    assert.equal(out.code, 0, out.stderr);
    const listed = names((await run('tar', ['-tf', file])).stdout);
    assert.ok(listed.includes('bin/busybox'));
    assert.ok(listed.includes('added.txt'));
    assert.ok(!listed.includes('bin/ls'), 'a deleted file is not exported');
    const added = await run('tar', ['-xOf', file, 'added.txt']);
    assert.equal(added.stdout, 'added\n');
    const viaMoor = join(work, 'fresh-moor.tar');
    const exported = await moor(['export', '-o', viaMoor, 'files-fresh']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(names((await run('tar', ['-tf', viaMoor])).stdout), listed);
  });

  test('moor cp copies both ways as docker cp does', async () => {
    const file = await moor(['cp', 'files-run:/data/hello.txt', join(work, 'moor-hello.txt')]);
    assert.equal(file.code, 0, file.stderr);
    assert.equal(await readFile(join(work, 'moor-hello.txt'), 'utf8'), 'hello\n');
    const dir = await moor(['cp', 'files-run:/data', join(work, 'moor-data')]);
    assert.equal(dir.code, 0, dir.stderr);
    assert.equal(await readFile(join(work, 'moor-data/sub/deep.txt'), 'utf8'), 'deep\n');
    const tar = await sh(`${MOOR} -H ${daemon?.host ?? ''} cp files-run:/data - | tar -tf -`);
    assert.equal(tar.code, 0, tar.stderr);
    assert.ok(names(tar.stdout).includes('data/sub/deep.txt'));
    const stopped = await moor(['cp', 'files-exited:/bye.txt', join(work, 'moor-bye.txt')]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(await readFile(join(work, 'moor-bye.txt'), 'utf8'), 'bye\n');

    const into = await moor(['cp', join(work, 'in.txt'), 'files-run:/tmp/moor-in.txt']);
    assert.equal(into.code, 0, into.stderr);
    const intoDir = await moor(['cp', join(work, 'in-dir'), 'files-run:/tmp/moor-dir']);
    assert.equal(intoDir.code, 0, intoDir.stderr);
    const cat = await docker([
      'exec',
      'files-run',
      'cat',
      '/tmp/moor-in.txt',
      '/tmp/moor-dir/nested/n.txt',
    ]);
    assert.equal(cat.stdout, 'in file\nnested\n');

    const missing = await moor(['cp', 'files-run:/no/such', work]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Could not find the file \/no\/such in container files-run/);
  });
});

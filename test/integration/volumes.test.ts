import assert from 'node:assert/strict';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import { type TestDaemon, relaunch } from '../helpers/moord.js';
import { readMounts } from '../../src/sys/index.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/**
 * Volumes and mounts on the real kernel through the docker CLI: binds (both ways, read-only,
 * files, created sources), named volumes that outlive their containers, copy-up from the
 * image, anonymous volumes and their removal, --volumes-from, --mount and --tmpfs, volumes
 * with mount options, prune, and Docker's errors with nothing created.
 */
describe('volumes and mounts', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-volumes-'));
    daemon = await startDaemonWithBusybox('volumes');
    docker = dockerCli(daemon, join(dir, 'docker-config'));
    // An image with content at its VOLUME: /data/hello.txt (uid 1000, 0640) in /data (0750).
    const rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'data'), { recursive: true });
    await writeFile(join(rootfs, 'data', 'hello.txt'), 'from-image\n');
    await chown(join(rootfs, 'data', 'hello.txt'), 1000, 1000);
    await chmod(join(rootfs, 'data', 'hello.txt'), 0o640);
    await chown(join(rootfs, 'data'), 1000, 1000);
    await chmod(join(rootfs, 'data'), 0o750);
    const imported = await run(
      'sh',
      [
        '-c',
        `docker create --name vol-src busybox true >/dev/null && docker export vol-src | tar -C ${rootfs} -x && docker rm vol-src >/dev/null && tar -C ${rootfs} -c . | docker import -c 'VOLUME /data' -c 'CMD ["sh"]' - vol-image:1`,
      ],
      { env: { DOCKER_HOST: daemon.host, DOCKER_CONFIG: join(dir, 'docker-config') } },
    );
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  const sh = async (args: string[], script: string, image = 'busybox') => {
    const r = await docker([
      'run',
      '--rm',
      '--network',
      'none',
      ...args,
      image,
      'sh',
      '-c',
      script,
    ]);
    return r;
  };
  const volumeNames = async () =>
    (await docker(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean).sort();

  test('bind mounts: both ways, :ro fails with EROFS, a file, a created source', async () => {
    const host = join(dir, 'bind');
    await mkdir(host);
    await writeFile(join(host, 'from-host'), 'host\n');
    const both = await sh(['-v', `${host}:/b`], 'cat /b/from-host; echo ctr > /b/from-ctr');
    assert.equal(both.stdout, 'host\n', both.stderr);
    assert.equal(await readFile(join(host, 'from-ctr'), 'utf8'), 'ctr\n');
    const ro = await sh(['-v', `${host}:/b:ro`], 'echo x > /b/nope');
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    const labelled = await sh(['-v', `${host}:/b:z`], 'true');
    assert.match(labelled.stderr, /WARNING: the "z" option of volume .* is ignored/);
    const file = await sh(['-v', `${host}/from-host:/etc/motd:ro`], 'cat /etc/motd');
    assert.equal(file.stdout, 'host\n', file.stderr);
    const made = join(dir, 'made', 'deep');
    const created = await sh(['-v', `${made}:/m`], 'touch /m/x');
    assert.equal(created.code, 0, created.stderr);
    assert.ok((await stat(join(made, 'x'))).isFile());
    const mounted = await docker([
      ...['create', '--name', 'vol-mount-ro'],
      ...['--mount', `type=bind,src=${host},dst=/b,readonly,bind-propagation=rslave`],
      'busybox',
    ]);
    assert.equal(mounted.code, 0, mounted.stderr);
    const shown = await docker([
      ...['inspect', '-f', '{{range .Mounts}}{{.Type}} {{.RW}} {{.Propagation}}{{end}}'],
      'vol-mount-ro',
    ]);
    assert.equal(shown.stdout.trim(), 'bind false rslave');
    await docker(['rm', 'vol-mount-ro']);
    const roMount = await sh(['--mount', `type=bind,src=${host},dst=/b,readonly`], 'touch /b/x');
    assert.match(roMount.stderr, /Read-only file system/);
    const missing = await sh(['--mount', `type=bind,src=${join(dir, 'absent')},dst=/m`], 'true');
    assert.equal(missing.code, 125);
    assert.match(
      missing.stderr,
      /invalid mount config for type "bind": bind mount source path does not exist: .*absent/,
    );
  });

  test('a named volume outlives its container; a stopped user blocks its removal', async () => {
    const wrote = await docker([
      ...['run', '--name', 'vol-writer', '--network', 'none', '-v', 'vol-keep:/d'],
      ...['busybox', 'sh', '-c', 'echo kept > /d/file'],
    ]);
    assert.equal(wrote.code, 0, wrote.stderr);
    const id = (await docker(['inspect', '-f', '{{.Id}}', 'vol-writer'])).stdout.trim();
    const refused = await docker(['volume', 'rm', 'vol-keep']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`remove vol-keep: volume is in use - \\[${id}\\]`));
    const mounts = await docker(['inspect', '-f', '{{json .Mounts}}', 'vol-writer']);
    const [mount] = JSON.parse(mounts.stdout) as Array<Record<string, unknown>>;
    assert.equal(mount?.['Type'], 'volume');
    assert.equal(mount?.['Name'], 'vol-keep');
    assert.equal(mount?.['Destination'], '/d');
    assert.equal(mount?.['RW'], true);
    assert.equal(
      mount?.['Source'],
      (await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'vol-keep'])).stdout.trim(),
    );
    assert.equal((await docker(['rm', '-v', 'vol-writer'])).code, 0);
    const read = await sh(['-v', 'vol-keep:/d:ro'], 'cat /d/file; touch /d/x');
    assert.equal(read.stdout, 'kept\n');
    assert.match(read.stderr, /Read-only file system/);
    assert.equal((await docker(['volume', 'rm', 'vol-keep'])).code, 0);
  });

  test('copy-up from the image into an empty volume; nocopy; anonymous volumes go with rm -v and --rm', async () => {
    const before = await volumeNames();
    const anon = await docker([
      ...['run', '--name', 'vol-anon', '--network', 'none', '-v', '/scratch'],
      ...['vol-image:1', 'sh', '-c', 'ls -ln /data; ls -lnd /data; cat /data/hello.txt'],
    ]);
    assert.equal(anon.code, 0, anon.stderr);
    assert.match(anon.stdout, /-rw-r-----\s+1 1000\s+1000\s+11 .* hello\.txt/);
    assert.match(anon.stdout, /drwxr-x---\s+\d+ 1000\s+1000 .* \/data/);
    assert.match(anon.stdout, /from-image/);
    const names = (
      await docker(['inspect', '-f', '{{range .Mounts}}{{.Name}} {{end}}', 'vol-anon'])
    ).stdout
      .trim()
      .split(' ');
    assert.equal(names.length, 2);
    for (const name of names) assert.match(name, /^[0-9a-f]{64}$/);
    const labels = await docker(['volume', 'inspect', '-f', '{{json .Labels}}', names[0] ?? '']);
    assert.equal(labels.stdout.trim(), '{"com.docker.volume.anonymous":""}');
    assert.equal((await docker(['rm', '-v', 'vol-anon'])).code, 0);
    assert.deepEqual(await volumeNames(), before);
    const named = await sh(['-v', 'vol-copied:/data'], 'cat /data/hello.txt', 'vol-image:1');
    assert.equal(named.stdout, 'from-image\n', named.stderr);
    const empty = await sh(['-v', 'vol-nocopy:/data:nocopy'], 'ls -A /data | wc -l', 'vol-image:1');
    assert.equal(empty.stdout.trim(), '0', empty.stderr);
    // --rm takes the anonymous volume with it, not the named ones.
    assert.equal((await sh([], 'true', 'vol-image:1')).code, 0);
    assert.deepEqual(await volumeNames(), [...before, 'vol-copied', 'vol-nocopy'].sort());
    for (const name of ['vol-copied', 'vol-nocopy']) await docker(['volume', 'rm', name]);
  });

  test('--volumes-from keeps binds and volumes, :ro makes them read-only', async () => {
    const host = join(dir, 'from');
    await mkdir(host);
    const source = await docker([
      ...['create', '--name', 'vol-from', '-v', 'vol-shared:/shared', '-v', `${host}:/host`],
      ...['busybox', 'true'],
    ]);
    assert.equal(source.code, 0, source.stderr);
    const rw = await sh(['--volumes-from', 'vol-from'], 'echo a > /shared/a; echo b > /host/b');
    assert.equal(rw.code, 0, rw.stderr);
    assert.equal(await readFile(join(host, 'b'), 'utf8'), 'b\n');
    const ro = await sh(['--volumes-from', 'vol-from:ro'], 'cat /shared/a; touch /host/c');
    assert.equal(ro.stdout, 'a\n');
    assert.match(ro.stderr, /Read-only file system/);
    const created = await docker([
      'create',
      '--name',
      'vol-from-ro',
      '--volumes-from',
      'vol-from:ro',
      'busybox',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const mounts = await docker([
      ...['inspect', '-f', '{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}} {{.Mode}};{{end}}'],
      'vol-from-ro',
    ]);
    assert.equal(mounts.stdout.trim(), 'bind /host false ;volume /shared false ;');
    await docker(['rm', '-v', 'vol-from', 'vol-from-ro']);
    await docker(['volume', 'rm', 'vol-shared']);
  });

  test('--mount volume/tmpfs, --tmpfs, and a volume with tmpfs options mounted while used', async () => {
    const created = await docker([
      ...['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=2m'],
      'vol-tmpfs',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const mountpoint = (
      await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'vol-tmpfs'])
    ).stdout.trim();
    const out = await sh(
      [
        ...['--mount', 'type=volume,src=vol-tmpfs,dst=/v'],
        ...['--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770'],
        ...['--tmpfs', '/u:size=512k'],
      ],
      'grep -E " /(v|t|u) " /proc/mounts; ls -ld /t',
    );
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^tmpfs \/v tmpfs rw,.*size=2048k/m);
    assert.match(out.stdout, /^tmpfs \/t tmpfs rw,nosuid,nodev,noexec,.*size=1024k,mode=1770/m);
    assert.match(out.stdout, /^tmpfs \/u tmpfs rw,nosuid,nodev,noexec,.*size=512k/m);
    assert.match(out.stdout, /^drwxrwx--T .* \/t$/m);
    // The volume's tmpfs is mounted only while a container uses it.
    assert.equal(
      (await readMounts()).some((m) => m.target === mountpoint),
      false,
    );
    assert.equal((await docker(['volume', 'rm', 'vol-tmpfs'])).code, 0);
  });

  test('prune: anonymous volumes only, all named ones with --all; used ones stay', async () => {
    await docker(['volume', 'create', 'vol-unused']);
    await docker(['create', '--name', 'vol-user', '-v', 'vol-used:/d', '-v', '/anon', 'busybox']);
    const anon = await docker(['create', '--name', 'vol-gone', '-v', '/anon', 'busybox']);
    const anonName = (
      await docker(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'vol-gone'])
    ).stdout.trim();
    assert.equal(anon.code, 0, anon.stderr);
    await docker(['rm', 'vol-gone']);
    const pruned = await docker(['volume', 'prune', '-f']);
    assert.match(pruned.stdout, new RegExp(`Deleted Volumes:\\n${anonName}\\n`));
    assert.ok((await volumeNames()).includes('vol-unused'));
    const all = await docker(['volume', 'prune', '-a', '-f']);
    assert.match(all.stdout, /vol-unused/);
    assert.doesNotMatch(all.stdout, /vol-used/);
    const left = await volumeNames();
    assert.ok(left.includes('vol-used'));
    assert.equal(left.length, 2, 'vol-used and the anonymous volume of vol-user');
    await docker(['rm', '-v', 'vol-user']);
    await docker(['volume', 'rm', 'vol-used']);
  });

  test('bad input: Docker’s errors, and nothing created', async () => {
    const before = await volumeNames();
    const containers = (await docker(['ps', '-aq'])).stdout;
    const cases: Array<[string[], RegExp]> = [
      [['-v', 'vol-x:rel'], /invalid mount path: 'rel' mount path must be absolute/],
      [['-v', `${dir}:/`], /invalid specification: destination can't be '\/'/],
      [['--mount', `type=bind,src=${dir},dst=/`], /destination can't be '\/'/],
      [['-v', 'vol-a:/d', '-v', 'vol-b:/d'], /Duplicate mount point: \/d/],
      [['-v', 'vol-a:/d', '--mount', 'type=volume,src=vol-b,dst=/d'], /Duplicate mount point: \/d/],
      [['-v', 'bad$name:/d'], /"bad\$name" includes invalid characters for a local volume name/],
      [['-v', 'vol-a:/d:bogus'], /invalid mode: bogus/],
      [['--mount', 'type=volume,src=vol-a,dst=/d,volume-opt=foo=bar'], /invalid option: "foo"/],
    ];
    for (const [args, message] of cases) {
      const r = await docker(['create', ...args, 'busybox']);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
    const opts = await docker(['volume', 'create', '-o', 'foo=bar', 'vol-badopt']);
    assert.match(opts.stderr, /invalid option: "foo"/);
    const name = await docker(['volume', 'create', 'bad$name']);
    assert.match(name.stderr, /includes invalid characters for a local volume name/);
    assert.deepEqual(await volumeNames(), before);
    assert.equal((await docker(['ps', '-aq'])).stdout, containers);
  });

  test('docker cp into and out of a stopped container goes through its volumes and binds', async () => {
    const host = join(dir, 'cp-bind');
    await mkdir(host);
    await writeFile(join(dir, 'cp-in.txt'), 'copied\n');
    const created = await docker([
      ...['create', '--name', 'vol-cp', '-v', 'vol-cp-data:/data', '-v', `${host}:/bind:ro`],
      'busybox',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const into = await docker(['cp', join(dir, 'cp-in.txt'), 'vol-cp:/data/in.txt']);
    assert.equal(into.code, 0, into.stderr);
    const mountpoint = (
      await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'vol-cp-data'])
    ).stdout.trim();
    assert.equal(await readFile(join(mountpoint, 'in.txt'), 'utf8'), 'copied\n');
    await writeFile(join(host, 'from-host.txt'), 'host side\n');
    const out = await docker(['cp', 'vol-cp:/bind/from-host.txt', join(dir, 'cp-out.txt')]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(await readFile(join(dir, 'cp-out.txt'), 'utf8'), 'host side\n');
    const refused = await docker(['cp', join(dir, 'cp-in.txt'), 'vol-cp:/bind/x.txt']);
    assert.notEqual(refused.code, 0, 'a read-only bind stays read-only');
    assert.equal(
      (await readMounts()).some((m) => m.target.includes(mountpoint)),
      false,
    );
    await docker(['rm', 'vol-cp']);
    await docker(['volume', 'rm', 'vol-cp-data']);
  });

  test('after a daemon restart a stopped container still holds its volume', async () => {
    await docker(['create', '--name', 'vol-held', '-v', 'vol-restart:/d', 'busybox']);
    const old = daemon as TestDaemon;
    await old.stop();
    daemon = await relaunch(old);
    docker = dockerCli(daemon, join(dir, 'docker-config'));
    const refused = await docker(['volume', 'rm', 'vol-restart']);
    assert.match(refused.stderr, /volume is in use/);
    await docker(['rm', 'vol-held']);
    assert.equal((await docker(['volume', 'rm', 'vol-restart'])).code, 0);
  });
});

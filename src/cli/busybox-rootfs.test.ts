import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { createTarWriter, readTar } from '../archive/index.js';
import { BUSYBOX_PATH, busyboxApplets, isStaticElf, writeBusyboxRootfs } from './busybox-rootfs.js';

const haveBusybox = existsSync(BUSYBOX_PATH);

test(
  'isStaticElf tells a static binary from a dynamic one',
  { skip: !haveBusybox && 'no /bin/busybox' },
  async () => {
    assert.equal(await isStaticElf(BUSYBOX_PATH), true);
    assert.equal(await isStaticElf(process.execPath), false);
  },
);

test(
  'the rootfs holds busybox, its applets as hard links, dirs and passwd',
  { skip: !haveBusybox && 'no /bin/busybox' },
  async () => {
    const applets = await busyboxApplets(BUSYBOX_PATH);
    assert.ok(applets.includes('bin/sh'));
    const tar = createTarWriter();
    const writing = writeBusyboxRootfs(tar, { busybox: BUSYBOX_PATH, applets });
    const entries = new Map<
      string,
      { type: string; mode: number; linkname: string; text?: string }
    >();
    for await (const entry of readTar(tar.readable)) {
      const { name, type, mode, linkname } = entry.header;
      const text = name.startsWith('etc/') ? (await entry.buffer()).toString() : undefined;
      entries.set(name, { type, mode, linkname, text });
    }
    await writing;
    assert.equal(entries.get('bin/busybox')?.type, 'file');
    assert.equal(entries.get('bin/busybox')?.mode, 0o755);
    assert.deepEqual(
      [entries.get('bin/sh')?.type, entries.get('bin/sh')?.linkname],
      ['hardlink', 'bin/busybox'],
    );
    assert.equal(entries.get('tmp/')?.mode, 0o1777);
    assert.equal(entries.get('root/')?.mode, 0o700);
    for (const dir of ['dev/', 'proc/', 'sys/', 'home/', 'var/', 'usr/', 'usr/bin/', 'sbin/']) {
      assert.equal(entries.get(dir)?.type, 'directory', dir);
    }
    assert.match(entries.get('etc/passwd')?.text ?? '', /^root:x:0:0:root:\/root:\/bin\/sh\n/);
    assert.match(entries.get('etc/group')?.text ?? '', /nobody:x:65534:/);
    // Every link's directory comes before it.
    const names = [...entries.keys()];
    for (const applet of applets) {
      const dir = applet.slice(0, applet.lastIndexOf('/') + 1);
      assert.ok(names.indexOf(dir) < names.indexOf(applet), applet);
    }
  },
);

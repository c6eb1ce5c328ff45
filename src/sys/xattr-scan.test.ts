import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { setXattrs } from './special-files.js';
import { parseXattrDumps, scanXattrs } from './xattr-scan.js';

test('parseXattrDumps reads one block per file, unquoting octal escapes', () => {
  const dumps = parseXattrDumps(
    '# file: /x/a b/c\ntrusted.overlay.opaque=0x79\n\n# file: /x/n\\012l\\134é\nuser.a=0x01\nuser.b=0x\n\n',
  );
  assert.deepEqual(
    [...dumps].map(([path, attrs]) => [path, [...attrs]]),
    [
      ['/x/a b/c', [['trusted.overlay.opaque', Buffer.from('y')]]],
      [
        '/x/n\nl\\é',
        [
          ['user.a', Buffer.of(1)],
          ['user.b', Buffer.alloc(0)],
        ],
      ],
    ],
  );
  assert.equal(parseXattrDumps('').size, 0);
});

test('scanXattrs finds matching attributes in a whole tree with one process', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'xattr-scan-test-'));
  try {
    const odd = join(dir, 'a b', 'n\nl');
    await mkdir(odd, { recursive: true });
    await mkdir(join(dir, 'plain'));
    const opaque = new Map([['trusted.overlay.opaque', Buffer.from('y')]]);
    await setXattrs([
      { path: odd, attrs: opaque },
      { path: join(dir, 'plain'), attrs: new Map([['user.other', Buffer.from('1')]]) },
    ]);
    const found = await scanXattrs([dir], {
      recursive: true,
      match: '^trusted\\.overlay\\.opaque$',
    });
    assert.deepEqual([...found.keys()], [odd]);
    assert.deepEqual(found.get(odd)?.get('trusted.overlay.opaque'), Buffer.from('y'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

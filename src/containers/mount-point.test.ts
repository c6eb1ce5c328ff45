import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  labelModeWarnings,
  parseBind,
  parseMountSpec,
  parseVolumesFrom,
  tmpfsData,
} from './mount-point.js';

test('-v: binds, named and anonymous volumes, modes as Docker reads them', () => {
  assert.deepEqual(parseBind('/h//x/:/c/./d:ro,rshared'), {
    type: 'bind',
    source: '/h/x',
    destination: '/c/d',
    mode: 'ro,rshared',
    rw: false,
    propagation: 'rshared',
    copyData: false,
    createSource: true,
  });
  assert.deepEqual(parseBind('data:/d'), {
    type: 'volume',
    name: 'data',
    source: '',
    destination: '/d',
    driver: 'local',
    mode: 'z',
    rw: true,
    propagation: '',
    copyData: true,
  });
  const anonymous = parseBind('/only');
  assert.equal(anonymous.name, undefined);
  assert.equal(parseBind('data:/d:nocopy,ro,Z').copyData, false);
  assert.equal(parseBind('data:/d:nocopy,ro,Z').rw, false);
  assert.equal(parseBind('/h:/x:z').propagation, 'rprivate');
});

test('-v: Docker’s errors', () => {
  const cases: Array<[string, string]> = [
    ['', "invalid volume specification: ''"],
    [':/x', "invalid volume specification: ':/x'"],
    ['/x:ro', "invalid volume specification: '/x:ro'"],
    ['a:b:c:d', "invalid volume specification: 'a:b:c:d'"],
    ['v:/d:bogus', 'invalid mode: bogus'],
    ['v:/d:ro,rw', 'invalid mode: ro,rw'],
    [
      'vol:rel',
      `invalid volume specification: 'vol:rel': invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute`,
    ],
    [
      '/h:/',
      `invalid volume specification: '/h:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`,
    ],
    [
      '/h:/x:nocopy',
      `invalid volume specification: '/h:/x:nocopy': invalid mount config for type "bind": field VolumeOptions must not be specified`,
    ],
    [
      'v:/x:rshared',
      `invalid volume specification: 'v:/x:rshared': invalid mount config for type "volume": field BindOptions must not be specified`,
    ],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => parseBind(raw), { message, kind: 'InvalidArgument' }, raw);
  }
});

test('--mount: bind, volume and tmpfs specs; their errors', () => {
  const bind = parseMountSpec({ Type: 'bind', Source: '/h', Target: '/x', ReadOnly: true });
  assert.deepEqual([bind.rw, bind.propagation, bind.createSource], [false, 'rprivate', undefined]);
  const volume = parseMountSpec({
    Type: 'volume',
    Source: 'v',
    Target: '/d',
    VolumeOptions: { NoCopy: true, DriverConfig: { Options: { type: 'tmpfs' } } },
  });
  assert.deepEqual(
    [volume.name, volume.copyData, volume.mode, volume.volumeOptions],
    ['v', false, 'z', { driverOpts: { type: 'tmpfs' } }],
  );
  const tmpfs = parseMountSpec({
    Type: 'tmpfs',
    Target: '/t',
    ReadOnly: true,
    TmpfsOptions: { SizeBytes: 3 * 1024 * 1024, Mode: 0o1770 },
  });
  assert.equal(tmpfsData(tmpfs), 'ro,mode=1770,size=3m');
  assert.equal(tmpfsData({ ...tmpfs, rw: true, tmpfs: { sizeBytes: 1000 } }), 'size=1000');
  const cases: Array<[Parameters<typeof parseMountSpec>[0], string]> = [
    [{ Type: 'bind', Target: '/x' }, 'field Source must not be empty'],
    [{ Type: 'bind', Source: '/h', Target: '/' }, "destination can't be '/'"],
    [{ Type: 'bind', Source: 'rel', Target: '/x' }, "invalid mount path: 'rel'"],
    [{ Type: 'volume', Target: '/x', ReadOnly: true }, 'must not set ReadOnly mode'],
    [{ Type: 'tmpfs', Source: 's', Target: '/x' }, 'field Source must not be specified'],
    [{ Type: 'npipe', Target: '/x' }, 'invalid mount config for type "npipe": mount type unknown'],
  ];
  for (const [spec, message] of cases) {
    assert.throws(
      () => parseMountSpec(spec),
      (err: Error) => err.message.includes(message),
    );
  }
});

test('--volumes-from: container and mode', () => {
  assert.deepEqual(parseVolumesFrom('c1'), { container: 'c1', rw: true });
  assert.deepEqual(parseVolumesFrom('c1:ro'), { container: 'c1', rw: false });
  assert.throws(() => parseVolumesFrom('c1:bogus'), { message: 'invalid mode: bogus' });
  assert.throws(() => parseVolumesFrom('c1:rshared'), { message: 'invalid mode: rshared' });
  assert.throws(() => parseVolumesFrom(''), /cannot be an empty string/);
});

test('z/Z on a -v: a note that SELinux relabeling is not done', () => {
  assert.deepEqual(labelModeWarnings(['/h:/x:ro,Z', 'v:/d', '/a:/b:z']), [
    'the "Z" option of volume "/h:/x:ro,Z" is ignored: SELinux relabeling is not supported',
    'the "z" option of volume "/a:/b:z" is ignored: SELinux relabeling is not supported',
  ]);
});

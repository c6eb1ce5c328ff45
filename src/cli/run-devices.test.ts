import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseDevices, parseGoInteger, parseGpus, parseThrottleBps } from './run-devices.js';

test('parseGoInteger reads Go literals with base 0 and reports strconv errors', () => {
  assert.equal(parseGoInteger('300', 16, true), 300);
  assert.equal(parseGoInteger('0x10', 16, true), 16);
  assert.equal(parseGoInteger('010', 16, true), 8);
  assert.equal(parseGoInteger('0b11', 64, false), 3);
  assert.equal(parseGoInteger('1_000', 64, false), 1000);
  assert.equal(parseGoInteger('-5', 64, false), -5);
  assert.throws(() => parseGoInteger('-1', 16, true), {
    message: 'strconv.ParseUint: parsing "-1": invalid syntax',
  });
  assert.throws(() => parseGoInteger('70000', 16, true), {
    message: 'strconv.ParseUint: parsing "70000": value out of range',
  });
  assert.throws(() => parseGoInteger('1__0', 64, false), /invalid syntax/);
  assert.throws(() => parseGoInteger('0x', 64, false), /invalid syntax/);
});

test('--device: the container path defaults to the host path, permissions to rwm', () => {
  assert.deepEqual(parseDevices(['/dev/fuse', '/dev/sda:/dev/xvda:r', '/dev/null:rw']), [
    { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
    { PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda', CgroupPermissions: 'r' },
    { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rw' },
  ]);
  assert.throws(() => parseDevices(['/dev/a:/b:wrx']), { message: 'bad mode specified: wrx' });
});

test('--device-read-bps takes sizes with units; --gpus reads docker csv requests', () => {
  assert.deepEqual(parseThrottleBps('/dev/sda:2mb'), { Path: '/dev/sda', Rate: 2 * 1024 * 1024 });
  assert.deepEqual(parseGpus('all'), {
    Driver: '',
    Count: -1,
    DeviceIDs: null,
    Capabilities: [['gpu']],
    Options: {},
  });
  assert.deepEqual(parseGpus('"device=0,2",driver=nvidia').DeviceIDs, ['0', '2']);
  assert.equal(parseGpus('driver=nvidia').Count, 1);
  assert.throws(() => parseGpus('x'), /invalid count \(x\)/);
});

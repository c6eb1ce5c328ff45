import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatCidr, parseCidr } from '../core/index.js';
import { allocateAddress, checkFixedAddress, nextFreePool, validatePool } from './ipam.js';

test('CIDRs: host bits cleared, IPv6 unsupported, junk refused', () => {
  assert.equal(formatCidr(parseCidr('10.1.2.3/16')), '10.1.0.0/16');
  assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
  assert.throws(() => parseCidr('fd00::/64'), { name: 'MoorError', kind: 'NotImplemented' });
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', '10.0.0/8', 'x/8', '10.0.0.0/8/1']) {
    assert.throws(() => parseCidr(bad), /invalid CIDR address/, bad);
  }
});

test('pools: default gateway, range and gateway inside the subnet, overlaps forbidden', () => {
  assert.deepEqual(validatePool({ Subnet: '10.5.0.0/24' }, []), {
    subnet: '10.5.0.0/24',
    gateway: '10.5.0.1',
  });
  assert.deepEqual(
    validatePool({ Subnet: '10.5.0.0/24', IPRange: '10.5.0.128/25', Gateway: '10.5.0.254' }, [
      '10.6.0.0/16',
    ]),
    { subnet: '10.5.0.0/24', gateway: '10.5.0.254', ipRange: '10.5.0.128/25' },
  );
  assert.throws(
    () => validatePool({ Subnet: '10.5.0.0/24', Gateway: '10.6.0.1' }, []),
    /no matching subnet for gateway 10.6.0.1/,
  );
  assert.throws(
    () => validatePool({ Subnet: '10.5.0.0/24', IPRange: '10.5.1.0/25' }, []),
    /no matching subnet for range 10.5.1.0\/25/,
  );
  assert.throws(() => validatePool({ Subnet: '10.5.0.0/24' }, ['10.0.0.0/8']), {
    kind: 'Forbidden',
    message: 'Pool overlaps with other one on this address space',
  });
});

test('the next free default pool skips taken ones', () => {
  assert.equal(nextFreePool([]), '172.17.0.0/16');
  assert.equal(nextFreePool(['172.17.0.0/16', '172.18.5.0/24']), '172.19.0.0/16');
  const all172 = Array.from({ length: 15 }, (_, i) => `172.${17 + i}.0.0/16`);
  assert.equal(nextFreePool(all172), '192.168.0.0/20');
  const pools = [{ base: '10.10.0.0/16', size: 24 }];
  assert.equal(nextFreePool(['10.10.0.0/24', '10.10.1.0/25'], pools), '10.10.2.0/24');
  assert.throws(() => nextFreePool(['10.10.0.0/16'], pools), /fully subnetted/);
});

test('addresses: from the range, skipping gateway, aux and used ones, not reusing at once', () => {
  const pool = {
    subnet: '10.5.0.0/24',
    gateway: '10.5.0.1',
    auxAddresses: { router: '10.5.0.2' },
  };
  assert.equal(allocateAddress(pool, new Set()), '10.5.0.3');
  assert.equal(allocateAddress(pool, new Set(['10.5.0.3'])), '10.5.0.4');
  // After 10.5.0.9 was handed out and released, the next one is 10.5.0.10, not 10.5.0.3.
  assert.equal(allocateAddress(pool, new Set(), '10.5.0.9'), '10.5.0.10');
  // The broadcast address is never handed out; the search wraps.
  assert.equal(allocateAddress(pool, new Set(), '10.5.0.254'), '10.5.0.3');
  const ranged = { subnet: '10.5.0.0/24', gateway: '10.5.0.1', ipRange: '10.5.0.128/30' };
  assert.equal(allocateAddress(ranged, new Set(['10.5.0.128'])), '10.5.0.129');
  assert.throws(
    () =>
      allocateAddress(ranged, new Set(['10.5.0.128', '10.5.0.129', '10.5.0.130', '10.5.0.131'])),
    /no available IPv4 addresses/,
  );
});

test('fixed addresses: inside the subnet, not the gateway, not taken', () => {
  const pool = { subnet: '10.5.0.0/24', gateway: '10.5.0.1' };
  checkFixedAddress(pool, '10.5.0.50', new Set());
  assert.throws(() => checkFixedAddress(pool, '10.6.0.5', new Set()), /no configured subnet/);
  assert.throws(() => checkFixedAddress(pool, '10.5.0.1', new Set()), /Address already in use/);
  assert.throws(() => checkFixedAddress(pool, '10.5.0.9', new Set(['10.5.0.9'])), /in use/);
  assert.throws(() => checkFixedAddress(pool, 'nope', new Set()), /invalid IPv4 address/);
});

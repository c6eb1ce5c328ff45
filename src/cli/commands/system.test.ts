import assert from 'node:assert/strict';
import { test } from 'node:test';

import { diskUsageRows, storeCheckReport } from './system.js';

test('system df rows: docker’s totals, active counts and reclaimable shares', () => {
  const rows = diskUsageRows({
    LayersSize: 4000,
    Images: [
      { Size: 3000, SharedSize: 1000, Containers: 1 },
      { Size: 2000, SharedSize: 1000, Containers: 0 },
    ],
    Containers: [
      { State: 'running', SizeRw: 100 },
      { State: 'exited', SizeRw: 300 },
    ],
    Volumes: [
      { UsageData: { Size: 500, RefCount: 1 } },
      { UsageData: { Size: 1500, RefCount: 0 } },
      { UsageData: { Size: -1, RefCount: 0 } },
    ],
    BuildCache: [],
  });
  assert.deepEqual(
    rows.map((r) => [r['Type'], r['TotalCount'], r['Active'], r['Size'], r['Reclaimable']]),
    [
      ['Images', '2', '1', '4kB', '2kB (50%)'],
      ['Containers', '2', '1', '400B', '300B (75%)'],
      ['Local Volumes', '3', '1', '2kB', '1.5kB (75%)'],
      ['Build Cache', '0', '0', '0B', '0B'],
    ],
  );
});

test('store check report: what was found, and what --fix did', () => {
  const none = { Layers: [], Mounts: [], Cgroups: [], RuntimeStates: [] };
  assert.equal(storeCheckReport(none, false), 'The store is clean.\n');
  assert.equal(
    storeCheckReport({ ...none, Mounts: ['/d/stray'], RuntimeStates: ['abc'] }, true),
    'Stray mounts:\n  /d/stray\n\nRuntime state of stopped containers:\n  abc\n\nRemoved.\n',
  );
});

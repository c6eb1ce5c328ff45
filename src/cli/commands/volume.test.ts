import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compileTemplate } from '../go-template.js';
import { typedVolume } from '../inspect-types.js';
import { naturalLess, volumeFormat, volumePruneReport, volumeRow } from './volume.js';

test('volumes sort in natural order, as docker lists them', () => {
  const names = ['v10', 'v2', 'a', 'v1b', 'v1'];
  names.sort((a, b) => (naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0));
  assert.deepEqual(names, ['a', 'v1', 'v1b', 'v2', 'v10']);
});

test('a volume row: docker’s columns, N/A without usage data, .Label', () => {
  const row = volumeRow({
    Name: 'data',
    Driver: 'local',
    Labels: { b: '2', a: '1' },
    Mountpoint: '/m',
    Options: null,
    Scope: 'local',
  });
  const render = (t: string) => compileTemplate(t)(row);
  assert.equal(
    render('{{.Name}} {{.Labels}} {{.Label "a"}} {{.Links}} {{.Size}}'),
    'data a=1,b=2 1 N/A N/A',
  );
  const used = volumeRow({
    ...{ Name: 'd', Driver: 'local', Labels: null, Mountpoint: '', Options: null, Scope: 'local' },
    UsageData: { Size: 2048, RefCount: 2 },
  });
  assert.equal(compileTemplate('{{.Links}} {{.Size}}')(used), '2 2.048kB');
});

test('prune report and the typed volume for inspect templates', () => {
  assert.equal(
    volumePruneReport({ VolumesDeleted: ['a', 'b'], SpaceReclaimed: 1500 }),
    'Deleted Volumes:\na\nb\n\nTotal reclaimed space: 1.5kB\n',
  );
  assert.equal(
    volumePruneReport({ VolumesDeleted: null, SpaceReclaimed: 0 }),
    'Total reclaimed space: 0B\n',
  );
  const typed = typedVolume({
    CreatedAt: '2026-11-23T03:00:00Z',
    Driver: 'local',
    Labels: null,
    Mountpoint: '/m',
    Name: 'v',
    Options: { type: 'tmpfs' },
    Scope: 'local',
  });
  assert.equal(
    compileTemplate('{{.}}|{{.Labels}}|{{.UsageData}}|{{json .Labels}}')(typed),
    '{<nil> 2026-11-23T03:00:00Z local map[] /m v map[type:tmpfs] local map[] <nil>}|map[]|<nil>|null',
  );
});

test('docker’s table and raw formats, with and without -q', () => {
  assert.equal(volumeFormat('table', false), 'table {{.Driver}}\\t{{.Name}}');
  assert.equal(volumeFormat('table', true), '{{.Name}}');
  assert.equal(volumeFormat('raw', false), 'name: {{.Name}}\\ndriver: {{.Driver}}\\n');
  assert.equal(volumeFormat('raw', true), 'name: {{.Name}}');
  assert.equal(volumeFormat('json', true), 'json');
});

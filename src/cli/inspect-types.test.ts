import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compileTemplate } from './go-template.js';
import { marshalledVolume, typedContainer, typedNetwork, typedVolume } from './inspect-types.js';

const JSON_TEXT = {
  Id: 'abc',
  State: { Status: 'running', Running: true, Pid: 42, StartedAt: 't0', FinishedAt: 't1' },
  ExecIDs: null,
  HostConfig: {
    Binds: null,
    LogConfig: { Type: 'json-file', Config: { 'max-size': '20m', 'max-file': '5' } },
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    Sysctls: null,
  },
  GraphDriver: { Name: 'overlay2', Data: { MergedDir: '/m' } },
  Config: {
    Labels: { a: 'b' },
    Healthcheck: { Test: ['CMD', 'true'], Interval: 90_000_000_000 },
  },
};

function render(template: string): string {
  return compileTemplate(template)(typedContainer(JSON_TEXT));
}

test('null and missing fields print as the Go types do', () => {
  assert.equal(render('{{.HostConfig.Binds}}|{{.ExecIDs}}|{{.HostConfig.Sysctls}}'), '[]|[]|map[]');
  assert.equal(
    render('{{.State.Health}}|{{.SizeRw}}|{{.Config.StopTimeout}}'),
    '<nil>|<nil>|<nil>',
  );
  assert.equal(render('{{.Config.Labels.missing}}'), '<no value>');
  assert.equal(render('{{if .State.Health}}yes{{else}}no{{end}} {{len .ExecIDs}}'), 'no 0');
});

test('structs print as {a b}, durations as Go durations', () => {
  assert.equal(render('{{.HostConfig.RestartPolicy}}'), '{no 0}');
  assert.equal(render('{{.Config.Healthcheck.Interval}}'), '1m30s');
  assert.equal(render('{{.State}}'), '{running true false false false false 42 0  t0 t1 <nil>}');
});

test('json gives the daemon JSON back: nulls kept, map keys sorted, durations in nanoseconds', () => {
  assert.equal(render('{{json .HostConfig.Binds}}'), 'null');
  assert.equal(
    render('{{json .HostConfig.LogConfig}}'),
    '{"Type":"json-file","Config":{"max-file":"5","max-size":"20m"}}',
  );
  assert.equal(
    render('{{json .Config.Healthcheck}}'),
    '{"Test":["CMD","true"],"Interval":90000000000}',
  );
  assert.equal(render('{{json .State.Health}}'), 'null');
});

test('typed evaluation fails where docker falls back to the JSON (missingkey=error)', () => {
  assert.throws(() => render('{{.State.Health.Status}}'), /nil pointer evaluating/);
  assert.throws(() => render('{{.Foo}}'), /can't evaluate field Foo/);
  const raw = compileTemplate('{{.State.Health.Status}}', { missingKey: 'error' });
  assert.throws(() => raw(JSON_TEXT), {
    message:
      'template: :1:8: executing "" at <.State.Health.Status>: map has no entry for key "Health"',
  });
});

const NETWORK_JSON = {
  Name: 'tn1',
  Id: 'f00d',
  Created: '2026-11-23T02:47:12.161457900Z',
  Scope: 'local',
  Driver: 'bridge',
  EnableIPv4: true,
  EnableIPv6: false,
  IPAM: {
    Driver: 'default',
    Options: null,
    Config: [
      { Subnet: '10.98.0.0/24', Gateway: '10.98.0.1', AuxiliaryAddresses: { a: '10.98.0.5' } },
    ],
  },
  ConfigFrom: { Network: '' },
  Containers: {
    c1: {
      Name: 'tc1',
      EndpointID: 'e1',
      MacAddress: 'm',
      IPv4Address: '10.98.0.2/24',
      IPv6Address: '',
    },
  },
  Options: {},
  Labels: {},
};

test('a network prints as docker’s network.Inspect: Go field names, times, structs', () => {
  const render = (template: string) => compileTemplate(template)(typedNetwork(NETWORK_JSON));
  assert.equal(render('{{.IPAM.Config}}'), '[{10.98.0.0/24  10.98.0.1 map[a:10.98.0.5]}]');
  assert.equal(render('{{.Created}}'), '2026-11-23 02:47:12.1614579 +0000 UTC');
  assert.equal(render('{{json .Created}}'), '"2026-11-23T02:47:12.161457900Z"');
  assert.equal(render('{{.ID}} {{.ConfigFrom}} {{.Peers}} {{.Services}}'), 'f00d {} [] map[]');
  assert.equal(render('{{.Containers}}'), 'map[c1:{tc1 e1 m 10.98.0.2/24 }]');
  assert.throws(() => render('{{.Id}}'), /can't evaluate field Id/);
  assert.equal(
    render('{{json .IPAM}}'),
    '{"Driver":"default","Options":null,"Config":[{"Subnet":"10.98.0.0/24","Gateway":"10.98.0.1","AuxiliaryAddresses":{"a":"10.98.0.5"}}]}',
  );
  const offset = typedNetwork({ ...NETWORK_JSON, Created: '2026-11-23T03:00:00+01:00' });
  assert.equal(compileTemplate('{{.Created}}')(offset), '2026-11-23 03:00:00 +0100 +0100');
});

const VOLUME_JSON = {
  CreatedAt: '2026-11-23T03:25:25Z',
  Driver: 'local',
  Labels: { z: '1', a: '<b>' },
  Mountpoint: '/var/lib/moor/volumes/v1/_data',
  Name: 'v1',
  Options: null,
  Scope: 'local',
  Status: {},
};

test('a volume prints as docker’s volume.Volume: Go field order, nil pointers and maps', () => {
  const render = (template: string) => compileTemplate(template)(typedVolume(VOLUME_JSON));
  assert.equal(
    render('{{.}}'),
    '{<nil> 2026-11-23T03:25:25Z local map[a:<b> z:1] /var/lib/moor/volumes/v1/_data v1 map[] local map[] <nil>}',
  );
  assert.equal(
    render('{{.Options}} {{.Status}} {{.UsageData}} {{.ClusterVolume}}'),
    'map[] map[] <nil> <nil>',
  );
  assert.equal(render('{{json .Labels}} {{json .Options}}'), '{"a":"<b>","z":"1"} null');
  assert.throws(
    () => render('{{.UsageData.Size}}'),
    /nil pointer evaluating \*volume\.UsageData\.Size/,
  );
  assert.throws(
    () => render('{{.ClusterVolume.ID}}'),
    /nil pointer evaluating \*volume\.ClusterVolume\.ID/,
  );
  assert.throws(() => render('{{.Nope}}'), /can't evaluate field Nope in type volume\.Volume/);
  const used = typedVolume({ ...VOLUME_JSON, UsageData: { Size: 2048, RefCount: 1 } });
  assert.equal(compileTemplate('{{.UsageData}}')(used), '{1 2048}');
});

test('a volume marshalled as the docker CLI marshals volume.Volume', () => {
  // Fields volume.Volume does not have are dropped, an empty Status left out.
  assert.deepEqual(Object.entries(marshalledVolume({ ...VOLUME_JSON, Extra: 'x' })), [
    ['CreatedAt', '2026-11-23T03:25:25Z'],
    ['Driver', 'local'],
    ['Labels', { a: '<b>', z: '1' }],
    ['Mountpoint', '/var/lib/moor/volumes/v1/_data'],
    ['Name', 'v1'],
    ['Options', null],
    ['Scope', 'local'],
  ]);
  const full = marshalledVolume({
    Name: 'v',
    Status: { b: { y: 1, x: 2 }, a: 'on' },
    UsageData: { Size: 1, RefCount: 2 },
  });
  assert.equal(
    JSON.stringify(full),
    '{"Driver":"","Labels":null,"Mountpoint":"","Name":"v","Options":null,"Scope":"",' +
      '"Status":{"a":"on","b":{"x":2,"y":1}},"UsageData":{"RefCount":2,"Size":1}}',
  );
});

test('HostConfig resources go by their Go names: NanoCpus only through the JSON', () => {
  const typed = typedContainer({ HostConfig: { NanoCpus: 5e8, CpuShares: 512, Memory: 64 } });
  assert.equal(
    compileTemplate('{{.HostConfig.NanoCPUs}} {{.HostConfig.CPUShares}}')(typed),
    '500000000 512',
  );
  assert.throws(
    () => compileTemplate('{{.HostConfig.NanoCpus}}')(typed),
    /can't evaluate field NanoCpus/,
  );
});

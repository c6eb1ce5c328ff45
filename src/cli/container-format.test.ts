import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ContainerSummary } from '../api-types/index.js';
import {
  CONTAINER_HEADERS,
  checkTemplate,
  containerFormat,
  containerRow,
  displayImage,
  displayNames,
  displayPorts,
  goQuote,
} from './container-format.js';
import { renderList } from './table.js';

const ID = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
const IMAGE_ID = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

function summary(over: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    Id: ID,
    Names: ['/web'],
    Image: 'busybox',
    ImageID: IMAGE_ID,
    Command: 'sleep 1000',
    Created: NOW / 1000 - 7200,
    Ports: [],
    Labels: {},
    State: 'running',
    Status: 'Up 2 hours',
    HostConfig: { NetworkMode: 'bridge' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
    ...over,
  };
}

test('containerFormat picks docker default table, quiet and size forms', () => {
  assert.match(containerFormat('', false, false), /^table \{\{\.ID\}\}.*\{\{\.Names\}\}$/);
  assert.match(containerFormat('table', false, true), /\{\{\.Names\}\}\\t\{\{\.Size\}\}$/);
  assert.equal(containerFormat('table', true, false), '{{.ID}}');
  assert.equal(containerFormat('{{.Names}}', true, false), '{{.ID}}');
  assert.equal(containerFormat('{{.Names}}', false, false), '{{.Names}}');
  assert.equal(containerFormat('raw', true, false), 'container_id: {{.ID}}');
});

test('the default table has docker columns, a quoted truncated command and CREATED ago', () => {
  const rows = [
    containerRow(summary({ Command: 'sh -c "while true; do sleep 1; done"' }), {
      trunc: true,
      now: NOW,
    }),
  ];
  const out = renderList(containerFormat('', false, false), rows, CONTAINER_HEADERS);
  const [header, line] = out.split('\n');
  assert.equal(
    header,
    'CONTAINER ID   IMAGE     COMMAND                   CREATED       STATUS       PORTS     NAMES',
  );
  assert.equal(
    line,
    'a1b2c3d4e5f6   busybox   "sh -c \\"while true; …"   2 hours ago   Up 2 hours             web',
  );
});

test('-s adds SIZE as `rw (virtual rootfs)`', () => {
  const row = containerRow(summary({ SizeRw: 0, SizeRootFs: 4_261_000 }), { trunc: true });
  assert.equal(row['Size'], '0B (virtual 4.26MB)');
  assert.equal(containerRow(summary({ SizeRw: 12 }), { trunc: true })['Size'], '12B');
});

test('--no-trunc keeps the full id, command and image', () => {
  const row = containerRow(summary({ Image: 'busybox@sha256:abcd' }), { trunc: false });
  assert.equal(row['ID'], ID);
  assert.equal(row['Image'], 'busybox@sha256:abcd');
  assert.equal(row['Command'], '"sleep 1000"');
});

test('displayImage shows the familiar name and drops a digest when truncating', () => {
  assert.equal(
    displayImage('docker.io/library/busybox:1.36@sha256:' + 'a'.repeat(64), '', true),
    'busybox:1.36',
  );
  assert.equal(displayImage('busybox@sha256:' + 'a'.repeat(64), '', true), 'busybox');
  assert.equal(displayImage(IMAGE_ID, IMAGE_ID, true), '0123456789ab');
  assert.equal(displayImage('', '', true), '<no image>');
});

test('displayNames keeps only the own name when truncating', () => {
  assert.equal(displayNames(['/web', '/other/web-link'], true), 'web');
  assert.equal(displayNames(['/other/link', '/web'], false), 'other/link,web');
});

test('displayPorts groups consecutive ports and lists host mappings', () => {
  assert.equal(displayPorts([{ PrivatePort: 9988, Type: 'tcp' }]), '9988/tcp');
  assert.equal(
    displayPorts([{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }]),
    '0.0.0.0:8080->80/tcp',
  );
  assert.equal(
    displayPorts([{ IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }]),
    '[::]:8080->80/tcp',
  );
  assert.equal(
    displayPorts([
      { IP: '1.2.3.4', PrivatePort: 9999, PublicPort: 9999, Type: 'udp' },
      { IP: '1.2.3.4', PrivatePort: 9998, PublicPort: 9998, Type: 'udp' },
    ]),
    '1.2.3.4:9998-9999->9998-9999/udp',
  );
  assert.equal(
    displayPorts([
      { PrivatePort: 6677, Type: 'tcp' },
      { PrivatePort: 6678, Type: 'tcp' },
      { PrivatePort: 6680, Type: 'tcp' },
      { PrivatePort: 53, Type: 'udp' },
    ]),
    '6677-6678/tcp, 53/udp, 6680/tcp',
  );
  assert.equal(
    displayPorts([
      { PrivatePort: 80, Type: 'tcp' },
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    ]),
    '80/tcp, 0.0.0.0:8080->80/tcp',
  );
});

test('goQuote escapes as Go strconv.Quote', () => {
  assert.equal(goQuote('a "b"\n\t\x07\x1b'), '"a \\"b\\"\\n\\t\\a\\x1b"');
});

test('.Label, .Labels, .Mounts and .Networks', () => {
  const row = containerRow(
    summary({
      Labels: { 'com.example.b': '2', a: '1' },
      Mounts: [
        {
          Type: 'volume',
          Name: 'a-very-long-volume-name',
          Source: '/x',
          Destination: '/d',
          Driver: 'local',
          Mode: '',
          RW: true,
          Propagation: '',
        },
        { Type: 'bind', Source: '/srv', Destination: '/srv', Mode: '', RW: true, Propagation: '' },
      ],
      NetworkSettings: { Networks: { bridge: {} as never } },
    }),
    { trunc: true },
  );
  const out = renderList(
    'table {{.Label "com.example.b"}}\\t{{.Labels}}\\t{{.Mounts}}\\t{{.LocalVolumes}}\\t{{.Networks}}',
    [row],
    CONTAINER_HEADERS,
  );
  assert.equal(
    out,
    'b         LABELS                MOUNTS                 LOCAL VOLUMES   NETWORKS\n' +
      '2         a=1,com.example.b=2   a-very-long-vo…,/srv   1               bridge\n',
  );
});

test('{{json .}} has docker keys in sorted order and no methods with arguments', () => {
  const out = renderList(
    '{{json .}}',
    [containerRow(summary(), { trunc: true, now: NOW })],
    CONTAINER_HEADERS,
  );
  const keys = Object.keys(JSON.parse(out) as object);
  assert.deepEqual(keys, [
    'Command',
    'CreatedAt',
    'ID',
    'Image',
    'Labels',
    'LocalVolumes',
    'Mounts',
    'Names',
    'Networks',
    'Platform',
    'Ports',
    'RunningFor',
    'Size',
    'State',
    'Status',
  ]);
});

test('checkTemplate finds .Size the way docker does, by running the template', () => {
  const usesSize = (format: string) => checkTemplate(format).usesSize;
  assert.equal(usesSize('{{.Size}}'), true);
  assert.equal(usesSize('table {{.ID}}\\t{{.Size}}'), true);
  assert.equal(usesSize('{{if eq .State "x"}}{{.Size}}{{end}}'), false);
  assert.equal(usesSize('{{.Names}}'), false);
  // `{{json .}}` marshals every field; the bare `json` keyword is plain text to this check.
  assert.equal(usesSize('{{json .}}'), true);
  assert.equal(usesSize('json'), false);
});

test('checkTemplate rejects what docker ps rejects before listing', () => {
  assert.throws(() => checkTemplate('{{'), {
    message: 'failed to parse template: template: :1: unclosed action',
  });
  assert.throws(() => checkTemplate('{{.Foo}}'), {
    message:
      'failed to execute template: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext',
  });
  // Struct fields are case-sensitive, and methods take exactly their arguments.
  assert.throws(() => checkTemplate('{{.names}}'), /can't evaluate field names/);
  assert.throws(() => checkTemplate('{{.Label}}'), {
    message:
      'failed to execute template: template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0',
  });
  // The probe row is empty, as docker's: indexing its names fails.
  assert.throws(() => checkTemplate('{{index .Names 1}}'), /index out of range: 1/);
  // A chained field's error is placed at its second element, as Go's parser places it.
  assert.throws(() => checkTemplate('{{.Names.Foo}}'), {
    message:
      'failed to execute template: template: :1:8: executing "" at <.Names.Foo>: can\'t evaluate field Foo in type string',
  });
});

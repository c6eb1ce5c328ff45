import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ellipsis, formatBody, renderList, truncateId } from './table.js';

const HEADERS = { ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Size: 'SIZE' };
const ROWS = [
  { Repository: 'busybox', Tag: 'latest', ID: 'beae173ccac6', Size: '1.24MB' },
  { Repository: 'alpine', Tag: '3.19', ID: '05455a08881e', Size: '7.38MB' },
];

test('a table template gets a header row from the column names and aligned columns', () => {
  const out = renderList('table {{.Repository}}\\t{{.Tag}}\\t{{.Size}}', ROWS, HEADERS);
  assert.equal(
    out,
    'REPOSITORY   TAG       SIZE\nbusybox      latest    1.24MB\nalpine       3.19      7.38MB\n',
  );
});

test('header functions leave column names intact', () => {
  const out = renderList('table {{truncate .ID 4}}\\t{{lower .Tag}}', ROWS, HEADERS);
  assert.equal(out, 'IMAGE ID   TAG\nbeae       latest\n0545       3.19\n');
});

test('an unknown field heads its column <no value>', () => {
  const out = renderList('table {{.Nope}}', [], HEADERS);
  assert.equal(out, '<no value>\n');
});

test('a plain template prints one line per row, no header', () => {
  assert.equal(
    renderList('{{.Repository}}:{{.Tag}}', ROWS, HEADERS),
    'busybox:latest\nalpine:3.19\n',
  );
  assert.equal(renderList('{{.Repository}}', [], HEADERS), '');
});

test('json prints each row as JSON with sorted keys', () => {
  const row = [{ Tag: '<none>', ID: 'x', Repository: 'r' }];
  const expected = '{"ID":"x","Repository":"r","Tag":"\\u003cnone\\u003e"}\n';
  assert.equal(renderList('json', row, HEADERS), expected);
  assert.equal(renderList('{{json .}}', row, HEADERS), expected);
});

test('template errors read "template parsing error"', () => {
  assert.throws(
    () => renderList('{{.Repository', ROWS, HEADERS),
    /^Error: template parsing error: template: /,
  );
  assert.throws(
    () => renderList('{{nosuchfunc .}}', ROWS, HEADERS),
    /template parsing error: template: :1: function "nosuchfunc" not defined/,
  );
  assert.throws(
    () => renderList('{{index .Tag 10}}', ROWS, HEADERS),
    /template parsing error: template: :1:2: executing "" at <index .Tag 10>/,
  );
});

test('formatBody handles docker keywords and escapes', () => {
  assert.deepEqual(formatBody('json'), { table: false, body: '{{json .}}' });
  assert.deepEqual(formatBody('table {{.ID}}\\t{{.Tag}}'), {
    table: true,
    body: '{{.ID}}\t{{.Tag}}',
  });
  assert.deepEqual(formatBody(' {{.ID}}\\n '), { table: false, body: '{{.ID}}\n' });
});

test('truncateId and ellipsis', () => {
  assert.equal(truncateId('sha256:' + 'a'.repeat(64)), 'aaaaaaaaaaaa');
  assert.equal(truncateId('<missing>'), '<missing>');
  assert.equal(ellipsis('short', 45), 'short');
  const long = '/bin/sh -c #(nop) ADD file:abcdef0123456789abcdef in / ';
  assert.equal(ellipsis(long, 45), long.slice(0, 44) + '…');
  assert.equal(Array.from(ellipsis(long, 45)).length, 45);
  assert.equal(ellipsis('日本語日本語', 5), '日本…');
});

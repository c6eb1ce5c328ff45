import assert from 'node:assert/strict';
import { test } from 'node:test';

import { renderList } from '../table.js';
import { HISTORY_HEADERS, historyFormat, historyRow } from './image-history.js';

const NOW = Date.UTC(2024, 0, 1, 12);
const ITEM = {
  Id: 'sha256:' + 'b'.repeat(64),
  Created: NOW / 1000 - 3 * 24 * 3600,
  CreatedBy: '/bin/sh -c #(nop)\tCMD ["sh"] and some very long trailing text here',
  Tags: ['busybox:latest'],
  Size: 1_240_000,
  Comment: 'imported',
};

test('history rows: short id, ellipsis at 45 columns, human sizes', () => {
  const row = historyRow(ITEM, { trunc: true, human: true, now: NOW });
  assert.equal(row.ID, 'bbbbbbbbbbbb');
  assert.equal(row.CreatedSince, '3 days ago');
  assert.equal(row.CreatedBy, '/bin/sh -c #(nop) CMD ["sh"] and some very l…');
  assert.equal(Array.from(row.CreatedBy ?? '').length, 45);
  assert.equal(row.Size, '1.24MB');
  const missing = historyRow(
    { ...ITEM, Id: '<missing>', Created: 0 },
    { trunc: true, human: true },
  );
  assert.equal(missing.ID, '<missing>');
  assert.equal(missing.CreatedSince, 'N/A');
});

test('--human=false prints RFC 3339 times and byte counts; --no-trunc keeps all', () => {
  const row = historyRow(ITEM, { trunc: false, human: false, now: NOW });
  assert.equal(row.Size, '1240000');
  assert.equal(row.CreatedSince, row.CreatedAt);
  assert.equal(row.CreatedBy, ITEM.CreatedBy.replace('\t', ' '));
  assert.equal(row.ID, ITEM.Id);
});

test('the default history table', () => {
  const row = historyRow(ITEM, { trunc: true, human: true, now: NOW });
  const out = renderList(historyFormat('table', false, true), [row], HISTORY_HEADERS);
  assert.equal(
    out,
    'IMAGE          CREATED      CREATED BY                                      SIZE      COMMENT\n' +
      'bbbbbbbbbbbb   3 days ago   /bin/sh -c #(nop) CMD ["sh"] and some very l…   1.24MB    imported\n',
  );
  assert.equal(historyFormat('table', true, true), '{{.ID}}');
  assert.match(historyFormat('table', false, false), /CreatedAt/);
});

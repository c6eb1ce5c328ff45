import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseFilters, filtersQuery } from '../filter-flag.js';
import { pruneReport } from './image-prune.js';
import { deletedLines } from './image-remove.js';

test('rmi prints Untagged and Deleted lines in the daemon order', () => {
  assert.equal(
    deletedLines([{ Untagged: 'busybox:latest' }, { Deleted: 'sha256:abc' }]),
    'Untagged: busybox:latest\nDeleted: sha256:abc\n',
  );
});

test('prune reports deleted images and the reclaimed space', () => {
  assert.equal(
    pruneReport({
      ImagesDeleted: [{ Untagged: 'a:1' }, { Deleted: 'sha256:x' }],
      SpaceReclaimed: 1_234_567,
    }),
    'Deleted Images:\nuntagged: a:1\ndeleted: sha256:x\n\nTotal reclaimed space: 1.235MB\n',
  );
  assert.equal(
    pruneReport({ ImagesDeleted: null, SpaceReclaimed: 0 }),
    'Total reclaimed space: 0B\n',
  );
});

test('filter flags become the filters query', () => {
  const filters = parseFilters([' Dangling = true ', 'reference=busybox', 'reference=busybox']);
  assert.equal(filtersQuery(filters), '{"dangling":["true"],"reference":["busybox"]}');
  assert.equal(filtersQuery({}), undefined);
  assert.throws(() => parseFilters(['nope']), /bad format of filter \(expected name=value\)/);
});

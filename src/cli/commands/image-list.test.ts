import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ImageSummary } from '../../api-types/index.js';
import { renderList } from '../table.js';
import { IMAGE_HEADERS, imageFormat, imageRows } from './image-list.js';

const NOW = Date.UTC(2024, 0, 1, 12) / 1000;
const DIGEST = 'sha256:' + 'd'.repeat(64);

function image(overrides: Partial<ImageSummary>): ImageSummary {
  return {
    Id: 'sha256:' + 'a'.repeat(64),
    ParentId: '',
    RepoTags: [],
    RepoDigests: [],
    Created: NOW - 2 * 3600,
    Size: 4_261_000,
    SharedSize: -1,
    Labels: {},
    Containers: -1,
    ...overrides,
  };
}

const OPTIONS = { trunc: true, digest: false, showDigests: false, now: NOW * 1000 };

test('a row per tag, familiar names, short ids, human columns', () => {
  const rows = imageRows(
    [
      image({
        RepoTags: ['busybox:latest', 'docker.io/library/busybox:1.36', 'localhost:5000/x/y:v1'],
      }),
    ],
    OPTIONS,
  );
  assert.deepEqual(
    rows.map((r) => [r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size]),
    [
      ['busybox', 'latest', 'aaaaaaaaaaaa', '2 hours ago', '4.26MB'],
      ['busybox', '1.36', 'aaaaaaaaaaaa', '2 hours ago', '4.26MB'],
      ['localhost:5000/x/y', 'v1', 'aaaaaaaaaaaa', '2 hours ago', '4.26MB'],
    ],
  );
  assert.equal(rows[0]?.Containers, 'N/A');
  assert.equal(rows[0]?.SharedSize, 'N/A');
  assert.equal(rows[0]?.VirtualSize, '4.261MB');
});

test('dangling images show <none>; digest-only references depend on --digests', () => {
  const dangling = imageRows([image({})], OPTIONS);
  assert.deepEqual(
    [dangling[0]?.Repository, dangling[0]?.Tag, dangling[0]?.Digest],
    ['<none>', '<none>', '<none>'],
  );
  const digestOnly = image({ RepoDigests: [`busybox@${DIGEST}`] });
  const plain = imageRows([digestOnly], OPTIONS);
  assert.deepEqual(
    [plain[0]?.Repository, plain[0]?.Tag, plain[0]?.Digest],
    ['busybox', '<none>', ''],
  );
  const shown = imageRows([digestOnly], { ...OPTIONS, digest: true, showDigests: true });
  assert.deepEqual([shown[0]?.Tag, shown[0]?.Digest], ['<none>', DIGEST]);
  const tagged = imageRows(
    [image({ RepoTags: ['busybox:latest'], RepoDigests: [`busybox@${DIGEST}`] })],
    { ...OPTIONS, digest: true, showDigests: true },
  );
  assert.deepEqual(
    tagged.map((r) => [r.Tag, r.Digest]),
    [['latest', DIGEST]],
  );
});

test('--no-trunc keeps the full id', () => {
  const rows = imageRows([image({ RepoTags: ['a:b'] })], { ...OPTIONS, trunc: false });
  assert.equal(rows[0]?.ID, 'sha256:' + 'a'.repeat(64));
});

test('the default table looks like docker images', () => {
  const rows = imageRows([image({ RepoTags: ['busybox:latest'] })], OPTIONS);
  assert.equal(
    renderList(imageFormat('table', false, false), rows, IMAGE_HEADERS),
    'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n' +
      'busybox      latest    aaaaaaaaaaaa   2 hours ago   4.26MB\n',
  );
  assert.equal(
    renderList(imageFormat('table', true, false), rows, IMAGE_HEADERS),
    'aaaaaaaaaaaa\n',
  );
  const withDigest = renderList(imageFormat('table', false, true), rows, IMAGE_HEADERS);
  assert.ok(
    withDigest.startsWith('REPOSITORY   TAG       DIGEST    IMAGE ID       CREATED       SIZE\n'),
    withDigest,
  );
});

test('imageFormat follows NewImageFormat', () => {
  assert.equal(imageFormat('{{.ID}}', true, true), '{{.ID}}');
  assert.equal(imageFormat('table {{.ID}}', false, true), 'table {{.ID}}\\t{{.Digest}}');
  assert.equal(imageFormat('table {{.ID}} {{.Digest}}', false, true), 'table {{.ID}} {{.Digest}}');
  assert.match(imageFormat('raw', false, false), /^repository: /);
});

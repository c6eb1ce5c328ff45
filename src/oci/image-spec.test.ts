import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { sha256Digest } from './digest.js';
import {
  type Descriptor,
  type ImageIndex,
  MediaType,
  isImageIndex,
  layerCompression,
  matchingManifests,
  parseManifest,
  selectPlatform,
} from './image-spec.js';
import type { Platform } from './platform.js';

const d = (s: string) => sha256Digest(s);
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

const manifest = {
  schemaVersion: 2,
  mediaType: MediaType.dockerManifest,
  config: { mediaType: MediaType.dockerConfig, digest: d('c'), size: 10 },
  layers: [{ mediaType: MediaType.dockerLayer, digest: d('l'), size: 20 }],
};

function entry(
  platform: Platform | undefined,
  name: string,
  extra: Partial<Descriptor> = {},
): Descriptor {
  const desc: Descriptor = { mediaType: MediaType.ociManifest, digest: d(name), size: 1, ...extra };
  if (platform) desc.platform = platform;
  return desc;
}

describe('parseManifest', () => {
  test('image manifests by media type, keeping unknown fields', () => {
    const parsed = parseManifest(json({ ...manifest, extra: { keep: true } }));
    assert.ok(!isImageIndex(parsed));
    assert.equal(parsed.config.digest, d('c'));
    assert.deepEqual((parsed as unknown as Record<string, unknown>)['extra'], { keep: true });
  });

  test('indexes by media type or shape', () => {
    const index = {
      schemaVersion: 2,
      manifests: [entry({ os: 'linux', architecture: 'amd64' }, 'a')],
    };
    const byShape = parseManifest(json(index));
    assert.ok(isImageIndex(byShape));
    const byType = parseManifest(json({ ...index, mediaType: MediaType.dockerManifestList }));
    assert.ok(isImageIndex(byType));
    const byHeader = parseManifest(json(index), `${MediaType.ociIndex}; charset=utf-8`);
    assert.ok(isImageIndex(byHeader));
    // a shape-only OCI manifest
    const bare = { ...manifest, mediaType: undefined };
    assert.ok(!isImageIndex(parseManifest(json(bare))));
    assert.ok(!isImageIndex(parseManifest(json(bare), 'application/json')));
  });

  test('unsupported media types', () => {
    assert.throws(() => parseManifest(json({ ...manifest, mediaType: 'text/html' })), {
      message: 'unsupported manifest media type: text/html',
    });
    assert.throws(() => parseManifest(json({ schemaVersion: 1, name: 'x', fsLayers: [] })), {
      message: `unsupported manifest media type: ${MediaType.dockerManifestV1Signed}`,
    });
    assert.throws(
      () => parseManifest(json({ schemaVersion: 2, layers: [] }), MediaType.dockerManifestV1Signed),
      /unsupported manifest media type/,
    );
  });

  test('invalid manifests', () => {
    const bad: [unknown, RegExp][] = [
      ['not json', /MoorError: invalid manifest: /],
      [[], /expected a JSON object, got array/],
      [{ ...manifest, schemaVersion: 3 }, /unsupported schemaVersion 3/],
      [{ schemaVersion: 2 }, /neither an image manifest nor an index/],
      [
        { ...manifest, config: { ...manifest.config, digest: 'sha256:abc' } },
        /config\.digest "sha256:abc" is not a sha256 digest/,
      ],
      [
        { ...manifest, layers: [{ ...manifest.config, size: -1 }] },
        /layers\[0\]\.size must be a non-negative integer/,
      ],
      [{ ...manifest, layers: 'x' }, /layers must be an array/],
      [{ ...manifest, annotations: { a: 1 } }, /annotations must map strings to strings/],
      [
        { schemaVersion: 2, manifests: [{ ...manifest.config, platform: { os: 'linux' } }] },
        /platform must have/,
      ],
    ];
    for (const [body, message] of bad) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : json(body);
      assert.throws(() => parseManifest(bytes), message);
    }
  });

  test('layer compression by media type', () => {
    assert.equal(layerCompression(MediaType.dockerLayer), 'gzip');
    assert.equal(layerCompression(MediaType.ociLayer), 'none');
    assert.equal(layerCompression(MediaType.ociLayerZstd), 'zstd');
    assert.equal(layerCompression(MediaType.dockerConfig), undefined);
  });
});

describe('selectPlatform', () => {
  const amd64 = entry({ os: 'linux', architecture: 'amd64' }, 'amd64');
  const arm64 = entry({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'arm64');
  const armv6 = entry({ os: 'linux', architecture: 'arm', variant: 'v6' }, 'armv6');
  const armv7 = entry({ os: 'linux', architecture: 'arm', variant: 'v7' }, 'armv7');
  const attestation = entry({ os: 'unknown', architecture: 'unknown' }, 'att', {
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
  });
  const index: ImageIndex = {
    schemaVersion: 2,
    manifests: [attestation, armv6, armv7, arm64, amd64],
  };

  test('exact matches win', () => {
    assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64' }), amd64);
    assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm64' }), arm64);
    assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }), armv7);
    assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm' }), armv7);
    assert.equal(selectPlatform(index, { os: 'linux', architecture: 'x86_64' }), amd64);
  });

  test('variants: arm64 without variant matches v8; older arm variants are fallbacks', () => {
    const bare = entry({ os: 'linux', architecture: 'arm64' }, 'bare');
    const only = { schemaVersion: 2 as const, manifests: [bare] };
    assert.equal(selectPlatform(only, { os: 'linux', architecture: 'arm64', variant: 'v8' }), bare);
    const armOnly = { schemaVersion: 2 as const, manifests: [armv6, armv7] };
    assert.equal(selectPlatform(armOnly, { os: 'linux', architecture: 'arm64' }), armv7);
    assert.equal(
      selectPlatform(
        { schemaVersion: 2, manifests: [armv6] },
        { os: 'linux', architecture: 'arm', variant: 'v7' },
      ),
      armv6,
    );
    assert.equal(
      selectPlatform(
        { schemaVersion: 2, manifests: [armv7] },
        { os: 'linux', architecture: 'arm', variant: 'v6' },
      ),
      undefined,
    );
  });

  test('attestations and other OSes never match', () => {
    const atts = { schemaVersion: 2 as const, manifests: [attestation] };
    assert.equal(selectPlatform(atts, { os: 'unknown', architecture: 'unknown' }), undefined);
    const win = entry({ os: 'windows', architecture: 'amd64' }, 'win');
    assert.equal(
      selectPlatform(
        { schemaVersion: 2, manifests: [win] },
        { os: 'linux', architecture: 'amd64' },
      ),
      undefined,
    );
    assert.equal(selectPlatform(index, { os: 'linux', architecture: 's390x' }), undefined);
  });

  test('matchingManifests ranks candidates, entries without a platform last', () => {
    const noPlatform = entry(undefined, 'none');
    const amd64v3 = entry({ os: 'linux', architecture: 'amd64', variant: 'v3' }, 'v3');
    const i386 = entry({ os: 'linux', architecture: '386' }, '386');
    const all: ImageIndex = { schemaVersion: 2, manifests: [noPlatform, i386, amd64, amd64v3] };
    assert.deepEqual(
      matchingManifests(all, { os: 'linux', architecture: 'amd64', variant: 'v3' }),
      [amd64v3, amd64, i386, noPlatform],
    );
    assert.deepEqual(matchingManifests(all, { os: 'linux', architecture: 'amd64' }), [
      amd64,
      i386,
      noPlatform,
    ]);
  });
});

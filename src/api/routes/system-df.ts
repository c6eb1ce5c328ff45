import { invalidArgument } from '../../core/index.js';
import type { DataUsage, DataUsageKind, StoreLeftovers } from '../../system/index.js';
import { queryList } from '../request.js';
import type { Route } from '../router.js';
import { toContainerSummary } from './container-wire.js';
import { toImageSummary } from './image-wire.js';
import { toWireVolume } from './volumes.js';

const KINDS: readonly DataUsageKind[] = ['container', 'image', 'volume', 'build-cache'];
type Kind = DataUsageKind;

/** moord's own: the store check (`moor system check`); POST removes what it finds. */
export function storeCheckRoutes(check: (fix: boolean) => Promise<StoreLeftovers>): Route[] {
  const reply = (found: StoreLeftovers) => ({
    status: 200,
    body: {
      Layers: found.layers,
      Mounts: found.mounts,
      Cgroups: found.cgroups,
      RuntimeStates: found.runtimeStates,
    },
  });
  return [
    { method: 'GET', path: '/moor/store/check', handler: async () => reply(await check(false)) },
    { method: 'POST', path: '/moor/store/check', handler: async () => reply(await check(true)) },
  ];
}

/**
 * `GET /system/df` (`type=` may narrow it): Docker's SystemDataUsageResponse.
 */
export function systemDfRoutes(
  dataUsage: (kinds: ReadonlySet<Kind>) => Promise<DataUsage>,
): Route[] {
  return [
    {
      method: 'GET',
      path: '/system/df',
      handler: async (ctx) => {
        const asked = queryList(ctx.query, 'type');
        for (const kind of asked) {
          if (!(KINDS as readonly string[]).includes(kind)) {
            throw invalidArgument(`unknown object type: ${kind}`);
          }
        }
        const kinds = new Set<Kind>(asked.length > 0 ? (asked as Kind[]) : KINDS);
        const usage = await dataUsage(kinds);
        return {
          status: 200,
          body: {
            LayersSize: usage.layersSize ?? 0,
            Images:
              usage.images?.map(({ view, sharedSize, containers }) => ({
                ...toImageSummary(view, ctx.apiVersion),
                SharedSize: sharedSize,
                Containers: containers,
              })) ?? null,
            Containers: usage.containers?.map((view) => toContainerSummary(view)) ?? null,
            Volumes:
              usage.volumes?.map(({ record, mountpoint, size, refCount }) => ({
                ...toWireVolume(record, mountpoint),
                UsageData: { Size: size, RefCount: refCount },
              })) ?? null,
            BuildCache:
              usage.buildCache?.map((c) => ({
                ID: c.id,
                Parents: c.parent ? [c.parent] : null,
                Type: 'regular',
                Description: c.description,
                InUse: c.inUse,
                Shared: c.shared,
                Size: c.size,
                CreatedAt: c.createdAt,
                LastUsedAt: c.lastUsedAt,
                UsageCount: c.usageCount,
              })) ?? null,
          },
        };
      },
    },
  ];
}

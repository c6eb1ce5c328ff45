import type {
  Volume,
  VolumeCreateOptions,
  VolumeListResponse,
  VolumePruneResponse,
} from '../../api-types/index.js';
import type { FilterArgs } from '../../core/index.js';
import type { CreateVolumeRequest, VolumeRecord } from '../../volumes/index.js';
import { queryBool, queryFilters, readJsonBody } from '../request.js';
import type { Route } from '../router.js';

/** What the volume routes need from the daemon. */
export interface VolumesBackend {
  list(filters: FilterArgs): VolumeRecord[];
  get(name: string): VolumeRecord;
  dataDir(name: string): string;
  create(request: CreateVolumeRequest): Promise<VolumeRecord>;
  remove(name: string, options: { force: boolean }): Promise<void>;
  prune(filters: FilterArgs): Promise<{ deleted: string[]; reclaimed: number }>;
}

/** A volume as dockerd sends it (its Go struct's field order). */
export function toWireVolume(record: VolumeRecord, mountpoint: string): Volume {
  return {
    CreatedAt: record.createdAt,
    Driver: record.driver,
    Labels: record.labels ? { ...record.labels } : null,
    Mountpoint: mountpoint,
    Name: record.name,
    Options: record.options ? { ...record.options } : null,
    Scope: 'local',
  };
}

export function volumeRoutes(backend: VolumesBackend): Route[] {
  const wire = (record: VolumeRecord) => toWireVolume(record, backend.dataDir(record.name));
  return [
    {
      method: 'GET',
      path: '/volumes',
      handler: (ctx) => {
        const body: VolumeListResponse = {
          Volumes: backend.list(queryFilters(ctx.query)).map(wire),
          Warnings: null,
        };
        return { status: 200, body };
      },
    },
    {
      method: 'POST',
      path: '/volumes/create',
      handler: async (ctx) => {
        const body = ((await readJsonBody(ctx.req)) ?? {}) as VolumeCreateOptions;
        const record = await backend.create({
          name: body.Name ?? '',
          driver: body.Driver ?? '',
          driverOpts: body.DriverOpts ?? null,
          labels: body.Labels ?? null,
        });
        return { status: 201, body: wire(record) };
      },
    },
    {
      method: 'POST',
      path: '/volumes/prune',
      handler: async (ctx) => {
        const pruned = await backend.prune(queryFilters(ctx.query));
        const body: VolumePruneResponse = {
          VolumesDeleted: pruned.deleted.length > 0 ? pruned.deleted : null,
          SpaceReclaimed: pruned.reclaimed,
        };
        return { status: 200, body };
      },
    },
    {
      method: 'GET',
      path: '/volumes/{name}',
      handler: (ctx) => ({ status: 200, body: wire(backend.get(ctx.params['name'] ?? '')) }),
    },
    {
      method: 'DELETE',
      path: '/volumes/{name}',
      handler: async (ctx) => {
        await backend.remove(ctx.params['name'] ?? '', { force: queryBool(ctx.query, 'force') });
        return { status: 204 };
      },
    },
  ];
}

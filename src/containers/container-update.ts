import type { ContainerUpdateRequest, HostConfig } from '../api-types/index.js';
import { invalidArgument, notFound } from '../core/index.js';
import { buildResources } from '../runtime/index.js';
import { blockDeviceNumbers } from '../sys/index.js';
import type { ContainerContext } from './container-context.js';
import { blkioDevicePaths, checkResources } from './resource-checks.js';
import { validateRestartPolicy } from './restart-policy.js';
import { publishContainerEvent } from './container-event.js';

/** The fields docker update may change; zero (or absent) leaves a field as it is. */
const UPDATABLE = [
  'BlkioWeight',
  'CpuShares',
  'CpuPeriod',
  'CpuQuota',
  'CpuRealtimePeriod',
  'CpuRealtimeRuntime',
  'CpusetCpus',
  'CpusetMems',
  'Memory',
  'MemorySwap',
  'MemoryReservation',
  'NanoCpus',
] as const;

/**
 * The host config after an update, with dockerd's rules: `--cpus` and a CFS quota or period
 * exclude each other, a new memory limit must stay under the swap limit unless the swap is
 * updated too, and a container removed on exit keeps `no` as its restart policy.
 */
export function updatedHostConfig(
  current: HostConfig,
  request: ContainerUpdateRequest,
): HostConfig {
  const next: HostConfig = { ...current };
  const set = next as Record<string, unknown>;
  for (const key of UPDATABLE) {
    const value = request[key];
    if (value !== undefined && value !== 0 && value !== '') set[key] = value;
  }
  if (request.PidsLimit !== undefined && request.PidsLimit !== null) {
    next.PidsLimit = request.PidsLimit > 0 ? request.PidsLimit : 0;
  }
  if (
    (request.NanoCpus ?? 0) > 0 &&
    ((current.CpuQuota ?? 0) > 0 || (current.CpuPeriod ?? 0) > 0)
  ) {
    throw invalidArgument(
      `Conflicting options: Nano CPUs cannot be updated as CPU ${(current.CpuPeriod ?? 0) > 0 ? 'Period' : 'Quota'} has already been set`,
    );
  }
  if (
    (current.NanoCpus ?? 0) > 0 &&
    ((request.CpuQuota ?? 0) > 0 || (request.CpuPeriod ?? 0) > 0)
  ) {
    throw invalidArgument(
      `Conflicting options: CPU ${(request.CpuQuota ?? 0) > 0 ? 'Quota' : 'Period'} cannot be updated as NanoCPUs has already been set`,
    );
  }
  const swap = current.MemorySwap ?? 0;
  if (
    (request.Memory ?? 0) > 0 &&
    !request.MemorySwap &&
    swap > 0 &&
    (request.Memory ?? 0) > swap
  ) {
    throw invalidArgument(
      'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
    );
  }
  if (request.RestartPolicy?.Name) {
    if (current.AutoRemove) {
      throw invalidArgument(
        'Restart policy cannot be updated because AutoRemove is enabled for the container',
      );
    }
    validateRestartPolicy(request.RestartPolicy, false);
    next.RestartPolicy = {
      Name: request.RestartPolicy.Name,
      MaximumRetryCount: request.RestartPolicy.MaximumRetryCount ?? 0,
    };
  }
  return next;
}

/**
 * docker update: checks the new limits as create does, applies them to a running (or paused)
 * container through the runtime, then stores them — a stopped container gets them at its
 * next start. Returns dockerd's warnings (none).
 */
export async function updateContainer(
  ctx: ContainerContext,
  id: string,
  request: ContainerUpdateRequest,
): Promise<string[]> {
  return ctx.locks.run(id, async () => {
    const record = ctx.store.get(id);
    if (!record) throw notFound(`No such container: ${id}`);
    const hostConfig = updatedHostConfig(record.hostConfig, request);
    checkResources(hostConfig, ctx.hostResources);
    const status = record.state.status;
    if (status === 'running' || status === 'paused') {
      const devices = await blockDeviceNumbers(blkioDevicePaths(hostConfig));
      await ctx.runc.update(id, buildResources(hostConfig, devices));
    }
    await ctx.store.save({ ...record, hostConfig });
    publishContainerEvent(ctx, record, 'update');
    return [];
  });
}

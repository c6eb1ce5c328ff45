export type {
  ContainerRecord,
  ContainerState,
  ContainerStatus,
  HealthState,
} from './container-record.js';
export { openContainers } from './open-containers.js';
export type { Containers, OpenContainersOptions } from './open-containers.js';
export { bindContainerService } from './container-service.js';
export type { StatsFrame, StatsSample } from './container-stats.js';
export type { ContainerService, LogsOptions, WaitCondition } from './container-service.js';
export type { ContainerView } from './container-view.js';
export type { ExecSession } from './container-context.js';
export type { ContainerDefaults } from './container-context.js';
export { containerStatusText } from './container-status.js';
export { isUp } from './container-state.js';
export { parseDetachKeys, DEFAULT_DETACH_KEYS } from './detach-keys.js';
export type { ContainerFilters } from './container-filters.js';
export type { ContainerFiles } from './container-files.js';
export { encodePathStat } from './rootfs-archive.js';
export { hostNameservers } from './etc-files.js';

export type {
  ContainerRecord,
  ContainerState,
  ContainerStatus,
  HealthState,
} from './container-record.js';
export { networksToJoin } from './container-record.js';
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
export { archiveTree, encodePathStat } from './rootfs-archive.js';
export type { TreeArchiveOptions } from './rootfs-archive.js';
export { resolveInRoot } from './rootfs-path.js';
export { extractArchive as extractIntoRoot } from './rootfs-extract.js';
export { hostNameservers } from './etc-files.js';
export type { CommitOptions } from './container-commit.js';

export { createRunc } from './runc.js';
export type { Runc, RuncState } from './runc.js';
export {
  RuntimeStartError,
  attachSocketPath,
  launchMonitor,
  prepareMonitor,
  reopenMonitorLog,
  resizeTerminal,
} from './monitor.js';
export type { MonitorSpec, MonitorStarted, PreparedMonitor } from './monitor.js';
export { openStdinFeed } from './stdin-feed.js';
export type { StdinFeed } from './stdin-feed.js';

// The OCI runtime config builder.
export { OCI_VERSION, RLIM_INFINITY, serializeRuntimeSpec } from './oci-spec.js';
export type * from './oci-spec.js';
export {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  capabilitiesFromMask,
  containerCapabilities,
  effectiveCapabilities,
  normalizeCapabilities,
} from './capabilities.js';
export type { CapabilityRequest } from './capabilities.js';
export { parseGroup, parsePasswd, resolveAdditionalGroups, resolveUser } from './user-lookup.js';
export type { GroupEntry, PasswdEntry, ResolvedUser, UserLookup } from './user-lookup.js';
export { buildProcessEnv, mergeImageEnv, replaceOrAppendEnv, withHomeEnv } from './process-env.js';
export type { ProcessEnvInput } from './process-env.js';
export {
  DEFAULT_MASKED_PATHS,
  DEFAULT_PATH_ENV,
  DEFAULT_PATH_ENV as DEFAULT_PATH,
  DEFAULT_READONLY_PATHS,
  DEFAULT_SHM_SIZE,
  IN_CONTAINER_INIT_PATH,
  IN_CONTAINER_INIT_PATH as INIT_PATH_IN_CONTAINER,
} from './spec-defaults.js';
export { buildRlimits, parseSecurityOpts, validateSysctls } from './spec-security.js';
export type { SecurityOptions } from './spec-security.js';
export { buildResources, parseDeviceCgroupRules } from './spec-resources.js';
export { cgroupV2Values } from './cgroup-v2-values.js';
export type { BlockDeviceNumbers, DeviceSpec } from './spec-resources.js';
export { mergeTmpfsOptions } from './spec-mounts.js';
export type { EtcFiles } from './spec-mounts.js';
export { buildRuntimeSpec } from './spec-builder.js';
export type { NamespaceSource, SpecInput } from './spec-builder.js';

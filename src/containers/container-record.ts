import type { ContainerConfig, EndpointConfig, HostConfig } from '../api-types/index.js';
import type { NetworkAttachment, PortMapping } from '../network/index.js';
import type { Digest } from '../oci/index.js';
import type { MountPoint } from './mount-point.js';

/**
 * The container model: what moord stores per container (one JSON file, written atomically) and
 * what every container verb reads. `config` and `hostConfig` stay in Docker's wire shape: they
 * are the client's request (merged with the image's config, as Docker stores it) and inspect
 * echoes them back; everything moord decides itself is camelCase.
 */
export type ContainerStatus =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthResult {
  /** RFC 3339 with nanoseconds. */
  start: string;
  end: string;
  exitCode: number;
  output: string;
}

export interface HealthState {
  status: HealthStatus;
  failingStreak: number;
  /** The last five results, oldest first (as Docker keeps them). */
  log: HealthResult[];
}

/** Docker's zero time, shown for StartedAt/FinishedAt that never happened. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface ContainerState {
  status: ContainerStatus;
  /** The container's init process on the host (0 when not running). */
  pid: number;
  /** The monitor (conmon) process that parents the init (0 when none). */
  monitorPid: number;
  exitCode: number;
  /** Why the last start failed ('' when it did not). */
  error: string;
  /** RFC 3339 with nanoseconds, or ZERO_TIME. */
  startedAt: string;
  finishedAt: string;
  oomKilled: boolean;
  /** Set by stop/kill from a user, cleared by start: restart policies leave such a container alone. */
  manuallyStopped: boolean;
  health?: HealthState;
  /** The container's places on bridge networks while it runs. */
  networks?: NetworkAttachment[];
  /** Its published ports while it runs. */
  ports?: PortMapping[];
}

export interface ContainerRecord {
  /** 64 lowercase hex digits. */
  id: string;
  /** Without the leading slash. */
  name: string;
  /** RFC 3339 with nanoseconds. */
  created: string;
  imageId: Digest;
  /** The process the container runs: entrypoint + cmd resolved at create. */
  path: string;
  args: string[];
  /** Config.Image is kept exactly as the client sent it. */
  config: ContainerConfig;
  hostConfig: HostConfig;
  state: ContainerState;
  restartCount: number;
  /** NetworkingConfig.EndpointsConfig as the client sent it: fixed addresses, aliases. */
  endpoints?: Record<string, EndpointConfig>;
  /**
   * Disconnected from its network mode's network (NetworkMode stays, as Docker's): it joins
   * only the networks it was connected to, until connected to that network again.
   */
  modeNetworkLeft?: boolean;
  /** The storage driver its rootfs lives on. */
  driver: string;
  /** Binds, volumes and `--mount` tmpfs, resolved at create (Docker's MountPoints). */
  mounts?: MountPoint[];
}

/**
 * The networks a start joins, by the names the record uses: its network mode's (unless it
 * left it), then those it was connected to. `host`, `none` and `default` are modes, never
 * joined on top; nor is `bridge`, the default mode's network.
 */
export function networksToJoin(
  record: ContainerRecord,
  mode = record.hostConfig.NetworkMode ?? 'default',
): string[] {
  const modes = new Set([mode, mode === 'default' ? 'bridge' : mode, 'host', 'none', 'default']);
  const connected = Object.keys(record.endpoints ?? {}).filter((name) => !modes.has(name));
  return [...(record.modeNetworkLeft ? [] : [mode]), ...connected];
}

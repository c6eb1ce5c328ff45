import type { Logger } from '../core/index.js';
import type { NetworkAttachment, NetworkService } from '../network/index.js';
import type { VolumeService } from '../volumes/index.js';
import type { PublishEvent } from '../events/index.js';
import type { Images } from '../images/index.js';
import type { LogPump } from '../logging/index.js';
import type { MonitorStarted, PreparedMonitor, Runc } from '../runtime/index.js';
import type { CgroupLayout } from '../sys/index.js';
import type { ContainerLifecycle, KeyedLocks, LifecycleRegistry } from './container-events.js';
import type { ContainerPaths, EngineDirs } from './container-paths.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';
import type { HostResources } from './resource-checks.js';
import type { ExecConfig } from '../api-types/index.js';
import type { ExecPaths } from './container-paths.js';

/** Daemon-wide defaults for containers (daemon.json / flags). */
export interface ContainerDefaults {
  /** `log-driver` and `log-opts`. */
  logDriver: string;
  logOpts: Record<string, string>;
  /** Path of the init binary `--init` bind-mounts (undefined: --init is refused). */
  initPath: string | undefined;
  /** Seconds `stop` waits by default. */
  stopTimeout: number;
}

/** What moord knows about a container beyond its record while the daemon runs. */
export interface LiveContainer {
  pump?: LogPump;
  /** Timer of a pending restart (restart policy back-off). */
  restartTimer?: NodeJS.Timeout;
  /** When the current run started (ms), for the back-off reset. */
  startedAtMs?: number;
  /** The delay used for the last restart, for Docker's doubling back-off. */
  lastDelayMs?: number;
  /** Stops the health checker. */
  stopHealth?: () => void;
  /**
   * Set while `restart` stops the container: as Docker, that exit neither removes an
   * AutoRemove container nor counts for the restart policy.
   */
  manualRestart?: boolean;
  /** A monitor started ahead for the first start (container-start.ts: prepareFirstStart). */
  preparedStart?: { monitor: Promise<PreparedMonitor>; timer: NodeJS.Timeout } | undefined;
  /** The first start's process, created ahead at create (create-ahead.ts). */
  createdAhead?: CreatedAhead | undefined;
  /** Volumes acquired for the current run, released when it ends. */
  volumesHeld?: string[] | undefined;
}

/** A container's process as the runtime created it, waiting to be let go (`runc start`). */
export interface CreatedProcess {
  started: MonitorStarted;
  attachments: NetworkAttachment[];
}

/** A first start's process created ahead at create, from `record` (create-ahead.ts). */
export interface CreatedAhead {
  record: ContainerRecord;
  /** Settles when the creation is over: the process, or undefined when it failed (undone). */
  process: Promise<CreatedProcess | undefined>;
  /** Deletes the process when no start came for it. */
  timer?: NodeJS.Timeout;
}

/** A monitor started ahead for the id of a container not created yet. */
export interface PooledMonitor {
  id: string;
  monitor: Promise<PreparedMonitor>;
}

/** The pool's state: one monitor at most, and the timer that starts the next. */
export interface MonitorPool {
  ready?: PooledMonitor | undefined;
  refill?: NodeJS.Timeout | undefined;
  closed?: boolean;
}

/** An exec session: kept in memory only, as Docker does. */
export interface ExecSession {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  started: boolean;
  paths: ExecPaths;
  events: ContainerLifecycle;
  pump?: LogPump;
}

/** Everything the container verbs share. */
export interface ContainerContext {
  store: ContainerStore;
  images: Images;
  runc: Runc;
  dirs: EngineDirs;
  driver: string;
  cgroups: CgroupLayout;
  /** The host's CPUs and memory nodes, for checking limits (read at start). */
  hostResources: HostResources;
  logger: Logger;
  defaults: ContainerDefaults;
  locks: KeyedLocks;
  lifecycle: LifecycleRegistry;
  live: Map<string, LiveContainer>;
  execs: Map<string, ExecSession>;
  /** What the daemon may grant (its own bounding set). */
  availableCapabilities: string[];
  runtimeBinary: string;
  pathsOf(record: ContainerRecord): ContainerPaths;
  eventsOf(id: string): ContainerLifecycle;
  liveOf(id: string): LiveContainer;
  /** Set while the daemon shuts down: exits are then not followed by restarts. */
  shuttingDown: boolean;
  /** The monitor started ahead for the next container (monitor-pool.ts). */
  monitorPool: MonitorPool;
  /** Bridge and user networks (none: only host and none exist). */
  networks: ContainerNetworks | undefined;
  /** Volumes (none: containers cannot use volumes). */
  volumes: ContainerVolumes | undefined;
  /** The engine's event log (none: events are not kept). */
  publish?: PublishEvent | undefined;
}

/** What containers need of the volume service. */
export type ContainerVolumes = Pick<
  VolumeService,
  'claim' | 'restore' | 'forget' | 'acquire' | 'release' | 'dataDir'
>;

/** What containers need of the network service. */
export type ContainerNetworks = Pick<
  NetworkService,
  | 'networkOfMode'
  | 'resolve'
  | 'join'
  | 'plumb'
  | 'unplumb'
  | 'leave'
  | 'leaveNetwork'
  | 'restore'
  | 'publish'
  | 'unpublish'
  | 'restorePorts'
>;

import { join } from 'node:path';

/** Where the engine keeps what is not per container. */
export interface EngineDirs {
  /** `<data-root>/containers` */
  containers: string;
  /** `<exec-root>/bundles`: one OCI bundle per running container or exec session. */
  bundles: string;
  /** `<exec-root>/exits`: the monitors write `<container id>` here when an init ends. */
  exits: string;
  /** `<exec-root>/s`: short links to attach sockets (unix socket paths are short). */
  sockets: string;
  /** `<exec-root>/runc`: runc's state root. */
  runcRoot: string;
}

export function engineDirs(dataRoot: string, execRoot: string): EngineDirs {
  return {
    containers: join(dataRoot, 'containers'),
    bundles: join(execRoot, 'bundles'),
    exits: join(execRoot, 'exits'),
    sockets: join(execRoot, 's'),
    runcRoot: join(execRoot, 'runc'),
  };
}

/** The files of one container. */
export interface ContainerPaths {
  dir: string;
  hostname: string;
  hosts: string;
  resolvConf: string;
  /** The monitor's CRI log, converted into the log driver's files by the log pump. */
  monitorLog: string;
  /** How far the log pump has converted `monitorLog`. */
  monitorLogOffset: string;
  /** overlay: the writable layer and overlay's work dir; vfs: the full tree. */
  upper: string;
  work: string;
  /** Where the root filesystem is mounted (overlay) or lives (vfs). */
  rootfs: string;
  bundle: string;
  /** conmon's files in the bundle. */
  pidFile: string;
  monitorPidFile: string;
  persist: string;
  exitFile: string;
  /** The short uuid conmon names its attach link after. */
  uuid: string;
}

export function containerPaths(dirs: EngineDirs, id: string, driver: string): ContainerPaths {
  const dir = join(dirs.containers, id);
  const bundle = join(dirs.bundles, id);
  return {
    dir,
    hostname: join(dir, 'hostname'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    monitorLog: join(dir, 'monitor.log'),
    monitorLogOffset: join(dir, 'monitor.log.offset'),
    upper: driver === 'vfs' ? join(dir, 'rootfs') : join(dir, 'upper'),
    work: join(dir, 'work'),
    rootfs: driver === 'vfs' ? join(dir, 'rootfs') : join(dir, 'merged'),
    bundle,
    pidFile: join(bundle, 'pid'),
    monitorPidFile: join(bundle, 'monitor.pid'),
    persist: join(bundle, 'persist'),
    exitFile: join(dirs.exits, id),
    uuid: id.slice(0, 16),
  };
}

/** The files of one exec session (its own bundle dir, so conmon's fifos do not collide). */
export interface ExecPaths {
  bundle: string;
  processSpec: string;
  log: string;
  exitDir: string;
  pidFile: string;
  monitorPidFile: string;
  uuid: string;
}

export function execPaths(dirs: EngineDirs, execId: string): ExecPaths {
  const bundle = join(dirs.bundles, `exec-${execId}`);
  return {
    bundle,
    processSpec: join(bundle, 'process.json'),
    log: join(bundle, 'output.log'),
    exitDir: join(bundle, 'exit'),
    pidFile: join(bundle, 'pid'),
    monitorPidFile: join(bundle, 'monitor.pid'),
    uuid: `x${execId.slice(0, 15)}`,
  };
}

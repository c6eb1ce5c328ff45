import { mkdir, readFile, unlink } from 'node:fs/promises';

import { createApiHandler, imageRoutes, systemRoutes } from '../api/index.js';
import {
  DEFAULT_UNIX_SOCKET,
  type Logger,
  hasErrno,
  parseHostAddress,
  unavailable,
  writeFileAtomic,
} from '../core/index.js';
import { type InstanceLock, acquireInstanceLock, detectCgroupLayout } from '../sys/index.js';
import { bindImageService, openImages } from '../images/index.js';
import { createSystemService, loadEngineId } from '../system/index.js';
import type { DaemonConfig } from './config.js';
import { type Listener, closeListeners, openListeners } from './listeners.js';

export interface RunningDaemon {
  config: DaemonConfig;
  /** Stops accepting, finishes in-flight requests, releases the data root. */
  stop(): Promise<void>;
}

/** How long in-flight requests get to finish at shutdown before streams are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

async function writePidfile(path: string): Promise<void> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    if (pid > 0 && pid !== process.pid && processExists(pid)) {
      throw unavailable(
        `pid file found, ensure moord is not running or delete ${path}: process with PID ${pid} is still running`,
      );
    }
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
  await writeFileAtomic(path, `${process.pid}\n`);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if (hasErrno(err, 'ESRCH')) return false;
    return true;
  }
}

/** The composition root: builds the services, opens the API, and owns the start/stop order. */
export async function startDaemon(config: DaemonConfig, logger: Logger): Promise<RunningDaemon> {
  const addresses = (
    config.hosts.length > 0 ? config.hosts : [`unix://${DEFAULT_UNIX_SOCKET}`]
  ).map((h) => parseHostAddress(h, config.tls === true));
  await mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(config.execRoot, { recursive: true, mode: 0o700 });

  const locked = await acquireInstanceLock(config.dataRoot);
  if (!locked.ok) {
    throw unavailable(
      `data root ${config.dataRoot} is in use by another moord (pid ${locked.holder}); stop it first or use another --data-root`,
    );
  }
  const lock: InstanceLock = locked.lock;
  let listeners: Listener[] = [];
  let pidfileWritten = false;
  try {
    await writePidfile(config.pidfile);
    pidfileWritten = true;
    const images = bindImageService(
      await openImages({
        dataRoot: config.dataRoot,
        driver: config.storageDriver,
        usage: { containerUsing: () => undefined },
        logger,
      }),
    );
    const system = await createSystemService({
      engineId: await loadEngineId(config.dataRoot),
      dataRoot: config.dataRoot,
      debug: () => logger.level === 'debug',
      storageDriver: config.storageDriver,
      loggingDriver: 'json-file',
      defaultRuntime: 'runc',
      runtimes: { runc: { path: 'runc' } },
      insecureRegistries: config.insecureRegistries,
      registryMirrors: config.registryMirrors,
      labels: config.labels,
      cgroups: await detectCgroupLayout(),
      inventory: () =>
        Promise.resolve({
          containers: { running: 0, paused: 0, stopped: 0 },
          images: images.count(),
        }),
    });
    const handler = createApiHandler({
      routes: [...systemRoutes(system), ...imageRoutes(images)],
      logger,
    });
    listeners = await openListeners(addresses, handler, config, logger);
  } catch (err) {
    if (pidfileWritten) await removeFile(config.pidfile);
    await lock.release();
    throw err;
  }
  logger.info('Daemon has completed initialization', { dataRoot: config.dataRoot });

  return {
    config,
    async stop() {
      await closeListeners(listeners, SHUTDOWN_GRACE_MS);
      await removeFile(config.pidfile);
      await lock.release();
    },
  };
}

async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((err: unknown) => {
    if (!hasErrno(err, 'ENOENT')) throw err;
  });
}

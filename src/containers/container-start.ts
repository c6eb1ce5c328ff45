import { invalidArgument, settleAll } from '../core/index.js';
import { createLogPump, openLogDriver } from '../logging/index.js';
import { RuntimeStartError, reopenMonitorLog } from '../runtime/index.js';
import { type NetworkAttachment, type PortMapping, requestedPorts } from '../network/index.js';
import { rfc3339Nano } from '../oci/index.js';
import type { ContainerContext, CreatedProcess } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';
import type { ContainerRecord } from './container-record.js';
import { logConfigOf } from './container-config.js';
import { canStart, markRunning } from './container-state.js';
import { probeCommand, startHealthCheck } from './health-check.js';
import { publishContainerEvent, publishNetworkEvents } from './container-event.js';
import { takePreparedStart } from './prepared-start.js';
import { createProcess, undoStart } from './process-create.js';
import { takeCreatedAhead } from './create-ahead.js';

/** Docker's exit codes for a process the runtime could not start. */
function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|exec format error|not a directory/i.test(message)) return 126;
  return 128;
}

export async function ensureLogPump(
  ctx: ContainerContext,
  record: ContainerRecord,
  paths: ContainerPaths,
) {
  const live = ctx.liveOf(record.id);
  if (live.pump) return live.pump;
  const log = logConfigOf(record.hostConfig, ctx.defaults);
  const driver = await openLogDriver({
    type: log.Type,
    config: log.Config,
    dir: paths.dir,
    id: record.id,
    container: {
      name: record.name,
      imageId: record.imageId,
      imageName: record.config.Image ?? '',
      labels: record.config.Labels ?? {},
      env: record.config.Env ?? [],
    },
  });
  const pump = createLogPump({
    source: paths.monitorLog,
    checkpoint: paths.monitorLogOffset,
    driver,
    reopenSource: () => reopenMonitorLog(paths.bundle),
    onError: (err) =>
      ctx.logger.error('converting the container log failed', {
        id: record.id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      }),
  });
  await pump.start();
  live.pump = pump;
  return pump;
}

/**
 * Starts a created or exited container: mounts its rootfs, writes the OCI bundle, starts its
 * monitor (which runs `runc create`), converts its output from then on, and runs `runc start`.
 * A process created ahead at the container's create (create-ahead.ts) is let go instead, when
 * nothing changed since.
 * Call under the container's lock. A process the runtime cannot start leaves the container
 * stopped with Docker's exit code (127 not found, 126 not executable) and the runtime's error.
 */
export async function startContainer(
  ctx: ContainerContext,
  id: string,
  options: { internal?: boolean } = {},
): Promise<void> {
  const record = ctx.store.get(id);
  if (!record) throw invalidArgument(`No such container: ${id}`);
  // Restarts (restart policy) start a container that shows `restarting`.
  if (!(options.internal && record.state.status === 'restarting')) canStart(record);
  const paths = ctx.pathsOf(record);
  // The log pump starts beside the runtime (it reads the monitor's log from where it left
  // off, so it misses nothing), and is running before the process is let go.
  const pump = ensureLogPump(ctx, record, paths);
  pump.catch(() => undefined);
  try {
    const created =
      (await takeCreatedAhead(ctx, record)) ??
      (await createProcess(ctx, record, paths, takePreparedStart(ctx, id)));
    await letGo(ctx, record, created, pump);
  } catch (err) {
    await pump.catch(() => undefined);
    await recordStartFailure(ctx, id, err);
    throw err;
  }
}

/**
 * The second half of a start: the process's network plumbing and ports, its running state,
 * and the release of the created process (`runc start`).
 */
async function letGo(
  ctx: ContainerContext,
  created: ContainerRecord,
  process: CreatedProcess,
  pump: Promise<unknown>,
): Promise<void> {
  const { id } = created;
  const { started, attachments } = process;
  await pump;
  await ctx.networks?.plumb(attachments, started.pid);
  publishNetworkEvents(ctx, id, attachments, 'connect');
  const ports = await publishPorts(ctx, created, attachments[0]);
  const now = rfc3339Nano(BigInt(Date.now()) * 1_000_000n);
  const running = {
    ...markRunning(created.state, started.pid, started.monitorPid, now),
    ...(attachments.length > 0 ? { networks: attachments } : {}),
    ...(ports.length > 0 ? { ports } : {}),
  };
  const record: ContainerRecord = {
    ...created,
    state: probeCommand(created.config.Healthcheck?.Test)
      ? { ...running, health: { status: 'starting', failingStreak: 0, log: [] } }
      : running,
  };
  ctx.liveOf(id).startedAtMs = Date.now();
  ctx.eventsOf(id).emit('created');
  // The process goes while its state is stored: a moord that dies in between adopts the
  // started container at its next start (start-adoption.ts). After a power failure the
  // container is not running whatever the record says: its running state is transient.
  // The release comes first: the store's write begins after the init is on its way.
  await settleAll([ctx.runc.start(id), ctx.store.save(record, { transient: true })]);
  publishContainerEvent(ctx, record, 'start');
  startHealthCheck(ctx, record);
}

/**
 * Publishes the ports the container asks for (`-p`, `-P` with its exposed ports) on its
 * network; none on host, none, container: modes (Docker discards them there) or an internal
 * network.
 */
async function publishPorts(
  ctx: ContainerContext,
  record: ContainerRecord,
  attachment: NetworkAttachment | undefined,
): Promise<PortMapping[]> {
  // macvlan interfaces sit on the parent's segment: nothing to publish (as Docker).
  if (!attachment || !ctx.networks || attachment.macvlanMode) return [];
  const requests = requestedPorts({
    portBindings: record.hostConfig.PortBindings,
    exposedPorts: record.config.ExposedPorts,
    publishAll: record.hostConfig.PublishAllPorts === true,
  });
  return requests.length > 0 ? ctx.networks.publish(attachment, requests) : [];
}

async function recordStartFailure(ctx: ContainerContext, id: string, err: unknown): Promise<void> {
  await undoStart(ctx, id);
  const record = ctx.store.get(id);
  if (!record) return;
  const message = err instanceof Error ? err.message : String(err);
  const live = ctx.liveOf(id);
  if (live.pump) {
    await live.pump.stop();
    live.pump = undefined;
  }
  const ran = record.state.status === 'running' || record.state.status === 'restarting';
  const exitCode =
    err instanceof RuntimeStartError
      ? startFailureCode(message)
      : ran
        ? 128
        : record.state.exitCode;
  await ctx.store.save({
    ...record,
    state: {
      ...record.state,
      status: ran ? 'exited' : record.state.status,
      pid: 0,
      monitorPid: 0,
      exitCode,
      error: message,
    },
  });
  // Attached clients must not wait for a process that never ran. Waiters keep waiting, as
  // with Docker: no exit happened.
  ctx.eventsOf(id).emit('start-failed');
}

/** The error a client sees when the runtime refused the process (the CLI maps it to 126/127). */
export function startError(err: unknown): unknown {
  if (!(err instanceof RuntimeStartError)) return err;
  // The wording containerd and dockerd wrap it in: scripts and users grep for these.
  return invalidArgument(
    `failed to create task for container: failed to create shim task: OCI runtime create failed: ${err.message}: unknown`,
    err,
  );
}

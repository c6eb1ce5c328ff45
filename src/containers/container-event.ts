import { isMoorError } from '../core/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerRecord } from './container-record.js';

/**
 * Publishes a container event as dockerd does: the actor is the container, its attributes
 * its labels, `image` (as the client named it) and `name`, plus what the action adds
 * (`exitCode` for die, `signal` for kill, `execID` for exec_*).
 */
export function publishContainerEvent(
  ctx: ContainerContext,
  record: ContainerRecord,
  action: string,
  extra: Record<string, string> = {},
): void {
  ctx.publish?.({
    type: 'container',
    action,
    actor: {
      id: record.id,
      attributes: {
        ...(record.config.Labels ?? {}),
        image: record.config.Image ?? '',
        name: record.name,
        ...extra,
      },
    },
  });
}

/** Docker's network connect/disconnect events for a container's attachments. */
export function publishNetworkEvents(
  ctx: ContainerContext,
  containerId: string,
  attachments: ReadonlyArray<{ networkId: string; networkName: string }>,
  action: 'connect' | 'disconnect',
): void {
  for (const a of attachments) {
    let driver = 'bridge';
    try {
      driver = ctx.networks?.resolve(a.networkId).driver ?? driver;
    } catch (err) {
      // The network is gone (removed meanwhile): the event still names it.
      if (!isMoorError(err, 'NotFound')) throw err;
    }
    ctx.publish?.({
      type: 'network',
      action,
      actor: {
        id: a.networkId,
        attributes: { container: containerId, name: a.networkName, type: driver },
      },
    });
  }
}

import { forbidden, hasErrno } from '../core/index.js';
import { probePort } from '../sys/index.js';
import type { NetworkAttachment } from './attachments.js';
import type { BridgeDriver } from './bridge-driver.js';
import { type PortMapping, type PortRequest, conflicts } from './port-bindings.js';

/** Published ports of the running containers: host ports claimed, NAT rules in place. */
export interface PortPublisher {
  publish(attachment: NetworkAttachment, requests: readonly PortRequest[]): Promise<PortMapping[]>;
  unpublish(containerId: string): Promise<void>;
  restore(attachment: NetworkAttachment, mappings: readonly PortMapping[]): void;
}

export function createPortPublisher(bridge: BridgeDriver | undefined): PortPublisher {
  /** Container id → its published ports and the attachment they lead to. */
  const published = new Map<string, { attachment: NetworkAttachment; mappings: PortMapping[] }>();
  const takenBy = (mapping: PortMapping): boolean =>
    [...published.values()].some((p) => p.mappings.some((m) => conflicts(m, mapping)));
  return {
    async publish(attachment, requests) {
      const mappings: PortMapping[] = [];
      // Reserved at once (before any await), so concurrent starts cannot take the same port.
      const entry = { attachment, mappings };
      published.set(attachment.containerId, entry);
      try {
        for (const request of requests) {
          const mapping = { ...request };
          const shown = `${request.hostIp || '0.0.0.0'}:${request.hostPort}`;
          const allocated = () => forbidden(`Bind for ${shown} failed: port is already allocated`);
          // A fixed port is claimed before the check of the host, so that a concurrent start
          // sees it; a free port is known only after it.
          if (mapping.hostPort !== 0) {
            if (takenBy(mapping)) throw allocated();
            mappings.push(mapping);
          }
          try {
            mapping.hostPort = await probePort(mapping.proto, mapping.hostIp, mapping.hostPort);
          } catch (err) {
            const why = hasErrno(err, 'EADDRINUSE')
              ? `Error starting userland proxy: listen ${request.proto}4 ${shown}: bind: address already in use`
              : (err as Error).message;
            throw forbidden(
              `driver failed programming external connectivity on endpoint ${attachment.containerName} (${attachment.endpointId}): failed to bind port ${shown}/${request.proto}: ${why}`,
              err,
            );
          }
          if (request.hostPort === 0) {
            if (takenBy(mapping)) throw allocated();
            mappings.push(mapping);
          }
        }
        await bridge?.forwardPorts(attachment, mappings);
        return mappings;
      } catch (err) {
        published.delete(attachment.containerId);
        await bridge?.stopForwarding(attachment, mappings).catch(() => undefined);
        throw err;
      }
    },
    async unpublish(containerId) {
      const entry = published.get(containerId);
      published.delete(containerId);
      if (entry && entry.mappings.length > 0) {
        await bridge?.stopForwarding(entry.attachment, entry.mappings);
      }
    },
    restore(attachment, mappings) {
      published.set(attachment.containerId, { attachment, mappings: [...mappings] });
    },
  };
}

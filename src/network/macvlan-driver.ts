import { randomBytes } from 'node:crypto';

import { hasErrno, invalidArgument, isMoorError, notImplemented } from '../core/index.js';
import {
  connectMacvlan,
  ensureDummy,
  linkExists,
  probeMacvlan,
  removeInterface,
  removeLink,
} from '../sys/index.js';
import type { NetworkAttachment } from './attachments.js';
import type { NetworkRecord } from './network-record.js';

/**
 * The macvlan driver: containers get a macvlan interface on the network's parent link
 * (`-o parent=IFACE`; without one, a dummy link `dm-<id>` as Docker makes), in `bridge` mode
 * unless `-o macvlan_mode` says otherwise. Kernels without the link type fail with Docker's
 * "operation not supported", and nothing is left behind.
 */
export interface MacvlanDriver {
  ready(network: NetworkRecord): Promise<void>;
  tearDown(network: NetworkRecord): Promise<void>;
  plumb(attachment: NetworkAttachment, pid: number): Promise<void>;
  unplumb(attachment: NetworkAttachment, pid: number): Promise<void>;
}

/** The parent link of a macvlan network: `-o parent`, or the dummy moor makes. */
export function macvlanParent(network: NetworkRecord): { name: string; dummy: boolean } {
  const given = network.options['parent'];
  return given
    ? { name: given, dummy: false }
    : { name: `dm-${network.id.slice(0, 12)}`, dummy: true };
}

export function macvlanMode(network: NetworkRecord): string {
  const mode = network.options['macvlan_mode'] || 'bridge';
  if (!['bridge', 'private', 'vepa', 'passthru'].includes(mode)) {
    throw invalidArgument(
      `requested macvlan mode '${mode}' is not valid, 'bridge' mode is the macvlan driver default`,
    );
  }
  return mode;
}

/** The kernel's refusal of a link type, in Docker's words. */
function unsupported(err: unknown): unknown {
  if (isMoorError(err, 'Internal') && /Unknown device type|not supported/i.test(err.message)) {
    return notImplemented(
      `failed to create the macvlan port: operation not supported (${err.message.split('\n')[0]})`,
      err,
    );
  }
  return err;
}

export function createMacvlanDriver(): MacvlanDriver {
  return {
    async ready(network) {
      macvlanMode(network);
      const parent = macvlanParent(network);
      let made = false;
      try {
        if (parent.dummy) made = await ensureDummy(parent.name);
        else if (!(await linkExists(parent.name))) {
          throw invalidArgument(`-o parent interface was not found on the host: ${parent.name}`);
        }
        await probeMacvlan(parent.name, `mvp${randomBytes(4).toString('hex')}`);
      } catch (err) {
        if (made) await removeLink(parent.name).catch(() => undefined);
        throw unsupported(err);
      }
    },
    async tearDown(network) {
      const parent = macvlanParent(network);
      if (parent.dummy) await removeLink(parent.name);
    },
    async plumb(a, pid) {
      try {
        await connectMacvlan({
          pid,
          parent: a.bridge,
          name: a.interface,
          mode: a.macvlanMode ?? 'bridge',
          mac: a.mac,
          address: `${a.ip}/${a.prefix}`,
          ...(a.defaultRoute ? { gateway: a.gateway } : {}),
        });
      } catch (err) {
        throw unsupported(err);
      }
    },
    async unplumb(a, pid) {
      try {
        await removeInterface(a.interface, pid);
      } catch (err) {
        if (!hasErrno(err, 'ESRCH')) throw err;
      }
    },
  };
}

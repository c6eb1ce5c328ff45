import { conflict, invalidArgument } from '../core/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerRecord } from './container-record.js';

/** One `--link`: the container linked to and the alias it gets. */
interface Link {
  name: string;
  alias: string;
}

/** Docker's stored form of a link: `/other:/me/alias`. */
function parseLink(stored: string): Link {
  const [target = '', local = ''] = stored.split(':');
  return { name: target.replace(/^\//, ''), alias: local.split('/').pop() ?? '' };
}

/**
 * `--link other[:alias]` as dockerd stores it (`/other:/me/alias`), checked against the
 * containers that exist (NotFound for an unknown one).
 */
export function normalizeLinks(
  ctx: ContainerContext,
  links: readonly string[],
  me: string,
): string[] {
  return links.map((link) => {
    const [target = '', alias] = link.split(':');
    const name = target.replace(/^\//, '');
    if (name === '') throw invalidArgument(`invalid link: "${link}"`);
    const other = ctx.store.resolve(name);
    return `/${other.name}:/${me}/${(alias ?? '').replace(/^\//, '').split('/').pop() || other.name}`;
  });
}

/** A container's links as its resolver sees them: lowercase alias → linked container's name. */
export function linkAliases(record: ContainerRecord): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const stored of record.hostConfig.Links ?? []) {
    const link = parseLink(stored);
    aliases[link.alias.toLowerCase()] = link.name;
  }
  return aliases;
}

/**
 * The /etc/hosts entries of a container's links at its start: the linked container's address
 * (on the default bridge) with its alias, hostname and name. Docker's error for a container
 * that does not run.
 */
export function linkedHosts(
  ctx: ContainerContext,
  record: ContainerRecord,
): Array<{ ip: string; names: string[] }> {
  return (record.hostConfig.Links ?? []).map((stored) => {
    const link = parseLink(stored);
    const other = ctx.store.resolve(link.name);
    const running = other.state.status === 'running' || other.state.status === 'paused';
    const attachment =
      other.state.networks?.find((a) => a.networkName === 'bridge') ?? other.state.networks?.[0];
    if (!running || !attachment) {
      throw conflict(
        `Cannot link to a non running container: /${other.name} AS /${record.name}/${link.alias}`,
      );
    }
    const names = [link.alias, other.config.Hostname ?? '', other.name].filter(
      (n, i, all) => n !== '' && all.indexOf(n) === i,
    );
    return { ip: attachment.ip, names };
  });
}

import type { ContainerInspectResponse, PortBinding } from '../../api-types/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { containerPath } from '../container-path.js';
import type { Command } from '../context.js';

/** docker's `HostIp:HostPort` (an IPv6 host address in brackets). */
function hostAddress(binding: PortBinding): string {
  const hostIp = binding.HostIp ?? '';
  const ip = hostIp.includes(':') ? `[${hostIp}]` : hostIp;
  return `${ip}:${binding.HostPort ?? ''}`;
}

export const portCommand: Command = {
  name: 'port',
  summary: 'List port mappings or a specific mapping for the container',
  usage: 'moor port CONTAINER [PRIVATE_PORT[/PROTO]]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, [], argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1, 2);
    const [container = '', wanted] = flags.args;
    const inspected = await ctx
      .client()
      .json<ContainerInspectResponse>('GET', containerPath(container, '/json'));
    const ports = inspected.NetworkSettings?.Ports ?? {};
    if (wanted !== undefined) {
      const key = wanted.includes('/') ? wanted : `${wanted}/tcp`;
      const bindings = ports[key];
      if (!bindings || bindings.length === 0) {
        ctx.stderr.write(`Error: No public port '${wanted}' published for ${container}\n`);
        return 1;
      }
      const lines = bindings.map(hostAddress).sort();
      ctx.stdout.write(lines.map((l) => `${l}\n`).join(''));
      return 0;
    }
    // docker sorts the lines themselves.
    const lines = Object.entries(ports).flatMap(([key, bindings]) =>
      (bindings ?? []).map((b) => `${key} -> ${hostAddress(b)}`),
    );
    ctx.stdout.write(
      lines
        .sort()
        .map((l) => `${l}\n`)
        .join(''),
    );
    return 0;
  },
};

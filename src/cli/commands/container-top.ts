import type { ContainerTopResponse } from '../../api-types/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { tabwrite } from '../tab-writer.js';
import { containerPath } from '../container-path.js';

export const topCommand: Command = {
  name: 'top',
  summary: 'Display the running processes of a container',
  usage: 'moor top CONTAINER [ps OPTIONS]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, [], argv, { interspersed: false });
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const [container = '', ...psArgs] = flags.args;
    const top = await ctx
      .client()
      .json<ContainerTopResponse>('GET', containerPath(container, '/top'), {
        query: { ps_args: psArgs.length > 0 ? psArgs.join(' ') : undefined },
      });
    const lines = [top.Titles, ...(top.Processes ?? [])].map((row) => `${row.join('\t')}\n`);
    // docker: tabwriter.NewWriter(out, 20, 1, 3, ' ', 0).
    ctx.stdout.write(tabwrite(lines.join(''), { minWidth: 20, padding: 3 }));
    return 0;
  },
};

import { type FlagSpec, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { forEachContainer } from '../container-each.js';
import type { Command } from '../context.js';
import { containerPath } from '../container-path.js';

const FLAGS: FlagSpec[] = [
  { name: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' },
];

export const killCommand: Command = {
  name: 'kill',
  summary: 'Kill one or more running containers',
  usage: 'moor kill [OPTIONS] CONTAINER [CONTAINER...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const signal = flagString(flags, 'signal') || undefined;
    return forEachContainer(ctx, flags.args, (name) =>
      ctx.client().json('POST', containerPath(name, '/kill'), { query: { signal } }),
    );
  },
};

import { checkArgs, parseOrHelp } from '../command-flags.js';
import { forEachContainer } from '../container-each.js';
import type { CliContext, Command } from '../context.js';
import { containerPath } from '../container-path.js';

async function run(ctx: CliContext, command: Command, argv: string[], verb: string) {
  const flags = parseOrHelp(ctx, command, [], argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 1);
  return forEachContainer(ctx, flags.args, (name) =>
    ctx.client().json('POST', containerPath(name, `/${verb}`)),
  );
}

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'Pause all processes within one or more containers',
  usage: 'moor pause CONTAINER [CONTAINER...]',
  run(ctx, argv) {
    return run(ctx, this, argv, 'pause');
  },
};

export const unpauseCommand: Command = {
  name: 'unpause',
  summary: 'Unpause all processes within one or more containers',
  usage: 'moor unpause CONTAINER [CONTAINER...]',
  run(ctx, argv) {
    return run(ctx, this, argv, 'unpause');
  },
};

import { type FlagSpec, flagBool, flagString } from '../../core/index.js';
import { INSPECT_FORMAT_HELP, checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { inspectContainer } from '../inspect-container.js';
import { runInspect } from './image-inspect.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'format',
    short: 'f',
    type: 'string',
    help: INSPECT_FORMAT_HELP,
  },
  { name: 'size', short: 's', type: 'bool', help: 'Display total file sizes' },
];

export const containerInspectCommand: Command = {
  name: 'container inspect',
  summary: 'Display detailed information on one or more containers',
  usage: 'moor container inspect [OPTIONS] CONTAINER [CONTAINER...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const size = flagBool(flags, 'size');
    return runInspect(ctx, flags.args, flagString(flags, 'format') ?? '', (ref) =>
      inspectContainer(ctx, ref, size),
    );
  },
};

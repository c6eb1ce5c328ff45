import { once } from 'node:events';

import { escapePath } from '../../client/index.js';
import { type FlagSpec, errorMessage, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { type Command, isTerminal } from '../context.js';
import { validateOutputPath, writeStreamAtomic } from '../local-files.js';

const FLAGS: FlagSpec[] = [
  { name: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' },
];

/** docker export: the container's filesystem as a tar, to -o (atomically, mode 0600) or stdout. */
export const exportCommand: Command = {
  name: 'export',
  summary: "Export a container's filesystem as a tar archive",
  usage: 'moor export [OPTIONS] CONTAINER',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1, 1);
    const output = flagString(flags, 'output') ?? '';
    if (output === '' && isTerminal(ctx.stdout)) {
      throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    if (output !== '') {
      try {
        await validateOutputPath(output);
      } catch (err) {
        throw new Error(`failed to export container: ${errorMessage(err)}`, { cause: err });
      }
    }
    const res = await ctx
      .client()
      .stream('GET', `/containers/${escapePath(flags.args[0] ?? '')}/export`);
    if (output !== '') {
      await writeStreamAtomic(output, res as AsyncIterable<Buffer>, { mode: 0o600 });
      return 0;
    }
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (!ctx.stdout.write(chunk)) await once(ctx.stdout, 'drain');
    }
    return 0;
  },
};

import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { errorText } from '../error-text.js';
import { containerPath } from '../container-path.js';

export const renameCommand: Command = {
  name: 'rename',
  summary: 'Rename a container',
  usage: 'moor rename CONTAINER NEW_NAME',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, [], argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 2, 2);
    const oldName = (flags.args[0] ?? '').trim();
    const newName = (flags.args[1] ?? '').trim();
    if (oldName === '' || newName === '') {
      throw new Error('Error: Neither old nor new names may be empty');
    }
    try {
      await ctx.client().json('POST', containerPath(oldName, '/rename'), {
        query: { name: newName },
      });
    } catch (err) {
      ctx.stderr.write(`${errorText(err, ctx.host)}\n`);
      throw new Error(`Error: failed to rename container named ${oldName}`, { cause: err });
    }
    return 0;
  },
};

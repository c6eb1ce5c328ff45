import { checkArgs, parseOrHelp } from '../command-flags.js';
import { startWait } from '../container-each.js';
import type { Command } from '../context.js';
import { errorText } from '../error-text.js';

/** docker wait: one container after the other, each exit code on its own line. */
export const waitCommand: Command = {
  name: 'wait',
  summary: 'Block until one or more containers stop, then print their exit codes',
  usage: 'moor wait CONTAINER [CONTAINER...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, [], argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const errors: string[] = [];
    for (const name of flags.args) {
      try {
        const result = await (await startWait(ctx, name)).result;
        ctx.stdout.write(`${result.StatusCode}\n`);
      } catch (err) {
        errors.push(errorText(err, ctx.host));
      }
    }
    if (errors.length === 0) return 0;
    ctx.stderr.write(`${errors.join('\n')}\n`);
    return 1;
  },
};

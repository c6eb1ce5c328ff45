import type { FilesystemChange } from '../../api-types/index.js';
import { escapePath } from '../../client/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';

const KINDS = ['C', 'A', 'D'];

/** docker diff's `{{.Type}} {{.Path}}` lines: C changed, A added, D deleted. */
export function diffLines(changes: readonly FilesystemChange[] | null): string {
  return (changes ?? []).map((c) => `${KINDS[c.Kind] ?? ''} ${c.Path}\n`).join('');
}

export const diffCommand: Command = {
  name: 'diff',
  summary: "Inspect changes to files or directories on a container's filesystem",
  usage: 'moor diff CONTAINER',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, [], argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1, 1);
    const name = flags.args[0] ?? '';
    if (name === '') throw new Error('Container name cannot be empty');
    const changes = await ctx
      .client()
      .json<FilesystemChange[] | null>('GET', `/containers/${escapePath(name)}/changes`);
    ctx.stdout.write(diffLines(changes));
    return 0;
  },
};

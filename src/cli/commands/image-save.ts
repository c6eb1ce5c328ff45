import { once } from 'node:events';
import type { Writable } from 'node:stream';

import { type FlagSpec, errorMessage, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { type CliContext, type Command, isTerminal } from '../context.js';
import { formatProgress } from '../json-stream.js';
import { validateOutputPath, writeStreamAtomic } from '../local-files.js';
import { platformQuery } from '../platform-flag.js';

const FLAGS: FlagSpec[] = [
  { name: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' },
  {
    name: 'platform',
    type: 'string',
    help: 'Save only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")',
  },
];

async function copyTo(source: AsyncIterable<Buffer>, out: Writable): Promise<void> {
  for await (const chunk of source) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
}

/** A `Saving  12.3MB` line on a terminal, redrawn at most every 100ms and erased at the end. */
function progressLine(out: Writable): { update: (bytes: number) => void; done: () => void } {
  let last = 0;
  return {
    update(bytes) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      out.write(`\r\x1b[2KSaving ${formatProgress({ current: bytes }, 0)}`);
    },
    done: () => void out.write('\r\x1b[2K'),
  };
}

/**
 * docker's save: GET /images/get?names=..., the tar streamed to stdout (never to a terminal)
 * or written atomically to `-o` (mode 0600).
 */
async function runSave(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 1);
  const output = flagString(flags, 'output') ?? '';
  if (output === '' && isTerminal(ctx.stdout)) {
    throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }
  if (output !== '') {
    try {
      await validateOutputPath(output);
    } catch (err) {
      throw new Error(`failed to save image: ${errorMessage(err)}`, { cause: err });
    }
  }
  const res = await ctx.client().stream('GET', '/images/get', {
    query: { names: flags.args, platform: platformQuery(flagString(flags, 'platform')) },
  });
  if (output === '') {
    await copyTo(res, ctx.stdout);
    return 0;
  }
  const progress = isTerminal(ctx.stderr) ? progressLine(ctx.stderr) : undefined;
  try {
    await writeStreamAtomic(output, res, { mode: 0o600, onProgress: progress?.update });
  } finally {
    progress?.done();
  }
  return 0;
}

export const saveCommand: Command = {
  name: 'save',
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  usage: 'moor save [OPTIONS] IMAGE [IMAGE...]',
  run(ctx, argv) {
    return runSave(ctx, this, argv);
  },
};

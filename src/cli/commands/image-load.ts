import { once } from 'node:events';
import type { Readable } from 'node:stream';

import { type FlagSpec, flagBool, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { type CliContext, type Command, isTerminal } from '../context.js';
import { displayJsonMessages } from '../json-stream.js';
import { openUpload } from '../local-files.js';
import { platformQuery } from '../platform-flag.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'input',
    short: 'i',
    type: 'string',
    help: 'Read from tar archive file, instead of STDIN',
  },
  {
    name: 'platform',
    type: 'string',
    help: 'Load only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")',
  },
  { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress the load output' },
];

/**
 * docker's load: the tar (from -i or stdin, never a terminal) uploaded to POST /images/load;
 * quiet unless stdout is a terminal; the answer shown as a JSON message stream
 * (`Loaded image: busybox:latest`).
 */
async function runLoad(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 0, 0);
  const input = flagString(flags, 'input') ?? '';
  let upload: Readable = ctx.stdin;
  if (input === '' && isTerminal(ctx.stdin)) {
    throw new Error('requested load from stdin, but stdin is empty');
  }
  if (input !== '') upload = await openUpload(input);
  try {
    const quiet = flagBool(flags, 'quiet') || !isTerminal(ctx.stdout);
    const res = await ctx.client().stream('POST', '/images/load', {
      query: { quiet: quiet ? '1' : '0', platform: platformQuery(flagString(flags, 'platform')) },
      upload,
      headers: { 'Content-Type': 'application/x-tar' },
    });
    if (res.headers['content-type'] === 'application/json') {
      await displayJsonMessages(res, { out: ctx.stdout });
      return 0;
    }
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (!ctx.stdout.write(chunk)) await once(ctx.stdout, 'drain');
    }
    return 0;
  } finally {
    if (upload !== ctx.stdin) upload.destroy();
  }
}

export const loadCommand: Command = {
  name: 'load',
  summary: 'Load an image from a tar archive or STDIN',
  usage: 'moor load [OPTIONS]',
  run(ctx, argv) {
    return runLoad(ctx, this, argv);
  },
};

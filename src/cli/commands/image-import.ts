import type { Readable } from 'node:stream';

import { type FlagSpec, flagList, flagString } from '../../core/index.js';
import { parseReference } from '../../oci/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import { displayJsonMessages } from '../json-stream.js';
import { openUpload } from '../local-files.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'change',
    short: 'c',
    type: 'list',
    help: 'Apply Dockerfile instruction to the created image',
  },
  { name: 'message', short: 'm', type: 'string', help: 'Set commit message for imported image' },
  { name: 'platform', type: 'string', help: 'Set platform if server is multi-platform capable' },
];

export interface ImportRequest {
  /** `-` for an uploaded body, else a URL the daemon fetches. */
  fromSrc: string;
  upload?: AsyncIterable<Uint8Array>;
  /** `REPOSITORY[:TAG]` as the user gave it ('' for none). */
  repo: string;
  /** A tag apart from `repo` (docker's CLI sends it empty). */
  tag?: string;
  message: string;
  changes: string[];
  platform?: string;
}

/**
 * POST /images/create?fromSrc=... as docker's ImageImport sends it, the answer shown as a JSON
 * message stream (the last status is the new image's ID).
 */
export async function importImage(ctx: CliContext, request: ImportRequest): Promise<void> {
  if (request.repo !== '') parseReference(request.repo);
  const res = await ctx.client().stream('POST', '/images/create', {
    query: {
      fromSrc: request.fromSrc,
      repo: request.repo,
      tag: request.tag ?? '',
      message: request.message,
      platform: request.platform,
      changes: request.changes,
    },
    upload: request.upload,
    headers: request.upload === undefined ? undefined : { 'Content-Type': 'text/plain' },
  });
  await displayJsonMessages(res, { out: ctx.stdout });
}

async function runImport(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 1);
  const [source = '', repo = ''] = flags.args;
  let fromSrc = '-';
  let upload: Readable | undefined;
  if (source === '-') upload = ctx.stdin;
  else if (/^https?:\/\//.test(source)) fromSrc = source;
  else upload = await openUpload(source);
  try {
    await importImage(ctx, {
      fromSrc,
      upload,
      repo,
      message: flagString(flags, 'message') ?? '',
      changes: flagList(flags, 'change'),
      platform: flagString(flags, 'platform'),
    });
  } finally {
    if (upload !== ctx.stdin) upload?.destroy();
  }
  return 0;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Import the contents from a tarball to create a filesystem image',
  usage: 'moor import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  run(ctx, argv) {
    return runImport(ctx, this, argv);
  },
};

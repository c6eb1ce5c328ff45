import { once } from 'node:events';

import type { ContainerInspectResponse } from '../../api-types/index.js';
import { stdCopy } from '../../client/index.js';
import {
  type FlagSpec,
  type ParsedFlags,
  errorMessage,
  flagBool,
  flagString,
} from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { logTimestamp } from '../log-time.js';
import { containerPath } from '../container-path.js';

const FLAGS: FlagSpec[] = [
  { name: 'details', type: 'bool', help: 'Show extra details provided to logs' },
  { name: 'follow', short: 'f', type: 'bool', help: 'Follow log output' },
  {
    name: 'since',
    type: 'string',
    help: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
  },
  {
    name: 'tail',
    short: 'n',
    type: 'string',
    default: 'all',
    help: 'Number of lines to show from the end of the logs (default "all")',
  },
  { name: 'timestamps', short: 't', type: 'bool', help: 'Show timestamps' },
  {
    name: 'until',
    type: 'string',
    help: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
  },
];

/** A `--since`/`--until` value as the query wants it; docker's client words its errors so. */
function timeQuery(flags: ParsedFlags, name: string, now: number): string | undefined {
  const value = flagString(flags, name) ?? '';
  if (value === '') return undefined;
  try {
    return logTimestamp(value, now);
  } catch (err) {
    throw new Error(`invalid value for ${JSON.stringify(name)}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

/**
 * docker logs: inspect (for the id and whether there is a TTY), then `GET /containers/{id}/logs`
 * — raw with a TTY, else demultiplexed to stdout and stderr.
 */
export const logsCommand: Command = {
  name: 'logs',
  summary: 'Fetch the logs of a container',
  usage: 'moor logs [OPTIONS] CONTAINER',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1, 1);
    const c = await ctx
      .client()
      .json<ContainerInspectResponse>('GET', containerPath(flags.args[0] ?? '', '/json'));
    const now = Date.now();
    const since = timeQuery(flags, 'since', now);
    const until = timeQuery(flags, 'until', now);
    const res = await ctx.client().stream('GET', containerPath(c.Id, '/logs'), {
      query: {
        stdout: '1',
        stderr: '1',
        since,
        until,
        timestamps: flagBool(flags, 'timestamps') ? '1' : undefined,
        follow: flagBool(flags, 'follow') ? '1' : undefined,
        tail: flagString(flags, 'tail') ?? 'all',
        details: flagBool(flags, 'details') ? '1' : undefined,
      },
    });
    if (c.Config.Tty) {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        if (!ctx.stdout.write(chunk)) await once(ctx.stdout, 'drain');
      }
    } else {
      await stdCopy(res as AsyncIterable<Buffer>, ctx.stdout, ctx.stderr);
    }
    return 0;
  },
};

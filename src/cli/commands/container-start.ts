import type { ContainerInspectResponse, ContainerWaitResponse } from '../../api-types/index.js';
import { hijack } from '../../client/index.js';
import { type FlagSpec, flagBool, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { startWait } from '../container-each.js';
import { forwardSignals, monitorTtySize, streamHijacked } from '../container-streams.js';
import { type CliContext, type Command, isTerminal } from '../context.js';
import { errorText } from '../error-text.js';
import { containerPath } from '../container-path.js';

const FLAGS: FlagSpec[] = [
  { name: 'attach', short: 'a', type: 'bool', help: 'Attach STDOUT/STDERR and forward signals' },
  {
    name: 'detach-keys',
    type: 'string',
    help: 'Override the key sequence for detaching a container',
  },
  { name: 'interactive', short: 'i', type: 'bool', help: "Attach container's STDIN" },
];

/** Without -a/-i: start each container in turn; failures are listed at the end. */
async function startAll(ctx: CliContext, names: readonly string[]): Promise<number> {
  const failed: string[] = [];
  for (const name of names) {
    try {
      await ctx.client().json('POST', containerPath(name, '/start'));
      ctx.stdout.write(`${name}\n`);
    } catch (err) {
      ctx.stderr.write(`${errorText(err, ctx.host)}\n`);
      failed.push(name);
    }
  }
  if (failed.length === 0) return 0;
  throw new Error(`Error: failed to start containers: ${failed.join(', ')}`);
}

/** docker's waitExitOrRemoved status: the exit code, 125 when waiting failed. */
function exitStatus(ctx: CliContext, result: ContainerWaitResponse): number {
  if (!result.Error?.Message) return result.StatusCode;
  ctx.stderr.write(`Error waiting for container: ${result.Error.Message}\n`);
  return 125;
}

/** docker start -a/-i: attach, register the wait, start, stream until the end or a detach. */
async function startAttached(
  ctx: CliContext,
  name: string,
  interactive: boolean,
  detachKeys: string,
): Promise<number> {
  const c = await ctx.client().json<ContainerInspectResponse>('GET', containerPath(name, '/json'));
  const tty = c.Config.Tty ?? false;
  const cleanups: (() => void)[] = [];
  try {
    if (!tty) cleanups.push(forwardSignals(ctx, c.Id));
    const stdin = interactive && (c.Config.OpenStdin ?? false);
    const conn = await hijack(ctx.client(), 'POST', containerPath(c.Id, '/attach'), {
      query: {
        stream: 1,
        stdin: stdin ? 1 : undefined,
        stdout: 1,
        stderr: 1,
        detachKeys: detachKeys || undefined,
      },
    });
    cleanups.push(() => conn.close());
    const cancel = new AbortController();
    const streaming = streamHijacked(conn, {
      input: stdin ? ctx.stdin : undefined,
      output: ctx.stdout,
      error: ctx.stderr,
      tty,
      detachKeys,
      stderr: ctx.stderr,
      signal: cancel.signal,
    });
    streaming.catch(() => undefined);
    const wait = await startWait(ctx, c.Id, c.HostConfig.AutoRemove ? 'removed' : 'next-exit');
    try {
      await ctx.client().json('POST', containerPath(c.Id, '/start'));
    } catch (err) {
      cancel.abort();
      conn.close();
      await streaming.catch(() => undefined);
      if (c.HostConfig.AutoRemove) await wait.result.catch(() => undefined);
      throw err;
    }
    if (tty && isTerminal(ctx.stdout)) cleanups.push(monitorTtySize(ctx, c.Id, false));
    if ((await streaming) === 'detached') return 0;
    return exitStatus(ctx, await wait.result);
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Start one or more stopped containers',
  usage: 'moor start [OPTIONS] CONTAINER [CONTAINER...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const interactive = flagBool(flags, 'interactive');
    if (!flagBool(flags, 'attach') && !interactive) return startAll(ctx, flags.args);
    if (flags.args.length > 1) {
      throw new Error('you cannot start and attach multiple containers at once');
    }
    const detachKeys = flagString(flags, 'detach-keys') ?? '';
    return startAttached(ctx, flags.args[0] as string, interactive, detachKeys);
  },
};

import type { ContainerInspectResponse } from '../../api-types/index.js';
import { hijack } from '../../client/index.js';
import { type FlagSpec, flagBool, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { startWait } from '../container-each.js';
import { forwardSignals, monitorTtySize, streamHijacked, ttySize } from '../container-streams.js';
import { type CliContext, type Command, isTerminal } from '../context.js';
import { containerPath } from '../container-path.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'detach-keys',
    type: 'string',
    help: 'Override the key sequence for detaching a container',
  },
  { name: 'no-stdin', type: 'bool', help: 'Do not attach STDIN' },
  {
    name: 'sig-proxy',
    type: 'bool',
    default: true,
    help: 'Proxy all received signals to the process (default true)',
  },
];

/** docker's inspectContainerAndCheckState: only a running container can be attached to. */
async function runningContainer(ctx: CliContext, name: string): Promise<ContainerInspectResponse> {
  const c = await ctx.client().json<ContainerInspectResponse>('GET', containerPath(name, '/json'));
  if (!c.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
  if (c.State.Restarting) {
    throw new Error('You cannot attach to a restarting container, wait until it is running');
  }
  return c;
}

/**
 * docker's resizeTTY for attach: one row and column more first (waited for, so the requests
 * cannot cross), then the real size, so a shell redraws its prompt on every attach.
 */
async function resizeForAttach(ctx: CliContext, id: string): Promise<() => void> {
  const [h, w] = ttySize(ctx.stdout);
  if (h !== 0 || w !== 0) {
    await ctx
      .client()
      .json('POST', containerPath(id, '/resize'), { query: { h: h + 1, w: w + 1 } })
      .catch(() => undefined);
  }
  return monitorTtySize(ctx, id, false);
}

export const attachCommand: Command = {
  name: 'attach',
  summary: 'Attach local standard input, output, and error streams to a running container',
  usage: 'moor attach [OPTIONS] CONTAINER',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1, 1);
    const name = flags.args[0] as string;
    const wait = await startWait(ctx, name);
    const c = await runningContainer(ctx, name);
    const tty = c.Config.Tty ?? false;
    const stdin = !flagBool(flags, 'no-stdin') && (c.Config.OpenStdin ?? false);
    if (stdin && tty && !isTerminal(ctx.stdin)) throw new Error('the input device is not a TTY');
    const detachKeys = flagString(flags, 'detach-keys') ?? '';
    const cleanups: (() => void)[] = [];
    try {
      if (flagBool(flags, 'sig-proxy') && !tty) cleanups.push(forwardSignals(ctx, name));
      const conn = await hijack(ctx.client(), 'POST', containerPath(name, '/attach'), {
        query: {
          stream: 1,
          stdin: stdin ? 1 : undefined,
          stdout: 1,
          stderr: 1,
          detachKeys: detachKeys || undefined,
        },
      });
      cleanups.push(() => conn.close());
      // It may have stopped between the first check and the attach.
      await runningContainer(ctx, name);
      if (tty && isTerminal(ctx.stdout)) cleanups.push(await resizeForAttach(ctx, name));
      const end = await streamHijacked(conn, {
        input: stdin ? ctx.stdin : undefined,
        output: ctx.stdout,
        error: ctx.stderr,
        tty,
        detachKeys,
        stderr: ctx.stderr,
      });
      // docker attach reports a detach as its error (exit 1).
      if (end === 'detached') throw new Error('read escape sequence');
    } finally {
      for (const cleanup of cleanups.reverse()) cleanup();
    }
    const result = await wait.result;
    if (result.Error?.Message) throw new Error(result.Error.Message);
    return result.StatusCode;
  },
};

import type { ContainerWaitResponse } from '../../api-types/index.js';
import { type HijackedConnection, hijack } from '../../client/index.js';
import { errorMessage, flagBool, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { startWait } from '../container-each.js';
import {
  type StreamEnd,
  forwardSignals,
  monitorTtySize,
  streamHijacked,
} from '../container-streams.js';
import { type CliContext, type Command, isTerminal } from '../context.js';
import { errorText } from '../error-text.js';
import { RUN_FLAGS } from '../run-flags.js';
import { type CreatePlan, detachBody } from '../run-options.js';
import { createContainer, planOrReport, printOptionError } from './container-create.js';
import { containerPath } from '../container-path.js';

/**
 * docker's toStatusError: start failures that come from the container's command get 127 (not
 * found) or 126 (cannot execute); anything else the daemon says is 125.
 */
export function runExitCode(message: string): number {
  if (
    message.includes('executable file not found') ||
    message.includes('no such file or directory') ||
    message.includes('system cannot find the file specified')
  ) {
    return 127;
  }
  if (message.includes('permission denied') || message.includes('is a directory')) return 126;
  return 125;
}

function statusError(ctx: CliContext, err: unknown): number {
  const text = errorText(err, ctx.host);
  printOptionError(ctx, 'run', text);
  return runExitCode(text);
}

/** The exit status docker's waitExitOrRemoved reports: the code, or 125 when waiting failed. */
function exitStatus(ctx: CliContext, wait: Promise<ContainerWaitResponse>): Promise<number> {
  return wait.then(
    (result) => {
      if (result.Error?.Message) {
        ctx.stderr.write(`Error waiting for container: ${result.Error.Message}\n`);
        return 125;
      }
      return result.StatusCode;
    },
    (err: unknown) => {
      ctx.stderr.write(`error waiting for container: ${errorMessage(err)}\n`);
      return 125;
    },
  );
}

interface Attachment {
  conn: HijackedConnection;
  streaming: Promise<StreamEnd>;
  cancel: AbortController;
}

async function attach(
  ctx: CliContext,
  id: string,
  body: CreatePlan['body'],
  detachKeys: string,
): Promise<Attachment> {
  const conn = await hijack(ctx.client(), 'POST', containerPath(id, '/attach'), {
    query: {
      stream: 1,
      stdin: body.AttachStdin ? 1 : undefined,
      stdout: body.AttachStdout ? 1 : undefined,
      stderr: body.AttachStderr ? 1 : undefined,
      detachKeys: detachKeys || undefined,
    },
  });
  const cancel = new AbortController();
  const streaming = streamHijacked(conn, {
    input: body.AttachStdin ? ctx.stdin : undefined,
    output: body.AttachStdout ? ctx.stdout : undefined,
    error: body.AttachStderr ? (body.Tty ? ctx.stdout : ctx.stderr) : undefined,
    tty: body.Tty ?? false,
    detachKeys,
    stderr: ctx.stderr,
    signal: cancel.signal,
  });
  streaming.catch(() => undefined);
  return { conn, streaming, cancel };
}

/** docker's runContainer after the flags: create, attach, wait, start, then follow. */
async function runContainer(
  ctx: CliContext,
  plan: CreatePlan,
  options: { detach: boolean; sigProxy: boolean; detachKeys: string; attachGiven: boolean },
): Promise<number> {
  const { body } = plan;
  if (!options.detach) {
    if (body.AttachStdin && body.Tty && !isTerminal(ctx.stdin)) {
      throw new Error('the input device is not a TTY');
    }
  } else {
    if (options.attachGiven) {
      throw new Error('conflicting options: cannot specify both --attach and --detach');
    }
    detachBody(body);
  }
  let id: string;
  try {
    id = await createContainer(ctx, plan);
  } catch (err) {
    return statusError(ctx, err);
  }
  const cleanups: (() => void)[] = [];
  try {
    if (options.sigProxy) cleanups.push(forwardSignals(ctx, id));
    const attached = body.AttachStdin || body.AttachStdout || body.AttachStderr;
    const attachment = attached ? await attach(ctx, id, body, options.detachKeys) : undefined;
    if (attachment) cleanups.push(() => attachment.conn.close());
    let status: Promise<number>;
    try {
      const condition = body.HostConfig?.AutoRemove ? 'removed' : 'next-exit';
      status = exitStatus(ctx, (await startWait(ctx, id, condition)).result);
    } catch (err) {
      status = exitStatus(ctx, Promise.reject(err instanceof Error ? err : new Error(String(err))));
    }
    try {
      await ctx.client().json('POST', containerPath(id, '/start'));
    } catch (err) {
      if (attachment) {
        attachment.cancel.abort();
        attachment.conn.close();
        await attachment.streaming.catch(() => undefined);
      }
      if (body.HostConfig?.AutoRemove) await status;
      return statusError(ctx, err);
    }
    if (!attachment) {
      ctx.stdout.write(`${id}\n`);
      return 0;
    }
    if (body.Tty && isTerminal(ctx.stdout)) cleanups.push(monitorTtySize(ctx, id, false));
    return await follow(attachment, status, body);
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}

/** Waits for the stream and the exit, as docker's select over errCh and statusChan. */
async function follow(
  attachment: Attachment,
  status: Promise<number>,
  body: CreatePlan['body'],
): Promise<number> {
  const first = await Promise.race([
    attachment.streaming.then(
      (end) => ({ kind: 'stream' as const, end }),
      (err: unknown) => ({ kind: 'failed' as const, err }),
    ),
    status.then((code) => ({ kind: 'status' as const, code })),
  ]);
  if (first.kind === 'failed') throw first.err;
  if (first.kind === 'stream') {
    // The user typed the detach keys: the container keeps running.
    if (first.end === 'detached') return 0;
    return status;
  }
  // The container exited: output may still be on its way; without output, stop reading stdin.
  if (!body.AttachStdout && !body.AttachStderr) attachment.cancel.abort();
  await attachment.streaming.catch(() => undefined);
  return first.code;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Create and run a new container from an image',
  usage: 'moor run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, RUN_FLAGS, argv, { interspersed: false });
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const plan = planOrReport(ctx, 'run', flags);
    if (typeof plan === 'number') return plan;
    return runContainer(ctx, plan, {
      detach: flagBool(flags, 'detach'),
      sigProxy: flagBool(flags, 'sig-proxy'),
      detachKeys: flagString(flags, 'detach-keys') ?? '',
      attachGiven: flags.given.has('attach'),
    });
  },
};

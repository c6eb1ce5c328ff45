import { readFileSync } from 'node:fs';

import type { ExecInspectResponse } from '../../api-types/index.js';
import { escapePath, hijack } from '../../client/index.js';
import { type FlagSpec, flagBool, flagList, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { monitorTtySize, streamHijacked, ttySize } from '../container-streams.js';
import { type CliContext, type Command, isTerminal } from '../context.js';
import { goPathError } from '../local-files.js';
import { flagValueError, parseKeyValueLines, validateEnv } from '../run-values.js';
import { containerPath } from '../container-path.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'detach',
    short: 'd',
    type: 'bool',
    help: 'Detached mode: run command in the background',
  },
  {
    name: 'detach-keys',
    type: 'string',
    help: 'Override the key sequence for detaching a container',
  },
  { name: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
  { name: 'env-file', type: 'list', help: 'Read in a file of environment variables' },
  { name: 'interactive', short: 'i', type: 'bool', help: 'Keep STDIN open even if not attached' },
  { name: 'privileged', type: 'bool', help: 'Give extended privileges to the command' },
  { name: 'tty', short: 't', type: 'bool', help: 'Allocate a pseudo-TTY' },
  {
    name: 'user',
    short: 'u',
    type: 'string',
    help: 'Username or UID (format: "<name|uid>[:<group|gid>]")',
  },
  { name: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
];

/** The `POST /containers/{id}/exec` body, as docker's parseExec builds it (field order kept). */
export interface ExecBody {
  User: string;
  Privileged: boolean;
  Tty: boolean;
  ConsoleSize?: [number, number];
  AttachStdin: boolean;
  AttachStderr: boolean;
  AttachStdout: boolean;
  Detach: boolean;
  DetachKeys: string;
  Env: string[] | null;
  WorkingDir: string;
  Cmd: string[];
}

function execEnv(flags: Parameters<typeof flagList>[0]): string[] {
  const spec = FLAGS.find((f) => f.name === 'env') as FlagSpec;
  const values = flagList(flags, 'env').map((value) => {
    try {
      return validateEnv(value, (name) => process.env[name]);
    } catch (err) {
      throw flagValueError(spec, value, (err as Error).message);
    }
  });
  const fromFiles = flagList(flags, 'env-file').flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw goPathError(err);
    }
    try {
      return parseKeyValueLines(text, (name) => process.env[name]);
    } catch (err) {
      throw new Error(`invalid env file (${file}): ${(err as Error).message}`, { cause: err });
    }
  });
  return [...fromFiles, ...values];
}

/** docker's parseExec plus the console size of a TTY. */
export function execBody(
  flags: Parameters<typeof flagList>[0],
  cmd: string[],
  consoleSize: [number, number],
): ExecBody {
  const detach = flagBool(flags, 'detach');
  const tty = flagBool(flags, 'tty');
  const env = execEnv(flags);
  return {
    User: flagString(flags, 'user') ?? '',
    Privileged: flagBool(flags, 'privileged'),
    Tty: tty,
    ...(tty ? { ConsoleSize: consoleSize } : {}),
    AttachStdin: !detach && flagBool(flags, 'interactive'),
    AttachStderr: !detach,
    AttachStdout: !detach,
    Detach: detach,
    DetachKeys: flagString(flags, 'detach-keys') ?? '',
    Env: env.length > 0 ? env : null,
    WorkingDir: flagString(flags, 'workdir') ?? '',
    Cmd: cmd,
  };
}

/** Streams an attached exec, then reads its exit code (`GET /exec/{id}/json`). */
async function interactiveExec(ctx: CliContext, execId: string, body: ExecBody): Promise<number> {
  const start = {
    Detach: false,
    Tty: body.Tty,
    ...(body.Tty ? { ConsoleSize: body.ConsoleSize } : {}),
  };
  const conn = await hijack(ctx.client(), 'POST', `/exec/${escapePath(execId)}/start`, {
    body: start,
  });
  let stopResize: (() => void) | undefined;
  try {
    const streaming = streamHijacked(conn, {
      input: body.AttachStdin ? ctx.stdin : undefined,
      output: ctx.stdout,
      error: body.Tty ? ctx.stdout : ctx.stderr,
      tty: body.Tty,
      detachKeys: body.DetachKeys,
      stderr: ctx.stderr,
    });
    if (body.Tty && isTerminal(ctx.stdin)) stopResize = monitorTtySize(ctx, execId, true);
    // docker exec reports a detach as its error (exit 1); the process keeps running.
    if ((await streaming) === 'detached') throw new Error('read escape sequence');
  } finally {
    stopResize?.();
    conn.close();
  }
  const inspect = await ctx
    .client()
    .json<ExecInspectResponse>('GET', `/exec/${escapePath(execId)}/json`);
  return inspect.ExitCode ?? 0;
}

export const execCommand: Command = {
  name: 'exec',
  summary: 'Execute a command in a running container',
  usage: 'moor exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv, { interspersed: false });
    if (!flags) return 0;
    checkArgs(this, flags.args, 2);
    const [container = '', ...cmd] = flags.args;
    const body = execBody(flags, cmd, ttySize(ctx.stdout));
    // "No such container" comes first, and a TTY check before an exec is made on the daemon.
    await ctx.client().json('GET', containerPath(container, '/json'));
    if (!body.Detach && body.AttachStdin && body.Tty && !isTerminal(ctx.stdin)) {
      throw new Error('the input device is not a TTY');
    }
    const created = await ctx
      .client()
      .json<{ Id: string }>('POST', containerPath(container, '/exec'), { body });
    if (!created?.Id) throw new Error('exec ID empty');
    if (body.Detach) {
      const start = {
        Detach: true,
        Tty: body.Tty,
        ...(body.Tty ? { ConsoleSize: body.ConsoleSize } : {}),
      };
      await ctx.client().json('POST', `/exec/${escapePath(created.Id)}/start`, { body: start });
      return 0;
    }
    return interactiveExec(ctx, created.Id, body);
  },
};

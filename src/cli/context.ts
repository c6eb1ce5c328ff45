import type { Readable, Writable } from 'node:stream';

import type { ApiClient } from '../client/index.js';

/** What a command gets: a connected client (made on first use) and the output streams. */
export interface CliContext {
  client(): ApiClient;
  /** The daemon address as the user gave it, for messages. */
  host: string;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  debug: boolean;
}

/** Whether a stream is a terminal (process.stdin/stdout/stderr carry `isTTY`). */
export function isTerminal(stream: Readable | Writable): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export interface Command {
  name: string;
  /** One line for `moor --help`. */
  summary: string;
  /** The command's own help text, when docker's says more than the summary. */
  description?: string;
  usage: string;
  /** Every name the command answers to, for its help (`container ls`, `ps`); none: no list. */
  aliases?: readonly string[];
  run(ctx: CliContext, argv: string[]): Promise<number>;
}

/** A usage error: printed with the command's usage and a `--help` hint, exit code 125, as docker does. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The same command under another name (`images` → `image ls`): help and error hints then
 * name the form the user typed.
 */
export function aliasCommand(command: Command, name: string): Command {
  return {
    ...command,
    name,
    usage: command.usage.replace(`moor ${command.name}`, `moor ${name}`),
  };
}

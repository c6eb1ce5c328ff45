import type { Writable } from 'node:stream';

import type { ApiClient } from '../client/index.js';

/** What a command gets: a connected client (made on first use) and the output streams. */
export interface CliContext {
  client(): ApiClient;
  /** The daemon address as the user gave it, for messages. */
  host: string;
  stdout: Writable;
  stderr: Writable;
  debug: boolean;
}

export interface Command {
  name: string;
  /** One line for `moor --help`. */
  summary: string;
  usage: string;
  run(ctx: CliContext, argv: string[]): Promise<number>;
}

/** A usage error: printed with "See 'moor CMD --help'." and exit code 125, as docker does. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

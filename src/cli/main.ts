import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ApiError, createClient, type ApiClient, type ClientOptions } from '../client/index.js';
import {
  DEFAULT_UNIX_SOCKET,
  type FlagSpec,
  errorMessage,
  flagBool,
  flagList,
  flagString,
  formatFlagHelp,
  hasErrno,
  MOOR_VERSION,
  parseFlags,
} from '../core/index.js';
import { COMMANDS } from './commands/index.js';
import { type CliContext, type Command, UsageError } from './context.js';
import { connectionErrorText, isConnectionError } from './error-text.js';

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'host', short: 'H', type: 'list', help: 'Daemon socket to connect to' },
  { name: 'tls', type: 'bool', help: 'Use TLS; implied by --tlsverify' },
  { name: 'tlsverify', type: 'bool', help: 'Use TLS and verify the remote' },
  { name: 'tlscacert', type: 'string', help: 'Trust certs signed only by this CA' },
  { name: 'tlscert', type: 'string', help: 'Path to TLS certificate file' },
  { name: 'tlskey', type: 'string', help: 'Path to TLS key file' },
  { name: 'debug', short: 'D', type: 'bool', help: 'Enable debug mode' },
  { name: 'log-level', short: 'l', type: 'string', help: 'Set the logging level' },
  { name: 'config', type: 'string', help: 'Location of client config files' },
  { name: 'version', short: 'v', type: 'bool', help: 'Print version information and quit' },
  { name: 'help', short: 'h', type: 'bool', help: 'Print usage' },
];

/** Command groups (`moor image ls`) and what they manage. */
const GROUPS: Readonly<Record<string, string>> = {
  builder: 'Manage builds',
  container: 'Manage containers',
  image: 'Manage images',
  network: 'Manage networks',
  system: 'Manage moor',
  volume: 'Manage volumes',
};

/** Names padded as cobra pads them (to the longest, at least `minWidth`), then the summaries. */
function commandList(entries: [string, string][], minWidth = 0): string[] {
  const width = Math.max(minWidth, ...entries.map(([name]) => name.length));
  return entries.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`);
}

function usage(): string {
  const groups = Object.entries(GROUPS).filter(([group]) => subcommands(group).length > 0);
  const seen = new Set<Command>();
  const commands: [string, string][] = [];
  for (const [name, command] of COMMANDS) {
    if (name.includes(' ') || seen.has(command)) continue;
    seen.add(command);
    commands.push([name, command.summary]);
  }
  return [
    '',
    'Usage:  moor [OPTIONS] COMMAND',
    '',
    'A Docker-compatible container engine',
    '',
    'Commands:',
    ...commandList(commands),
    '',
    'Management Commands:',
    ...commandList(groups),
    '',
    'Global Options:',
    formatFlagHelp(GLOBAL_FLAGS),
    '',
    "Run 'moor COMMAND --help' for more information on a command.",
    '',
  ].join('\n');
}

/** A group's subcommands: [name, summary], aliases folded into the first name. */
function subcommands(group: string): [string, string][] {
  // One line per command: its aliases (`container list`, `container ps`) share one list.
  const seen = new Set<unknown>();
  const out: [string, string][] = [];
  for (const [name, command] of COMMANDS) {
    const identity = command.aliases ?? command;
    if (!name.startsWith(`${group} `) || seen.has(identity)) continue;
    seen.add(identity);
    out.push([name.slice(group.length + 1), command.summary]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
}

function groupUsage(group: string): string {
  return [
    `Usage:  moor ${group} COMMAND`,
    '',
    GROUPS[group] ?? '',
    '',
    'Commands:',
    // cobra's minimum name padding (11, with one space after) for a group's commands.
    ...commandList(subcommands(group), 10),
    '',
    `Run 'moor ${group} COMMAND --help' for more information on a command.`,
    '',
  ].join('\n');
}

/**
 * Resolves the daemon address and TLS settings as docker does: -H, then MOOR_HOST, then
 * DOCKER_HOST; DOCKER_TLS_VERIFY and DOCKER_CERT_PATH; --tlsverify implies --tls.
 */
export function resolveConnection(
  flags: ReturnType<typeof parseFlags>,
  env: NodeJS.ProcessEnv,
): ClientOptions {
  const hosts = flagList(flags, 'host');
  if (hosts.length > 1) throw new UsageError('Specify only one -H');
  const host =
    hosts[0] || env['MOOR_HOST'] || env['DOCKER_HOST'] || `unix://${DEFAULT_UNIX_SOCKET}`;
  const verify =
    flagBool(flags, 'tlsverify') ||
    (!flags.given.has('tlsverify') && (env['DOCKER_TLS_VERIFY'] ?? '') !== '');
  const tls = verify || flagBool(flags, 'tls');
  if (!tls) return { host };
  const certDir = env['DOCKER_CERT_PATH'] || join(env['HOME'] ?? '/root', '.docker');
  const read = (flag: string, file: string, required: boolean): Buffer | undefined => {
    const path = flagString(flags, flag) ?? join(certDir, file);
    try {
      return readFileSync(path);
    } catch (err) {
      if (required || flags.given.has(flag)) {
        throw new Error(
          `could not read ${flag.replace('tls', 'TLS ')} file ${path}: ${errorMessage(err)}`,
        );
      }
      return undefined;
    }
  };
  return {
    host,
    tls: {
      verify,
      ca: read('tlscacert', 'ca.pem', verify),
      cert: read('tlscert', 'cert.pem', false),
      key: read('tlskey', 'key.pem', false),
    },
  };
}

/** A bad flag as docker 28 reports it: the error, the command's usage line, a hint. */
function flagErrorText(message: string, usage: string, path: string): string {
  return `${message}\n\nUsage:  ${usage}\n\nRun '${path} --help' for more information\n`;
}

const SIGPIPE_EXIT = 141;

/** The moor CLI: global flags, then a docker-style command. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // A reader that went away (`moor logs c | head`) ends the command as SIGPIPE ends docker's:
  // quietly, with the shell's 128+13.
  process.stdout.on('error', (err) => {
    if (hasErrno(err, 'EPIPE')) process.exit(SIGPIPE_EXIT);
  });
  let client: ApiClient | undefined;
  let host = '';
  try {
    let flags;
    try {
      flags = parseFlags(GLOBAL_FLAGS, argv, { interspersed: false });
    } catch (err) {
      throw new UsageError(errorMessage(err));
    }
    if (flagBool(flags, 'version')) {
      process.stdout.write(`moor version ${MOOR_VERSION}\n`);
      return 0;
    }
    let [name, ...rest] = flags.args;
    if (name !== undefined && Object.hasOwn(GROUPS, name) && !COMMANDS.has(name)) {
      const sub = rest[0];
      if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
        // As docker: asked for (`--help`) on stdout, without a command on stderr; exit 0.
        (sub === undefined ? process.stderr : process.stdout).write(groupUsage(name));
        return 0;
      }
      if (!COMMANDS.has(`${name} ${sub}`)) {
        process.stderr.write(
          `moor: unknown command: moor ${name} ${sub}\n\nUsage:  moor ${name} COMMAND\n\nRun 'moor ${name} --help' for more information\n`,
        );
        return 1;
      }
      name = `${name} ${sub}`;
      rest = rest.slice(1);
    }
    const command = name === undefined ? undefined : COMMANDS.get(name);
    if (flagBool(flags, 'help') || name === undefined || name === 'help') {
      process.stdout.write(usage());
      return 0;
    }
    if (!command) {
      process.stderr.write(`moor: '${name}' is not a moor command.\nSee 'moor --help'\n`);
      return 1;
    }
    const connection = resolveConnection(flags, process.env);
    host = connection.host;
    const ctx: CliContext = {
      client: () => (client ??= createClient(connection)),
      host,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      debug: flagBool(flags, 'debug'),
    };
    try {
      return await command.run(ctx, rest);
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(flagErrorText(err.message, command.usage, `moor ${command.name}`));
        return 125;
      }
      throw err;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(flagErrorText(err.message, 'moor [OPTIONS] COMMAND [ARG...]', 'moor'));
      return 125;
    }
    if (hasErrno(err, 'EPIPE')) return SIGPIPE_EXIT;
    if (err instanceof ApiError) {
      process.stderr.write(`Error response from daemon: ${err.message}\n`);
    } else if (isConnectionError(err)) {
      process.stderr.write(`${connectionErrorText(host)}\n`);
    } else {
      process.stderr.write(`${errorMessage(err)}\n`);
    }
    return 1;
  } finally {
    client?.close();
  }
}

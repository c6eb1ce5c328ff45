import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';

import { escapePath } from '../../client/index.js';
import { type FlagSpec, flagBool, flagString } from '../../core/index.js';
import {
  familiarString,
  formatReference,
  parseReference,
  repositoryName,
  withDefaultTag,
} from '../../oci/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import {
  credentialKey,
  registryAuthHeader,
  removeCredentials,
  saveCredentials,
} from '../credentials.js';
import { displayJsonMessages } from '../json-stream.js';
import { platformQuery } from '../platform-flag.js';

/** The daemon's messages; with -q read (an error still ends the command) but not shown. */
async function show(ctx: CliContext, res: IncomingMessage, quiet: boolean): Promise<void> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  await displayJsonMessages(res, { out: quiet ? discard : ctx.stdout });
}

const PULL_FLAGS: FlagSpec[] = [
  {
    name: 'all-tags',
    short: 'a',
    type: 'bool',
    help: 'Download all tagged images in the repository',
  },
  { name: 'platform', type: 'string', help: 'Set platform if server is multi-platform capable' },
  { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress verbose output' },
];

/** docker pull: `POST /images/create?fromImage=&tag=` with the saved login; the ref at the end. */
async function runPull(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, PULL_FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 1, 1);
  const parsed = parseReference(flags.args[0] ?? '');
  const all = flagBool(flags, 'all-tags');
  const ref = parsed.digest || all ? parsed : withDefaultTag(parsed);
  const res = await ctx.client().stream('POST', '/images/create', {
    query: {
      fromImage: repositoryName(ref),
      tag: ref.digest ?? (all ? '' : (ref.tag ?? 'latest')),
      platform: platformQuery(flagString(flags, 'platform')),
    },
    headers: await registryAuthHeader(ref.domain),
  });
  await show(ctx, res, flagBool(flags, 'quiet'));
  if (!all) ctx.stdout.write(`${formatReference(ref)}\n`);
  return 0;
}

const PUSH_FLAGS: FlagSpec[] = [
  {
    name: 'all-tags',
    short: 'a',
    type: 'bool',
    help: 'Push all tags of an image to the repository',
  },
  { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress verbose output' },
];

/** docker push: `POST /images/{name}/push?tag=` with the saved login. */
async function runPush(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, PUSH_FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 1, 1);
  const parsed = parseReference(flags.args[0] ?? '');
  const all = flagBool(flags, 'all-tags');
  const ref = all ? parsed : withDefaultTag(parsed);
  const res = await ctx.client().stream('POST', `/images/${escapePath(repositoryName(ref))}/push`, {
    query: { tag: all ? '' : (ref.tag ?? 'latest') },
    headers: await registryAuthHeader(ref.domain),
  });
  const quiet = flagBool(flags, 'quiet');
  await show(ctx, res, quiet);
  if (quiet) ctx.stdout.write(`${familiarString(ref)}\n`);
  return 0;
}

const LOGIN_FLAGS: FlagSpec[] = [
  { name: 'password', short: 'p', type: 'string', help: 'Password or Personal Access Token (PAT)' },
  {
    name: 'password-stdin',
    type: 'bool',
    help: 'Take the Password or Personal Access Token (PAT) from stdin',
  },
  { name: 'username', short: 'u', type: 'string', help: 'Username' },
];

async function readStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** docker login: checked by the daemon (POST /auth), then saved in config.json. */
async function runLogin(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, LOGIN_FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 0, 1);
  const server = flags.args[0] ?? '';
  const username = flagString(flags, 'username') ?? '';
  let password = flagString(flags, 'password') ?? '';
  if (flagBool(flags, 'password-stdin')) {
    if (password !== '') throw new Error('--password and --password-stdin are mutually exclusive');
    if (username === '') throw new Error('Must provide --username with --password-stdin');
    password = await readStdin(ctx);
  } else if (password !== '') {
    ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  }
  if (username === '' || password === '') throw new Error('Username and password are required');
  const domain =
    server === '' ? 'docker.io' : server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const serveraddress = credentialKey(domain);
  await ctx.client().json('POST', '/auth', { body: { username, password, serveraddress } });
  const path = await saveCredentials({ username, password, serveraddress });
  ctx.stderr.write(
    `WARNING! Your credentials are stored unencrypted in '${path}'.\n` +
      'Configure a credential helper to remove this warning. See\n' +
      'https://docs.docker.com/go/credential-store/\n\n',
  );
  ctx.stdout.write('Login Succeeded\n');
  return 0;
}

/** docker logout: forgets the saved login (in config.json). */
async function runLogout(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, [], argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 0, 1);
  const server = (flags.args[0] ?? '').replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const key = credentialKey(server === '' ? 'docker.io' : server);
  // docker says so whether or not there was a login to remove.
  await removeCredentials(key);
  ctx.stdout.write(`Removing login credentials for ${key}\n`);
  return 0;
}

/** docker search needs Docker Hub's search service; offline it fails clearly. */
function runSearch(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, [], argv);
  if (!flags) return Promise.resolve(0);
  checkArgs(command, flags.args, 1, 1);
  throw new Error(
    'Error response from daemon: searching needs a registry search service (Docker Hub), which this engine does not reach',
  );
}

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Download an image from a registry',
  usage: 'moor pull [OPTIONS] NAME[:TAG|@DIGEST]',
  run(ctx, argv) {
    return runPull(ctx, this, argv);
  },
};
export const pushCommand: Command = {
  name: 'push',
  summary: 'Upload an image to a registry',
  usage: 'moor push [OPTIONS] NAME[:TAG]',
  run(ctx, argv) {
    return runPush(ctx, this, argv);
  },
};
export const loginCommand: Command = {
  name: 'login',
  summary: 'Authenticate to a registry',
  usage: 'moor login [OPTIONS] [SERVER]',
  run(ctx, argv) {
    return runLogin(ctx, this, argv);
  },
};
export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Log out from a registry',
  usage: 'moor logout [SERVER]',
  run(ctx, argv) {
    return runLogout(ctx, this, argv);
  },
};
export const searchCommand: Command = {
  name: 'search',
  summary: 'Search Docker Hub for images',
  usage: 'moor search [OPTIONS] TERM',
  run(ctx, argv) {
    return runSearch(ctx, this, argv);
  },
};

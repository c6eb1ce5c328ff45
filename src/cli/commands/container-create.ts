import { existsSync, readFileSync } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { Writable } from 'node:stream';

import type { ContainerCreateResponse } from '../../api-types/index.js';
import { ApiError } from '../../client/index.js';
import { hasErrno, isMoorError } from '../../core/index.js';
import {
  type Reference,
  familiarString,
  parseReference,
  repositoryName,
  withDefaultTag,
} from '../../oci/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { ttySize } from '../container-streams.js';
import type { CliContext, Command } from '../context.js';
import { displayJsonMessages } from '../json-stream.js';
import { goPathError } from '../local-files.js';
import { CREATE_FLAGS } from '../run-flags.js';
import {
  type CreatePlan,
  type RunEnvironment,
  InvalidOptionError,
  buildCreatePlan,
} from '../run-options.js';

/** What run-options may read: the user's files and environment, the terminal's size. */
export function runEnvironment(ctx: CliContext): RunEnvironment {
  return {
    readFile(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        throw goPathError(err);
      }
    },
    lookupEnv: (name) => process.env[name],
    cwd: process.cwd(),
    consoleSize: ttySize(ctx.stdout),
  };
}

/** docker's `docker: MESSAGE` + help hint for options it rejects (exit 125). */
export function printOptionError(ctx: CliContext, verb: string, message: string): number {
  ctx.stderr.write(`moor: ${message}\n\nRun 'moor ${verb} --help' for more information\n`);
  return 125;
}

/** Parses the create/run command line; undefined (after printing) when it is rejected. */
export function planOrReport(
  ctx: CliContext,
  verb: string,
  flags: Parameters<typeof buildCreatePlan>[0],
): CreatePlan | number {
  try {
    return buildCreatePlan(flags, flags.args, runEnvironment(ctx));
  } catch (err) {
    if (err instanceof InvalidOptionError) return printOptionError(ctx, verb, err.message);
    throw err;
  }
}

/** The image as docker names it in messages and pulls: `busybox:latest`. */
function imageReference(image: string): Reference | undefined {
  try {
    return withDefaultTag(parseReference(image));
  } catch (err) {
    if (isMoorError(err, 'InvalidArgument')) return undefined;
    throw err;
  }
}

/** docker's pullImage for create/run: `POST /images/create`, progress on stderr unless -q. */
async function pullImage(ctx: CliContext, ref: Reference, plan: CreatePlan): Promise<void> {
  const res = await ctx.client().stream('POST', '/images/create', {
    query: {
      fromImage: repositoryName(ref),
      tag: ref.digest ?? ref.tag,
      platform: plan.platform || undefined,
    },
    headers: { 'X-Registry-Auth': 'e30=' },
  });
  const out = plan.quiet ? new Writable({ write: (_c, _e, done) => done() }) : ctx.stderr;
  await displayJsonMessages(res as AsyncIterable<Buffer>, { out });
}

async function openCidFile(path: string): Promise<FileHandle | undefined> {
  if (path === '') return undefined;
  if (existsSync(path)) {
    throw new Error(
      `container ID file found, make sure the other container isn't running or delete ${path}`,
    );
  }
  try {
    return await open(path, 'w');
  } catch (err) {
    throw new Error(`failed to create the container ID file: ${goPathError(err).message}`, {
      cause: err,
    });
  }
}

/**
 * `--use-api-socket`: the daemon's unix socket, bind-mounted where docker clients look for it.
 * (docker also copies the user's registry credentials in; moor has none to give.)
 */
function addApiSocket(host: string, plan: CreatePlan): void {
  if (!host.startsWith('unix://')) {
    throw new Error(
      `flag --use-api-socket can only be used with unix sockets: docker endpoint ${host} incompatible`,
    );
  }
  const hostConfig = (plan.body.HostConfig ??= {});
  hostConfig.Mounts = [
    ...(hostConfig.Mounts ?? []),
    {
      Type: 'bind',
      Source: host.slice('unix://'.length),
      Target: '/var/run/docker.sock',
      BindOptions: {},
    },
  ];
}

/**
 * docker's createContainer: `POST /containers/create`; when the image is missing and --pull is
 * `missing`, says `Unable to find image 'busybox:latest' locally`, pulls and tries again. The
 * daemon's warnings go to stderr, the id to --cidfile (removed again when creation fails).
 */
export async function createContainer(ctx: CliContext, plan: CreatePlan): Promise<string> {
  if (plan.useApiSocket) addApiSocket(ctx.host, plan);
  const cid = await openCidFile(plan.cidfile);
  let written = false;
  try {
    const ref = imageReference(plan.body.Image ?? '');
    if (plan.pull === 'always' && ref) await pullImage(ctx, ref, plan);
    const create = () =>
      ctx.client().json<ContainerCreateResponse>('POST', '/containers/create', {
        query: { name: plan.name || undefined, platform: plan.platform || undefined },
        body: plan.body,
      });
    let response: ContainerCreateResponse;
    try {
      response = await create();
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 404 && ref && plan.pull === 'missing')) {
        throw err;
      }
      if (!plan.quiet) ctx.stderr.write(`Unable to find image '${familiarString(ref)}' locally\n`);
      await pullImage(ctx, ref, plan);
      response = await create();
    }
    const warnings = [...(response.Warnings ?? [])];
    const loopback = (plan.body.HostConfig?.Dns ?? []).find((ip) => /^(127\.|::1$)/.test(ip));
    if (loopback !== undefined)
      warnings.push(`Localhost DNS (${loopback}) may fail in containers.`);
    for (const warning of warnings) ctx.stderr.write(`WARNING: ${warning}\n`);
    if (cid) {
      await cid.write(response.Id);
      written = true;
    }
    return response.Id;
  } finally {
    await cid?.close();
    if (cid && !written) {
      await unlink(plan.cidfile).catch((err: unknown) => {
        if (!hasErrno(err, 'ENOENT')) throw err;
      });
    }
  }
}

export const createCommand: Command = {
  name: 'create',
  summary: 'Create a new container',
  usage: 'moor create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, CREATE_FLAGS, argv, { interspersed: false });
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const plan = planOrReport(ctx, 'create', flags);
    if (typeof plan === 'number') return plan;
    ctx.stdout.write(`${await createContainer(ctx, plan)}\n`);
    return 0;
  },
};

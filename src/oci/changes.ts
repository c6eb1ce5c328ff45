import { posix } from 'node:path';

import { invalidArgument } from '../core/index.js';
import { type InstructionNode, parseDockerfileLines } from './dockerfile-parse.js';
import { type ChangeCommand, expandChangeCommand, parseChangeCommand } from './change-commands.js';
import type { ContainerConfig } from './image-config.js';
import { expandWord, expandWords } from './shell-word.js';
import { parseSignal } from './signal.js';

/** The instructions docker accepts as `--change` (moby's validCommitCommands; not SHELL). */
const CHANGE_COMMANDS = new Set([
  'cmd',
  'entrypoint',
  'healthcheck',
  'env',
  'expose',
  'label',
  'onbuild',
  'stopsignal',
  'user',
  'volume',
  'workdir',
]);

const DEFAULT_SHELL = ['/bin/sh', '-c'];

/**
 * Applies `docker commit` / `docker import` `--change` Dockerfile instructions to a container
 * config, as moby's BuildFromConfig does, and returns a new config (the input is not touched).
 * Accepts CMD, ENTRYPOINT, HEALTHCHECK, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME,
 * WORKDIR; variables in ENV, LABEL, EXPOSE, USER, VOLUME, WORKDIR, STOPSIGNAL expand from the
 * config's Env. Shell forms run under the config's Shell (default `/bin/sh -c`). An ENTRYPOINT
 * clears Cmd unless a CMD came earlier in the same changes.
 *
 * Throws InvalidArgument with docker's messages: `FOO is not a valid change command`,
 * `ENV requires at least one argument`, `invalid signal: X`, ...
 */
export function applyChanges(config: ContainerConfig, changes: string[]): ContainerConfig {
  if (changes.length === 0) return config;
  const nodes = parseDockerfileLines(changes.join('\n'));
  for (const node of nodes) {
    if (!CHANGE_COMMANDS.has(node.command.toLowerCase())) {
      throw invalidArgument(`${node.command} is not a valid change command`);
    }
  }
  const commands = nodes.map((n: InstructionNode) => parseChangeCommand(n));
  const state: DispatchState = { config: structuredClone(config), cmdSet: false };
  for (const command of commands) dispatch(state, command);
  return state.config;
}

interface DispatchState {
  config: ContainerConfig;
  cmdSet: boolean;
}

function dispatch(state: DispatchState, raw: ChangeCommand): void {
  const cfg = state.config;
  const env = cfg.Env ?? [];
  const command = expandChangeCommand(raw, {
    word: (w) => expandWord(w, env),
    words: (w) => expandWords(w, env),
  });
  switch (command.kind) {
    case 'env':
      for (const { key, value } of command.pairs) setEnv(cfg, `${key}=${value}`);
      return;
    case 'label': {
      const labels = { ...cfg.Labels };
      for (const { key, value } of command.pairs) labels[key] = value;
      cfg.Labels = labels;
      return;
    }
    case 'expose': {
      const ports = { ...cfg.ExposedPorts };
      for (const spec of command.ports) {
        for (const key of exposedPortKeys(spec)) ports[key] = {};
      }
      cfg.ExposedPorts = ports;
      return;
    }
    case 'user':
      cfg.User = command.value;
      return;
    case 'workdir':
      cfg.WorkingDir = normalizeWorkdir(cfg.WorkingDir ?? '', command.value);
      return;
    case 'stopsignal':
      parseSignal(command.value);
      cfg.StopSignal = command.value;
      return;
    case 'volume': {
      const volumes = { ...cfg.Volumes };
      for (const v of command.volumes) {
        if (v === '') throw invalidArgument('VOLUME specified can not be an empty string');
        volumes[v] = {};
      }
      cfg.Volumes = volumes;
      return;
    }
    case 'cmd':
      cfg.Cmd = resolveCmdLine(cfg, command.cmdLine, command.prependShell);
      delete cfg.ArgsEscaped;
      if (command.cmdLine !== null && command.cmdLine.length > 0) state.cmdSet = true;
      return;
    case 'entrypoint':
      cfg.Entrypoint = resolveCmdLine(cfg, command.cmdLine, command.prependShell);
      delete cfg.ArgsEscaped;
      if (!state.cmdSet) cfg.Cmd = null;
      return;
    case 'healthcheck':
      cfg.Healthcheck = command.health;
      return;
    case 'onbuild':
      cfg.OnBuild = [...(cfg.OnBuild ?? []), command.expression];
      return;
  }
}

/** Sets `KEY=value`, replacing an existing entry for KEY in place. */
function setEnv(cfg: ContainerConfig, entry: string): void {
  const key = entry.slice(0, entry.indexOf('='));
  const env = [...(cfg.Env ?? [])];
  const at = env.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
  if (at === -1) env.push(entry);
  else env[at] = entry;
  cfg.Env = env;
}

function resolveCmdLine(
  cfg: ContainerConfig,
  cmdLine: string[] | null,
  prependShell: boolean,
): string[] | null {
  if (!prependShell || cmdLine === null) return cmdLine;
  const shell = cfg.Shell && cfg.Shell.length > 0 ? cfg.Shell : DEFAULT_SHELL;
  return [...shell, ...cmdLine];
}

/** A relative WORKDIR joins the previous one; the result is clean and absolute. */
function normalizeWorkdir(current: string, requested: string): string {
  if (requested === '') throw invalidArgument('cannot normalize nothing');
  const joined = posix.isAbsolute(requested) ? requested : posix.join('/', current, requested);
  const clean = posix.normalize(joined);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** `80`, `80/udp`, `8000-8002/tcp` → `80/tcp`, ... (go-connections nat.ParsePortSpec). */
export function exposedPortKeys(spec: string): string[] {
  const [port = '', protoPart = ''] = (spec.split(':').at(-1) ?? '').split('/');
  const rawProto = port === '' ? '' : protoPart || 'tcp';
  if (port === '') throw invalidArgument(`no port specified: ${spec}<empty>`);
  const range = /^(\d+)(?:-(\d+))?$/.exec(port);
  const start = Number(range?.[1]);
  const end = Number(range?.[2] ?? range?.[1]);
  if (!range || start > 65535 || end > 65535 || end < start) {
    throw invalidArgument(`invalid containerPort: ${port}`);
  }
  const proto = rawProto.toLowerCase();
  if (!PROTOCOLS.has(proto)) throw invalidArgument(`invalid proto: ${rawProto}`);
  return Array.from({ length: end - start + 1 }, (_, i) => `${start + i}/${proto}`);
}

import { goDuration, invalidArgument } from '../core/index.js';
import { type HealthConfig, type Instruction, exposedPortKeys, parseSignal } from '../oci/index.js';
import { declareArg, runArgEnv, cacheKeyArgEnv } from './build-args.js';
import { BuildStepError } from './build-options.js';
import type { BuildRun } from './build-run.js';
import { performCopy } from './copy-step.js';
import {
  copyRunConfig,
  prependBuildArgs,
  resolveCmdLine,
  setEnv,
  withNopComment,
  workdirPath,
} from './run-config.js';
import type { StageState } from './stage-state.js';
import { commitMetadata, inStepContainer, probeCache } from './step-commit.js';
import { directoryTar } from './step-containers.js';

/**
 * One instruction applied to a stage, as Docker's classic builder applies it: metadata
 * instructions change the run config and record an image without a layer; RUN, COPY, ADD
 * and WORKDIR work in a container whose changes become the step's layer. Every step first
 * probes the cache with its cache key config.
 */
export async function dispatch(
  run: BuildRun,
  state: StageState,
  instr: Instruction,
): Promise<void> {
  const rc = state.runConfig;
  switch (instr.kind) {
    case 'env': {
      let env = rc.Env ?? [];
      for (const { key, value } of instr.pairs) env = setEnv(env, `${key}=${value}`);
      rc.Env = env;
      const text = instr.pairs.map(({ key, value }) => `${key}=${value}`).join(' ');
      return commitMetadata(run, state, `ENV ${text}`);
    }
    case 'label': {
      rc.Labels = { ...(rc.Labels ?? {}) };
      for (const { key, value } of instr.pairs) rc.Labels[key] = value;
      const text = instr.pairs.map(({ key, value }) => `${key}=${value}`).join(' ');
      return commitMetadata(run, state, `LABEL ${text}`);
    }
    case 'maintainer':
      state.maintainer = instr.value;
      return commitMetadata(run, state, `MAINTAINER ${instr.value}`);
    case 'expose': {
      rc.ExposedPorts = { ...(rc.ExposedPorts ?? {}) };
      for (const port of instr.ports) {
        for (const key of exposedPortKeys(port)) rc.ExposedPorts[key] = {};
      }
      return commitMetadata(run, state, `EXPOSE ${instr.ports.join(' ')}`);
    }
    case 'user':
      rc.User = instr.value;
      return commitMetadata(run, state, `USER ${instr.value}`);
    case 'volume': {
      rc.Volumes = { ...(rc.Volumes ?? {}) };
      for (const v of instr.volumes) rc.Volumes[v] = {};
      return commitMetadata(run, state, `VOLUME [${instr.volumes.join(' ')}]`);
    }
    case 'stopsignal':
      parseSignal(instr.value);
      rc.StopSignal = instr.value;
      return commitMetadata(run, state, `STOPSIGNAL ${instr.value}`);
    case 'arg': {
      const words = instr.args.map(({ key, value }) => {
        declareArg(run.args, key, value);
        return value === undefined ? key : `${key}=${value}`;
      });
      return commitMetadata(run, state, `ARG ${words.join(' ')}`);
    }
    case 'shell':
      rc.Shell = [...instr.shell];
      return commitMetadata(run, state, `SHELL [${rc.Shell.join(' ')}]`);
    case 'cmd': {
      const cmd = resolveCmdLine(instr.cmdLine ?? [], !instr.prependShell, rc);
      rc.Cmd = cmd;
      await commitMetadata(run, state, `CMD ${goQuoteList(cmd)}`);
      if ((instr.cmdLine ?? []).length > 0) state.cmdSet = true;
      return;
    }
    case 'entrypoint': {
      const line = instr.cmdLine ?? [];
      rc.Entrypoint = line.length === 0 ? null : resolveCmdLine(line, !instr.prependShell, rc);
      if (!state.cmdSet) rc.Cmd = null;
      return commitMetadata(run, state, `ENTRYPOINT ${goQuoteList(rc.Entrypoint ?? [])}`);
    }
    case 'healthcheck': {
      const old = rc.Healthcheck?.Test;
      if (old && old.length > 0 && old[0] !== 'NONE') {
        run.output(`Note: overriding previous HEALTHCHECK: [${old.join(' ')}]\n`);
      }
      rc.Healthcheck = instr.health;
      return commitMetadata(run, state, `HEALTHCHECK ${healthText(instr.health)}`);
    }
    case 'onbuild':
      rc.OnBuild = [...(rc.OnBuild ?? []), instr.expression];
      return commitMetadata(run, state, `ONBUILD ${instr.expression}`);
    case 'workdir':
      return dispatchWorkdir(run, state, instr.value);
    case 'run':
      return dispatchRun(run, state, instr.cmdLine, !instr.prependShell);
    case 'copy':
    case 'add':
      return performCopy(run, state, instr);
    default:
      throw invalidArgument(`${(instr as { kind: string }).kind} is not supported here`);
  }
}

/** Go's %q of a string list: `["a" "b"]`. */
function goQuoteList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** Go's %+v of a HealthConfig, as Docker's history text shows it. */
function healthText(h: HealthConfig): string {
  const d = (ns: number | undefined) => goDuration((ns ?? 0) / 1e6);
  return (
    `&{Test:[${(h.Test ?? []).join(' ')}] Interval:${d(h.Interval)} Timeout:${d(h.Timeout)} ` +
    `StartPeriod:${d(h.StartPeriod)} StartInterval:${d(h.StartInterval)} Retries:${h.Retries ?? 0}}`
  );
}

async function dispatchWorkdir(run: BuildRun, state: StageState, path: string): Promise<void> {
  const dir = workdirPath(state.runConfig.WorkingDir ?? '', path);
  state.runConfig.WorkingDir = dir;
  const key = withNopComment(state.runConfig, `WORKDIR ${dir}`, 'one-word');
  if (await probeCache(run, state, key)) return;
  await inStepContainer(run, state, key, async (container) => {
    if (await run.steps.isDirectory(container, dir)) return;
    await run.steps.extract(container, directoryTar(dir), run.signal);
  });
}

async function dispatchRun(
  run: BuildRun,
  state: StageState,
  args: readonly string[],
  json: boolean,
): Promise<void> {
  const rc = state.runConfig;
  const cmd = resolveCmdLine(args, json, rc);
  const argEnv = runArgEnv(run.args, rc.Env ?? []);
  const keyArgs = cacheKeyArgEnv(run.args, argEnv);
  const saveCmd = keyArgs.length > 0 ? prependBuildArgs(keyArgs, cmd) : cmd;
  const key = copyRunConfig(rc, { Cmd: saveCmd, Entrypoint: null });
  if (await probeCache(run, state, key)) return;
  const runConfig = copyRunConfig(rc, {
    Cmd: cmd,
    Env: [...(rc.Env ?? []), ...argEnv],
    Entrypoint: [''],
    Healthcheck: { Test: ['NONE'] },
  });
  await inStepContainer(
    run,
    state,
    key,
    async (container) => {
      const code = await run.steps.run(container, run.output, run.signal);
      if (code !== 0) {
        throw new BuildStepError(
          `The command '${cmd.join(' ')}' returned a non-zero code: ${code}`,
          code,
        );
      }
    },
    { runConfig, announce: true },
  );
}

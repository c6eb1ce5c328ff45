import type { ContainerConfig, HealthConfig, HostConfig } from '../api-types/index.js';
import { invalidArgument } from '../core/index.js';
import { mergeLogConfig } from '../logging/index.js';
import type { ImageConfig } from '../oci/index.js';

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** Image env, then request env; a request entry replaces the image's entry for the same key. */
export function mergeEnv(image: readonly string[], request: readonly string[]): string[] {
  const out = [...image];
  for (const entry of request) {
    const key = envKey(entry);
    const at = out.findIndex((e) => envKey(e) === key);
    if (at >= 0) out[at] = entry;
    else out.push(entry);
  }
  return out;
}

function mergeHealth(
  image: HealthConfig | null | undefined,
  request: HealthConfig | undefined,
): HealthConfig | undefined {
  if (!request) return image ?? undefined;
  if (!image) return request;
  const merged: HealthConfig = { ...request };
  if (!request.Test || request.Test.length === 0) merged.Test = image.Test ?? [];
  if (!request.Interval) merged.Interval = image.Interval ?? 0;
  if (!request.Timeout) merged.Timeout = image.Timeout ?? 0;
  if (!request.StartPeriod) merged.StartPeriod = image.StartPeriod ?? 0;
  if (!request.StartInterval) merged.StartInterval = image.StartInterval ?? 0;
  if (!request.Retries) merged.Retries = image.Retries ?? 0;
  return merged;
}

function nonEmpty<T>(list: T[] | null | undefined): list is T[] {
  return Array.isArray(list) && list.length > 0;
}

/**
 * The container's config as Docker stores it: the request with the image's defaults filled in
 * (Cmd only when the request sets neither Cmd nor Entrypoint, Env merged by key, Labels and
 * ExposedPorts/Volumes merged, WorkingDir/User/StopSignal/Healthcheck inherited).
 */
export function mergeImageConfig(
  request: ContainerConfig,
  image: ImageConfig,
  id: string,
): ContainerConfig {
  const base = image.config ?? {};
  const config: ContainerConfig = { ...request };
  config.Hostname = request.Hostname || id.slice(0, 12);
  config.Domainname = request.Domainname ?? '';
  config.User = request.User || base.User || '';
  config.AttachStdin = request.AttachStdin ?? false;
  config.AttachStdout = request.AttachStdout ?? false;
  config.AttachStderr = request.AttachStderr ?? false;
  config.Tty = request.Tty ?? false;
  config.OpenStdin = request.OpenStdin ?? false;
  config.StdinOnce = request.StdinOnce ?? false;
  config.Env = mergeEnv(base.Env ?? [], request.Env ?? []);
  // `--entrypoint ""` arrives as [""]: it resets the image's entrypoint.
  const reset = request.Entrypoint?.length === 1 && request.Entrypoint[0] === '';
  if (reset || !nonEmpty(request.Entrypoint)) {
    config.Cmd = nonEmpty(request.Cmd) ? request.Cmd : nonEmpty(base.Cmd) ? base.Cmd : null;
    const inherit = request.Entrypoint === null || request.Entrypoint === undefined;
    config.Entrypoint = inherit && nonEmpty(base.Entrypoint) ? base.Entrypoint : null;
  } else {
    config.Entrypoint = request.Entrypoint ?? null;
    config.Cmd = request.Cmd ?? null;
  }
  config.WorkingDir = request.WorkingDir || base.WorkingDir || '';
  config.Labels = { ...(base.Labels ?? {}), ...(request.Labels ?? {}) };
  const ports = { ...(base.ExposedPorts ?? {}), ...(request.ExposedPorts ?? {}) };
  config.ExposedPorts = Object.keys(ports).length > 0 ? ports : null;
  const volumes = { ...(base.Volumes ?? {}), ...(request.Volumes ?? {}) };
  config.Volumes = Object.keys(volumes).length > 0 ? volumes : null;
  const stopSignal = request.StopSignal || base.StopSignal;
  if (stopSignal) config.StopSignal = stopSignal;
  else delete config.StopSignal;
  const health = mergeHealth(base.Healthcheck, request.Healthcheck);
  if (health) config.Healthcheck = health;
  if (base.OnBuild && !request.OnBuild) config.OnBuild = null;
  return config;
}

/** Entrypoint + Cmd → the process path and its arguments. */
export function processOf(config: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const [path, ...args] = argv;
  if (path === undefined || path === '') throw invalidArgument('No command specified');
  return { path, args };
}

/**
 * The log driver and options a container runs with: those stored at create (merged with the
 * daemon's then); a record stored without a type gets the daemon's current ones.
 */
export function logConfigOf(
  host: HostConfig,
  defaults: { logDriver: string; logOpts: Record<string, string> },
): { Type: string; Config: Record<string, string> } {
  const log = host.LogConfig;
  if (log?.Type) return { Type: log.Type, Config: log.Config ?? {} };
  return mergeLogConfig(log, { driver: defaults.logDriver, opts: defaults.logOpts });
}

/** HostConfig with Docker's defaults filled in, as inspect shows it. */
export function normalizeHostConfig(host: HostConfig | undefined): HostConfig {
  const h: HostConfig = { ...(host ?? {}) };
  h.NetworkMode = h.NetworkMode || 'default';
  h.RestartPolicy = {
    Name: h.RestartPolicy?.Name ?? 'no',
    MaximumRetryCount: h.RestartPolicy?.MaximumRetryCount ?? 0,
  };
  if (h.RestartPolicy.Name === '') h.RestartPolicy.Name = 'no';
  h.LogConfig = { Type: h.LogConfig?.Type ?? '', Config: h.LogConfig?.Config ?? {} };
  h.AutoRemove = h.AutoRemove ?? false;
  h.Privileged = h.Privileged ?? false;
  h.ReadonlyRootfs = h.ReadonlyRootfs ?? false;
  h.ShmSize = h.ShmSize || 64 * 1024 * 1024;
  h.IpcMode = h.IpcMode || 'private';
  h.CgroupnsMode = h.CgroupnsMode || 'private';
  h.PidMode = h.PidMode ?? '';
  h.UTSMode = h.UTSMode ?? '';
  h.UsernsMode = h.UsernsMode ?? '';
  h.Runtime = h.Runtime || 'runc';
  h.Isolation = h.Isolation ?? '';
  h.ConsoleSize = h.ConsoleSize ?? [0, 0];
  h.PortBindings = h.PortBindings ?? {};
  h.Binds = h.Binds ?? null;
  h.Memory = h.Memory ?? 0;
  h.NanoCpus = h.NanoCpus ?? 0;
  h.CpuShares = h.CpuShares ?? 0;
  h.MemorySwap = h.MemorySwap ?? 0;
  h.MemoryReservation = h.MemoryReservation ?? 0;
  h.PidsLimit = h.PidsLimit ?? null;
  return h;
}

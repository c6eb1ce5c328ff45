import type { SystemInfo } from '../../api-types/index.js';
import { MOOR_VERSION, type FlagSpec, flagBool, flagString } from '../../core/index.js';
import { commandHelp, parseCommandFlags } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import { renderTemplate } from '../go-template.js';
import { bytesSize } from '../units.js';

const FLAGS: FlagSpec[] = [
  { name: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' },
];

/** The server half of `docker info`, laid out as the docker CLI prints it. */
export function renderServerInfo(info: SystemInfo): string {
  const out: string[] = [];
  const line = (text: string) => out.push(text);
  line(` Containers: ${info.Containers}`);
  line(`  Running: ${info.ContainersRunning}`);
  line(`  Paused: ${info.ContainersPaused}`);
  line(`  Stopped: ${info.ContainersStopped}`);
  line(` Images: ${info.Images}`);
  line(` Server Version: ${info.ServerVersion}`);
  line(` Storage Driver: ${info.Driver}`);
  for (const [k, v] of info.DriverStatus) line(`  ${k}: ${v}`);
  line(` Logging Driver: ${info.LoggingDriver}`);
  line(` Cgroup Driver: ${info.CgroupDriver}`);
  line(` Cgroup Version: ${info.CgroupVersion}`);
  line(' Plugins:');
  line(`  Volume: ${info.Plugins.Volume.join(' ')}`);
  line(`  Network: ${info.Plugins.Network.join(' ')}`);
  line(`  Log: ${info.Plugins.Log.join(' ')}`);
  line(` Swarm: ${info.Swarm.LocalNodeState}`);
  line(` Runtimes: ${Object.keys(info.Runtimes).sort().join(' ')}`);
  line(` Default Runtime: ${info.DefaultRuntime}`);
  if (info.SecurityOptions.length > 0) {
    line(' Security Options:');
    for (const opt of info.SecurityOptions) line(`  ${opt.replace(/^name=/, '')}`);
  }
  line(` Kernel Version: ${info.KernelVersion}`);
  line(` Operating System: ${info.OperatingSystem}`);
  line(` OSType: ${info.OSType}`);
  line(` Architecture: ${info.Architecture}`);
  line(` CPUs: ${info.NCPU}`);
  line(` Total Memory: ${bytesSize(info.MemTotal)}`);
  line(` Name: ${info.Name}`);
  line(` ID: ${info.ID}`);
  line(` Docker Root Dir: ${info.DockerRootDir}`);
  line(` Debug Mode: ${info.Debug}`);
  if (info.Debug) {
    line(`  File Descriptors: ${info.NFd}`);
    line(`  EventsListeners: ${info.NEventsListener}`);
  }
  if (info.Labels.length > 0) {
    line(' Labels:');
    for (const label of info.Labels) line(`  ${label}`);
  }
  line(` Experimental: ${info.ExperimentalBuild}`);
  line(' Insecure Registries:');
  for (const name of Object.keys(info.RegistryConfig.IndexConfigs)) {
    if (!info.RegistryConfig.IndexConfigs[name]?.Secure) line(`  ${name}`);
  }
  for (const cidr of info.RegistryConfig.InsecureRegistryCIDRs) line(`  ${cidr}`);
  if (info.RegistryConfig.Mirrors.length > 0) {
    line(' Registry Mirrors:');
    for (const mirror of info.RegistryConfig.Mirrors) line(`  ${mirror}`);
  }
  line(` Live Restore Enabled: ${info.LiveRestoreEnabled}`);
  return out.join('\n') + '\n';
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'Display system-wide information',
  usage: 'moor info [OPTIONS]',
  async run(ctx: CliContext, argv: string[]): Promise<number> {
    const flags = parseCommandFlags(FLAGS, argv);
    if (flagBool(flags, 'help')) {
      ctx.stdout.write(commandHelp(this.usage, this.summary, FLAGS));
      return 0;
    }
    const format = flagString(flags, 'format');
    const info = await ctx.client().json<SystemInfo>('GET', '/info');
    if (format !== undefined) {
      ctx.stdout.write(renderTemplate(format, info) + '\n');
      return 0;
    }
    ctx.stdout.write(
      `Client:\n Version:    ${MOOR_VERSION}\n Context:    default\n Debug Mode: ${ctx.debug}\n\nServer:\n`,
    );
    ctx.stdout.write(renderServerInfo(info));
    for (const warning of info.Warnings ?? []) ctx.stderr.write(warning + '\n');
    return 0;
  },
};

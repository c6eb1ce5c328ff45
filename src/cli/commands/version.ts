import type { SystemVersion } from '../../api-types/index.js';
import {
  API_VERSION,
  MOOR_VERSION,
  type FlagSpec,
  errorMessage,
  flagBool,
  flagString,
} from '../../core/index.js';
import { commandHelp, parseCommandFlags } from '../command-flags.js';
import type { Command, CliContext } from '../context.js';
import { renderTemplate } from '../go-template.js';

const FLAGS: FlagSpec[] = [
  { name: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' },
];

interface VersionView {
  Client: {
    Platform: { Name: string };
    Version: string;
    ApiVersion: string;
    DefaultAPIVersion: string;
    GoVersion: string;
    Os: string;
    Arch: string;
    Context: string;
  };
  Server: SystemVersion | null;
}

function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

function renderText(view: VersionView): string {
  const c = view.Client;
  const lines = [
    'Client:',
    ` Version:           ${c.Version}`,
    ` API version:       ${c.ApiVersion}`,
    ` Node version:      ${c.GoVersion}`,
    ` OS/Arch:           ${c.Os}/${c.Arch}`,
    ` Context:           ${c.Context}`,
  ];
  const s = view.Server;
  if (s) {
    lines.push('', `Server: ${s.Platform.Name}`);
    for (const component of s.Components) {
      const d = component.Details ?? {};
      lines.push(` ${component.Name}:`, `  Version:          ${component.Version}`);
      if (component.Name === 'Engine') {
        lines.push(
          `  API version:      ${s.ApiVersion} (minimum version ${s.MinAPIVersion})`,
          `  Go version:       ${s.GoVersion}`,
          `  Git commit:       ${s.GitCommit}`,
          `  Built:            ${s.BuildTime}`,
          `  OS/Arch:          ${s.Os}/${s.Arch}`,
          `  Experimental:     ${s.Experimental === true}`,
        );
      } else {
        for (const [k, v] of Object.entries(d)) lines.push(`  ${(k + ':').padEnd(18)}${v}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

export const versionCommand: Command = {
  name: 'version',
  summary: 'Show the moor version information',
  usage: 'moor version [OPTIONS]',
  async run(ctx: CliContext, argv: string[]): Promise<number> {
    const flags = parseCommandFlags(FLAGS, argv);
    if (flagBool(flags, 'help')) {
      ctx.stdout.write(commandHelp(this.usage, this.summary, FLAGS));
      return 0;
    }
    const client = ctx.client();
    const view: VersionView = {
      Client: {
        Platform: { Name: '' },
        Version: MOOR_VERSION,
        ApiVersion: API_VERSION,
        DefaultAPIVersion: API_VERSION,
        GoVersion: process.version,
        Os: 'linux',
        Arch: goArch(),
        Context: 'default',
      },
      Server: null,
    };
    // Like docker, print the client half even when the daemon cannot be reached.
    let failure: Error | undefined;
    try {
      view.Client.ApiVersion = await client.apiVersion();
      view.Server = await client.json<SystemVersion>('GET', '/version');
    } catch (err) {
      failure = err instanceof Error ? err : new Error(errorMessage(err));
    }
    const format = flagString(flags, 'format');
    ctx.stdout.write(format !== undefined ? renderTemplate(format, view) + '\n' : renderText(view));
    if (failure) throw failure;
    return 0;
  },
};

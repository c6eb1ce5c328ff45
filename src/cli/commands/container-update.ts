import type { ContainerUpdateRequest } from '../../api-types/index.js';
import { ApiError } from '../../client/index.js';
import type { FlagSpec, ParsedFlags } from '../../core/index.js';
import { flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { containerPath } from '../container-path.js';
import type { Command } from '../context.js';
import { errorText } from '../error-text.js';
import { numberOf } from '../run-option-checks.js';
import { parseGoInt, parseNanoCpus, parseRamBytes, parseRestartPolicy } from '../run-values.js';

const flag = (name: string, help: string, value: string, short?: string): FlagSpec => ({
  name,
  type: 'string',
  help,
  value,
  ...(short ? { short } : {}),
});

const FLAGS: FlagSpec[] = [
  flag(
    'blkio-weight',
    'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)',
    'uint16',
  ),
  flag('cpu-period', 'Limit CPU CFS (Completely Fair Scheduler) period', 'int'),
  flag('cpu-quota', 'Limit CPU CFS (Completely Fair Scheduler) quota', 'int'),
  flag('cpu-rt-period', 'Limit the CPU real-time period in microseconds', 'int'),
  flag('cpu-rt-runtime', 'Limit the CPU real-time runtime in microseconds', 'int'),
  flag('cpu-shares', 'CPU shares (relative weight)', 'int', 'c'),
  flag('cpus', 'Number of CPUs', 'decimal'),
  flag('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)', 'string'),
  flag('cpuset-mems', 'MEMs in which to allow execution (0-3, 0,1)', 'string'),
  flag('memory', 'Memory limit', 'bytes', 'm'),
  flag('memory-reservation', 'Memory soft limit', 'bytes'),
  flag('memory-swap', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap', 'bytes'),
  flag('pids-limit', 'Tune container pids limit (set -1 for unlimited)', 'int'),
  flag('restart', 'Restart policy to apply when a container exits', 'string'),
];

/** The update request of docker update's flags (unset ones are zero: unchanged). */
export function updateRequest(flags: ParsedFlags): ContainerUpdateRequest {
  const int = (name: string) => numberOf(flags, name, parseGoInt);
  const request: ContainerUpdateRequest = {
    BlkioWeight: int('blkio-weight'),
    CpuPeriod: int('cpu-period'),
    CpuQuota: int('cpu-quota'),
    CpuRealtimePeriod: int('cpu-rt-period'),
    CpuRealtimeRuntime: int('cpu-rt-runtime'),
    CpuShares: int('cpu-shares'),
    NanoCpus: numberOf(flags, 'cpus', parseNanoCpus),
    CpusetCpus: flagString(flags, 'cpuset-cpus') ?? '',
    CpusetMems: flagString(flags, 'cpuset-mems') ?? '',
    Memory: numberOf(flags, 'memory', parseRamBytes),
    MemoryReservation: numberOf(flags, 'memory-reservation', parseRamBytes),
    MemorySwap: numberOf(flags, 'memory-swap', (t) => (t === '-1' ? -1 : parseRamBytes(t))),
  };
  if (flags.given.has('pids-limit')) request.PidsLimit = int('pids-limit');
  const restart = flagString(flags, 'restart');
  if (restart !== undefined) request.RestartPolicy = parseRestartPolicy(restart);
  return request;
}

export const updateCommand: Command = {
  name: 'update',
  summary: 'Update configuration of one or more containers',
  usage: 'moor update [OPTIONS] CONTAINER [CONTAINER...]',
  aliases: ['container update', 'update'],
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    if (flags.given.size === 0) {
      ctx.stderr.write('you must provide one or more flags when using this command\n');
      return 1;
    }
    const request = updateRequest(flags);
    const errors: string[] = [];
    for (const name of flags.args) {
      try {
        await ctx.client().json('POST', containerPath(name, '/update'), { body: request });
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        errors.push(errorText(err, ctx.host));
      }
    }
    if (errors.length === 0) return 0;
    ctx.stderr.write(`${errors.join('\n')}\n`);
    return 1;
  },
};

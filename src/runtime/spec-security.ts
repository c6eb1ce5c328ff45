import type { Ulimit } from '../api-types/index.js';
import { invalidArgument } from '../core/index.js';
import { type OciNamespaceType, type OciRlimit, RLIM_INFINITY } from './oci-spec.js';
import { IPC_SYSCTLS, ULIMIT_TYPES } from './spec-defaults.js';

/** What `--security-opt` values ask for. */
export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** `apparmor=PROFILE`; applied only where the host has AppArmor. */
  appArmorProfile?: string;
  /** `seccomp=unconfined` or a profile's JSON (profiles are not applied yet). */
  seccompProfile?: string;
  /** `label=...` entries (SELinux; accepted, not applied). */
  labels: string[];
  /** `writable-cgroups[=bool]`: undefined means "as privileged". */
  writableCgroups?: boolean;
}

/** Go's strconv.ParseBool. */
function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/**
 * Parses HostConfig.SecurityOpt as dockerd does: `no-new-privileges[=bool]`, `apparmor=`,
 * `seccomp=`, `label=`, `writable-cgroups[=bool]`, `disable` (`:` works as a separator too).
 * Errors are Docker's: `invalid --security-opt 1: "x"` (no separator) and
 * `invalid --security-opt 2: "k=v"` (unknown key or bad boolean).
 */
export function parseSecurityOpts(
  opts: readonly string[],
  defaults: { noNewPrivileges?: boolean } = {},
): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: defaults.noNewPrivileges === true, labels: [] };
  for (const opt of opts) {
    if (opt === 'no-new-privileges') out.noNewPrivileges = true;
    else if (opt === 'writable-cgroups') out.writableCgroups = true;
    else if (opt === 'disable') out.labels.push('disable');
    else applyKeyValue(out, opt);
  }
  return out;
}

function applyKeyValue(out: SecurityOptions, opt: string): void {
  const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : undefined;
  if (sep === undefined) throw invalidArgument(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
  const at = opt.indexOf(sep);
  const key = opt.slice(0, at);
  const value = opt.slice(at + 1);
  const bad = () => invalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
  switch (key) {
    case 'label':
      out.labels.push(value);
      return;
    case 'apparmor':
      out.appArmorProfile = value;
      return;
    case 'seccomp':
      out.seccompProfile = value;
      return;
    case 'no-new-privileges': {
      const flag = parseGoBool(value);
      if (flag === undefined) throw bad();
      out.noNewPrivileges = flag;
      return;
    }
    case 'writable-cgroups': {
      const flag = parseGoBool(value);
      if (flag === undefined) throw bad();
      out.writableCgroups = flag;
      return;
    }
    default:
      throw bad();
  }
}

/**
 * Checks HostConfig.Sysctls against the namespaces the container gets, as runc does at create
 * (with runc's words): IPC sysctls need an IPC namespace, `net.*` a network namespace that is
 * not the host's, `kernel.domainname` a UTS namespace; anything else is not namespaced.
 */
export function validateSysctls(
  sysctls: Record<string, string>,
  namespaces: { own: ReadonlySet<OciNamespaceType>; hostNetwork: boolean },
): void {
  for (const name of Object.keys(sysctls)) {
    if (IPC_SYSCTLS.includes(name) || name.startsWith('fs.mqueue.')) {
      if (namespaces.own.has('ipc')) continue;
      throw invalidArgument(`sysctl "${name}" is not allowed in the hosts ipc namespace`);
    }
    if (name.startsWith('net.')) {
      if (!namespaces.hostNetwork) continue;
      throw invalidArgument(`sysctl "${name}" is not allowed in the hosts network namespace`);
    }
    if (namespaces.own.has('uts')) {
      if (name === 'kernel.domainname') continue;
      if (name === 'kernel.hostname') {
        throw invalidArgument(
          `sysctl "${name}" is not allowed as it conflicts with the OCI "hostname" field`,
        );
      }
    }
    throw invalidArgument(`sysctl "${name}" is not in a separate kernel namespace`);
  }
}

function rlimitValue(n: number): number | bigint {
  return n < 0 ? RLIM_INFINITY : n;
}

function asBigInt(n: number | bigint): bigint {
  return typeof n === 'bigint' ? n : BigInt(n);
}

/**
 * `process.rlimits` from HostConfig.Ulimits merged with the daemon's default ulimits (the
 * container's win). -1 means unlimited. A hard limit above the host's (`hostHard`, keyed by
 * `RLIMIT_*`) is refused: the kernel would refuse to raise it (EPERM) at start.
 */
export function buildRlimits(
  ulimits: readonly Ulimit[],
  defaults: readonly Ulimit[] = [],
  hostHard: Readonly<Record<string, number | bigint>> = {},
): OciRlimit[] {
  const names = new Set(ulimits.map((u) => u.Name));
  const all = [...ulimits, ...defaults.filter((u) => !names.has(u.Name))];
  return all.map((u) => {
    const type = ULIMIT_TYPES[u.Name];
    if (type === undefined) throw invalidArgument(`invalid ulimit type: ${u.Name}`);
    const soft = rlimitValue(u.Soft);
    const hard = rlimitValue(u.Hard);
    if (asBigInt(soft) > asBigInt(hard)) {
      throw invalidArgument(
        `ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`,
      );
    }
    const host = hostHard[type];
    if (host !== undefined && asBigInt(hard) > asBigInt(host)) {
      const shown = hard === RLIM_INFINITY ? 'unlimited' : String(hard);
      throw invalidArgument(
        `ulimit ${u.Name}: hard limit ${shown} is above the host's hard limit ${host} (raising it is not permitted)`,
      );
    }
    return { type, soft, hard };
  });
}

/** Docker's range check for HostConfig.OomScoreAdj. */
export function validateOomScoreAdj(score: number): void {
  if (score < -1000 || score > 1000) {
    throw invalidArgument(`Invalid value ${score}, range for oom score adj is [-1000, 1000]`);
  }
}

import { isMoorError } from '../core/index.js';
import { runHostCommand } from './host-command.js';

/*
 * iptables rules for bridge networks, each added once (`-C` checks before `-A`) and removed
 * with the network. Rules carry a comment naming the bridge, so they are recognisable.
 */

/** One rule: table, chain and match/target arguments. */
export interface IptablesRule {
  table: 'nat' | 'filter';
  chain: string;
  args: string[];
}

function iptables(args: string[]): Promise<string> {
  return runHostCommand('iptables', ['-w', ...args], { packageName: 'iptables' });
}

async function ruleExists(rule: IptablesRule): Promise<boolean> {
  try {
    await iptables(['-t', rule.table, '-C', rule.chain, ...rule.args]);
    return true;
  } catch (err) {
    // iptables -C exits 1 when the rule is not there.
    if (isMoorError(err, 'Internal')) return false;
    throw err;
  }
}

/**
 * The rules of a bridge network (pure): outbound NAT for its subnet unless internal; an
 * internal network drops what would leave its bridge.
 */
export function bridgeRules(options: {
  bridge: string;
  subnet: string;
  internal: boolean;
  masquerade: boolean;
}): IptablesRule[] {
  const comment = ['-m', 'comment', '--comment', `moor:${options.bridge}`];
  if (options.internal) {
    return [
      {
        table: 'filter',
        chain: 'FORWARD',
        args: ['-i', options.bridge, '!', '-o', options.bridge, ...comment, '-j', 'DROP'],
      },
      {
        table: 'filter',
        chain: 'FORWARD',
        args: ['!', '-i', options.bridge, '-o', options.bridge, ...comment, '-j', 'DROP'],
      },
    ];
  }
  // Isolation between bridge networks, as Docker's two stages: what leaves this bridge for
  // another goes to stage 2, where traffic into any moor bridge is dropped.
  const isolation: IptablesRule[] = [
    {
      table: 'filter',
      chain: ISOLATION_STAGE_1,
      args: ['-i', options.bridge, '!', '-o', options.bridge, ...comment, '-j', ISOLATION_STAGE_2],
    },
    {
      table: 'filter',
      chain: ISOLATION_STAGE_2,
      args: ['-o', options.bridge, ...comment, '-j', 'DROP'],
    },
  ];
  // Published ports reached on the host's loopback: the DNAT'ed packets leave with a 127/8
  // source, rewritten to the gateway's (the bridge also needs route_localnet).
  const loopback: IptablesRule = {
    table: 'nat',
    chain: 'POSTROUTING',
    args: ['-s', '127.0.0.0/8', '-o', options.bridge, ...comment, '-j', 'MASQUERADE'],
  };
  if (!options.masquerade) return [...isolation, loopback];
  return [
    ...isolation,
    loopback,
    {
      table: 'nat',
      chain: 'POSTROUTING',
      args: ['-s', options.subnet, '!', '-o', options.bridge, ...comment, '-j', 'MASQUERADE'],
    },
  ];
}

/**
 * The rules of one published port (pure): DNAT for traffic to the host's addresses, from
 * outside (PREROUTING) and from the host itself (OUTPUT), and the hairpin NAT for a container
 * reaching its own published port. The comment names the bridge and the container.
 */
export function portRules(options: {
  bridge: string;
  container: string;
  proto: string;
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}): IptablesRule[] {
  const comment = ['-m', 'comment', '--comment', `moor:${options.bridge} ${options.container}`];
  const to = `${options.containerIp}:${options.containerPort}`;
  const match = [
    '-p',
    options.proto,
    ...(options.hostIp && options.hostIp !== '0.0.0.0' ? ['-d', options.hostIp] : []),
    '-m',
    'addrtype',
    '--dst-type',
    'LOCAL',
    '-m',
    options.proto,
    '--dport',
    String(options.hostPort),
  ];
  return [
    {
      table: 'nat',
      chain: 'PREROUTING',
      args: [...match, ...comment, '-j', 'DNAT', '--to-destination', to],
    },
    {
      table: 'nat',
      chain: 'OUTPUT',
      args: [...match, ...comment, '-j', 'DNAT', '--to-destination', to],
    },
    {
      table: 'nat',
      chain: 'POSTROUTING',
      args: [
        ...['-p', options.proto, '-s', options.containerIp, '-d', options.containerIp],
        ...['-m', options.proto, '--dport', String(options.containerPort)],
        ...comment,
        '-j',
        'MASQUERADE',
      ],
    },
  ];
}

export const ISOLATION_STAGE_1 = 'MOOR-ISOLATION-STAGE-1';
export const ISOLATION_STAGE_2 = 'MOOR-ISOLATION-STAGE-2';

async function chainExists(table: string, chain: string): Promise<boolean> {
  try {
    await iptables(['-t', table, '-S', chain]);
    return true;
  } catch (err) {
    if (isMoorError(err, 'Internal')) return false;
    throw err;
  }
}

/** The isolation chains and FORWARD's jump into the first (made once, kept). */
export async function ensureIsolationChains(): Promise<void> {
  for (const chain of [ISOLATION_STAGE_1, ISOLATION_STAGE_2]) {
    if (!(await chainExists('filter', chain))) await iptables(['-t', 'filter', '-N', chain]);
  }
  await addRules([{ table: 'filter', chain: 'FORWARD', args: ['-j', ISOLATION_STAGE_1] }]);
}

export async function addRules(rules: readonly IptablesRule[]): Promise<void> {
  for (const rule of rules) {
    if (await ruleExists(rule)) continue;
    // Drops go first in FORWARD; the isolation chains and NAT append.
    const insert = rule.chain === 'FORWARD' ? ['-I', rule.chain] : ['-A', rule.chain];
    await iptables(['-t', rule.table, ...insert, ...rule.args]);
  }
}

export async function removeRules(rules: readonly IptablesRule[]): Promise<void> {
  for (const rule of rules) {
    while (await ruleExists(rule)) {
      await iptables(['-t', rule.table, '-D', rule.chain, ...rule.args]);
    }
  }
}

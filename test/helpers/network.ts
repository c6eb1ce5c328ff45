import { get } from 'node:http';

import { ISOLATION_STAGE_1, ISOLATION_STAGE_2 } from '../../src/sys/nat.js';
import { run } from './run.js';

/** The iptables rules (as `-A ...` lines) that carry moor's comment for one of `bridges`. */
async function rulesFor(table: string, bridges: readonly string[]): Promise<string[]> {
  const listed = await run('iptables', ['-w', '-t', table, '-S']);
  return listed.stdout
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('-A ') &&
        bridges.some((b) => l.includes(`moor:${b}"`) || l.includes(`moor:${b} `)),
    );
}

/**
 * Removes what a test's networks left on the host, even when the daemon is gone: the bridges
 * and the iptables rules moor tagged with their names.
 */
export async function removeBridgeLeftovers(bridges: readonly string[]): Promise<void> {
  for (const table of ['nat', 'filter']) {
    for (const rule of await rulesFor(table, bridges)) {
      const args = rule.replace(/^-A /, '-D ').match(/"[^"]*"|\S+/g) ?? [];
      await run('iptables', ['-w', '-t', table, ...args.map((a) => a.replace(/^"|"$/g, ''))]);
    }
  }
  for (const bridge of bridges) await run('ip', ['link', 'del', bridge]);
}

const ISOLATION_CHAINS = [ISOLATION_STAGE_1, ISOLATION_STAGE_2];

/**
 * Removes moord's isolation chains (and FORWARD's jump to them) when no rule is left in them:
 * moords share them, and keep them when they stop, as dockerd keeps Docker's. Run once all
 * test daemons are gone (after the test run), so that none is between making them and
 * adding its rules.
 */
export async function removeEmptyIsolationChains(): Promise<void> {
  const listed = (await run('iptables', ['-w', '-S'])).stdout.split('\n');
  const inUse = listed.some((l) => ISOLATION_CHAINS.some((c) => l.startsWith(`-A ${c} `)));
  if (inUse || !listed.includes(`-N ${ISOLATION_STAGE_1}`)) return;
  await run('iptables', ['-w', '-D', 'FORWARD', '-j', ISOLATION_STAGE_1]);
  for (const chain of ISOLATION_CHAINS) await run('iptables', ['-w', '-X', chain]);
}

/** Bridges and tagged rules of `bridges` still on the host (for assertions). */
export async function bridgeLeftovers(bridges: readonly string[]): Promise<string[]> {
  const links = (await run('ip', ['-br', 'link'])).stdout
    .split('\n')
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((name) => bridges.includes(name));
  return [...links, ...(await rulesFor('nat', bridges)), ...(await rulesFor('filter', bridges))];
}

/** The body of a GET on loopback, or undefined when nothing answers (within a second). */
export function httpGet(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

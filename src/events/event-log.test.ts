import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { eventMatches } from './event-filters.js';
import { openEventLog } from './event-log.js';
import type { EventInput, EventRecord } from './event-record.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const container = (
  action: string,
  name: string,
  extra: Record<string, string> = {},
): EventInput => ({
  type: 'container',
  action,
  actor: { id: `${name}-id`, attributes: { image: 'busybox:1', name, ...extra } },
});

async function collect(events: AsyncIterable<EventRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of events) out.push(`${e.action} ${e.actor.attributes['name'] ?? e.actor.id}`);
  return out;
}

test('replay since, live events after, until ends the stream; kept across a reopen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moor-events-'));
  dirs.push(dir);
  let clock = 1_000n;
  const path = join(dir, 'events.jsonl');
  const log = await openEventLog(path, () => clock);
  log.publish(container('create', 'a'));
  clock = 2_000n;
  log.publish(container('start', 'a'));
  const controller = new AbortController();
  const live = collect(
    log.subscribe({
      sinceNano: 1_500n,
      untilNano: 3_000n,
      accept: () => true,
      signal: controller.signal,
    }),
  );
  clock = 2_500n;
  log.publish(container('die', 'a', { exitCode: '0' }));
  clock = 3_500n;
  log.publish(container('destroy', 'a'));
  assert.deepEqual(await live, ['start a', 'die a']);
  await log.flush();
  // A torn last line (a crash while appending) is skipped; the rest replays after a restart.
  await appendFile(path, '{"type":"contai');
  const reopened = await openEventLog(path, () => 4_000n);
  const past = await collect(
    reopened.subscribe({
      sinceNano: 0n,
      untilNano: 3_999n,
      accept: () => true,
      signal: controller.signal,
    }),
  );
  assert.deepEqual(past, ['create a', 'start a', 'die a', 'destroy a']);
  await log.close();
  await reopened.close();
});

test('appends go on after the file is compacted; after close nothing is written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moor-events-'));
  dirs.push(dir);
  const path = join(dir, 'events.jsonl');
  let clock = 1n;
  const log = await openEventLog(path, () => clock++);
  // Past the 1000 kept events the file is rewritten (compacted) and appended to again.
  for (let i = 0; i < 1003; i++) {
    log.publish(container('start', `c${i}`));
    await log.flush();
  }
  log.publish(container('start', 'last'));
  await log.close();
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  // Compacted at the 1001st event to the last 1000 (c1 on), then three appends.
  assert.equal(lines.length, 1003);
  assert.match(lines[0] ?? '', /"id":"c1-id"/);
  assert.match(lines.at(-1) ?? '', /"id":"last-id"/);
  log.publish(container('start', 'after-close'));
  await log.flush();
  assert.doesNotMatch(await readFile(path, 'utf8'), /after-close/);
});

test('filters: OR within a key, AND across keys; names by prefix; images with or without tag', () => {
  const at = (input: EventInput): EventRecord => ({ ...input, timeNano: 1n });
  const start = at(container('start', 'web', { team: 'a' }));
  const exec = at(container('exec_create: sh -c true', 'web'));
  const network = at({
    type: 'network',
    action: 'connect',
    actor: { id: 'n1', attributes: { name: 'front', container: 'web-id' } },
  });
  assert.equal(eventMatches({ type: ['container', 'network'] }, network), true);
  assert.equal(eventMatches({ type: ['container'], event: ['start'] }, start), true);
  assert.equal(eventMatches({ type: ['container'], event: ['die'] }, start), false);
  assert.equal(eventMatches({ event: ['exec_create'] }, exec), true);
  assert.equal(eventMatches({ container: ['we'] }, start), true);
  assert.equal(eventMatches({ container: ['db', 'web'] }, start), true);
  assert.equal(eventMatches({ container: ['web'] }, network), false);
  assert.equal(eventMatches({ network: ['front'] }, network), true);
  assert.equal(eventMatches({ image: ['busybox'] }, start), true);
  assert.equal(eventMatches({ image: ['busybox:1'] }, start), true);
  assert.equal(eventMatches({ image: ['alpine'] }, start), false);
  assert.equal(eventMatches({ label: ['team=a'] }, start), true);
  assert.equal(eventMatches({ label: ['team=b'] }, start), false);
});

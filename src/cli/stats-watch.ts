/**
 * The containers `moor stats` watches and their latest figures, kept as docker's CLI keeps
 * them (cli/command/container/stats.go, stats_helpers.go): one stats request per container
 * (`stream=1`, or `stream=0` for one sample that already holds the previous CPU figures), a
 * container that sends nothing for two seconds shown as `--`, and without names the daemon's
 * containers followed through its events.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { ContainerSummary } from '../api-types/index.js';
import { ApiError, type ApiClient } from '../client/index.js';
import { containerPath } from './container-path.js';
import { jsonValues } from './json-stream.js';
import {
  type StatsDocument,
  type StatsEntry,
  emptyEntry,
  invalidEntry,
  statsEntry,
} from './stats-format.js';

/** docker's wait for a container's next sample before its figures are dropped. */
const SAMPLE_TIMEOUT_MS = 2000;

/** One watched container: its latest figures and the error of its stats request, if any. */
export interface StatsSlot {
  readonly container: string;
  entry: StatsEntry;
  error: unknown;
}

export interface StatsSet {
  /** The watched containers, in the order they were added. */
  readonly slots: readonly StatsSlot[];
  /** Starts watching a container (by name or id); false when it already is watched. */
  add(container: string): boolean;
  /** Stops watching a container (as it was added); nothing if it is not watched. */
  remove(container: string): void;
  /**
   * Resolves when every container added so far, including any added meanwhile, has its first
   * sample, an error, or went two seconds without a sample. Never rejects.
   */
  waitFirst(): Promise<void>;
}

export interface WatchOptions {
  /** `stream=1`: samples every second until the signal fires; else one sample each. */
  stream: boolean;
  /** Ends every request. */
  signal: AbortSignal;
  /** How long a container may go without a sample (docker: two seconds). */
  timeoutMs?: number;
}

/**
 * Reads one container's stats into its slot (docker's collect). Resolves at the first sample,
 * error or timeout; the reading goes on in the background until the stream ends or `signal`
 * fires, and never rejects.
 */
function collect(client: ApiClient, slot: StatsSlot, options: WatchOptions): Promise<void> {
  const { stream, signal } = options;
  let release = (): void => undefined;
  const first = new Promise<void>((resolve) => (release = resolve));
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      slot.entry = invalidEntry(slot.entry);
      slot.error = new Error('timeout waiting for stats');
      release();
      if (stream) arm();
      else stop.abort();
    }, options.timeoutMs ?? SAMPLE_TIMEOUT_MS);
  };
  const read = async () => {
    arm();
    try {
      const res = await client.stream('GET', containerPath(slot.container, '/stats'), {
        query: { stream: stream ? '1' : '0' },
        signal: AbortSignal.any([signal, stop.signal]),
      });
      for await (const doc of jsonValues(res)) {
        slot.entry = statsEntry(slot.container, doc as StatsDocument);
        slot.error = undefined;
        release();
        if (!stream) return;
        arm();
      }
      // The daemon ended the stream: what was shown is no longer current.
      slot.entry = { ...slot.entry, invalid: true };
      slot.error = new Error('EOF');
    } catch (err) {
      if (signal.aborted || stop.signal.aborted) return;
      slot.entry = { ...slot.entry, invalid: true };
      slot.error = err;
    } finally {
      clearTimeout(timer);
      release();
    }
  };
  void read();
  return first;
}

/** A set of watched containers whose requests all end with `options.signal`. */
export function createStatsSet(client: ApiClient, options: WatchOptions): StatsSet {
  const slots: StatsSlot[] = [];
  const stops = new Map<StatsSlot, AbortController>();
  const pending = new Set<Promise<void>>();
  return {
    slots,
    add(container) {
      if (slots.some((s) => s.container === container)) return false;
      const slot: StatsSlot = { container, entry: emptyEntry(container), error: undefined };
      const stop = new AbortController();
      slots.push(slot);
      stops.set(slot, stop);
      const signal = AbortSignal.any([options.signal, stop.signal]);
      const first = collect(client, slot, { ...options, signal });
      pending.add(first);
      void first.then(() => pending.delete(first));
      return true;
    },
    remove(container) {
      const i = slots.findIndex((s) => s.container === container);
      const slot = slots[i];
      if (slot === undefined) return;
      slots.splice(i, 1);
      stops.get(slot)?.abort();
      stops.delete(slot);
    },
    async waitFirst() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** docker's key for a container found in the list or an event: its id's first 12 characters. */
function shortId(id: string): string {
  return id.slice(0, 12);
}

/** What an event is about, from the current or the legacy fields. */
interface ContainerEvent {
  Action?: string;
  status?: string;
  Actor?: { ID?: string };
  id?: string;
}

export interface FollowOptions {
  /** `-a`: created containers join too, and stopped ones stay. */
  all: boolean;
  signal: AbortSignal;
  /** How often the list is asked for when the daemon has no events (a second). */
  pollMs?: number;
}

/**
 * Keeps `set` to the daemon's containers as docker stats without names does: subscribes to
 * container events first (so nothing created meanwhile is missed), then adds the listed
 * containers (`-a`: all of them). Started containers join (`-a`: created ones too); without
 * `-a`, those that die leave. Resolves once the initial list is in; `ended` settles when
 * following stops, with the error that stopped it (undefined when the stream just ended).
 */
export async function followContainers(
  client: ApiClient,
  set: StatsSet,
  options: FollowOptions,
): Promise<{ ended: Promise<Error | undefined> }> {
  const { all, signal } = options;
  let events: AsyncIterable<Buffer> | undefined;
  try {
    events = await client.stream('GET', '/events', {
      query: { filters: JSON.stringify({ type: { container: true } }) },
      signal,
    });
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
  }
  const list = async () => {
    const query = { all: all ? '1' : undefined };
    return client.json<ContainerSummary[]>('GET', '/containers/json', { query, signal });
  };
  for (const c of await list()) set.add(shortId(c.Id));
  if (events !== undefined) return { ended: watchEvents(events, set, all) };
  // A daemon without GET /events (moord before it had one): the list, asked every second,
  // tells the same — containers that appear join, and without -a those gone from it leave.
  const poll = async (): Promise<never> => {
    for (;;) {
      await sleep(options.pollMs ?? 1000, undefined, { signal });
      const ids = new Set((await list()).map((c) => shortId(c.Id)));
      for (const id of ids) set.add(id);
      if (all) continue;
      for (const slot of [...set.slots]) if (!ids.has(slot.container)) set.remove(slot.container);
    }
  };
  return { ended: poll().catch((err: unknown) => (signal.aborted ? undefined : asError(err))) };
}

async function watchEvents(
  events: AsyncIterable<Buffer>,
  set: StatsSet,
  all: boolean,
): Promise<Error | undefined> {
  try {
    for await (const value of jsonValues(events)) {
      const event = value as ContainerEvent;
      const id = shortId(event.Actor?.ID ?? event.id ?? '');
      const action = event.Action ?? event.status;
      if (id === '') continue;
      if (action === 'start' || (all && action === 'create')) set.add(id);
      else if (action === 'die' && !all) set.remove(id);
    }
    return undefined;
  } catch (err) {
    return (err as { name?: string }).name === 'AbortError' ? undefined : asError(err);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

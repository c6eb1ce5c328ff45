/** What Docker's events are about. */
export type EventType =
  | 'container'
  | 'image'
  | 'network'
  | 'volume'
  | 'daemon'
  | 'plugin'
  | 'service'
  | 'node'
  | 'secret'
  | 'config';

/** One event (Docker's events.Message, camelCase until the wire). */
export interface EventRecord {
  type: EventType;
  action: string;
  actor: { id: string; attributes: Record<string, string> };
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
}

/** What a service says happened; the log stamps the time. */
export type EventInput = Omit<EventRecord, 'timeNano'>;

/** Publishes events; services get this (never the whole log). */
export type PublishEvent = (event: EventInput) => void;

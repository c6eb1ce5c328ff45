export type { EventInput, EventRecord, EventType, PublishEvent } from './event-record.js';
export { checkEventFilters, eventMatches } from './event-filters.js';
export { type EventLog, type EventSubscription, openEventLog } from './event-log.js';

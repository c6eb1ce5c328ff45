export * from './errors.js';
export * from './logger.js';
export * from './atomic-write.js';
export * from './mutex.js';
export * from './flags.js';
export * from './host-address.js';
export { MOOR_VERSION, API_VERSION, MIN_API_VERSION } from './version.js';
export { goDuration, humanDuration } from './human-duration.js';

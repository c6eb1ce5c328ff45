export { main } from './main.js';
export { startDaemon } from './daemon.js';
export type { RunningDaemon } from './daemon.js';
export type { DaemonConfig } from './config.js';

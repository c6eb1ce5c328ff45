export * from './cgroups.js';
export * from './groups.js';
export * from './host.js';
export * from './mounts.js';
export * from './instance-lock.js';

export type * from './images.js';
export type * from './system.js';
export type * from './containers.js';
export type * from './networks.js';
export type * from './volumes.js';

export type * from './images.js';
export type * from './system.js';

export type * from './system.js';

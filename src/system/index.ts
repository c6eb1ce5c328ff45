export * from './engine-id.js';
export * from './system-service.js';

export * from './api-client.js';
export * from './hijack.js';
export * from './stdcopy.js';

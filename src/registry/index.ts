export { registryMain, serveRegistry } from './main.js';
export { createRegistryHandler } from './registry-server.js';
export type { RegistryHandler } from './registry-server.js';
export { openRegistryStorage } from './registry-storage.js';
export type { RegistryStorage } from './registry-storage.js';
export { collectGarbage } from './registry-gc.js';

export { createBuildService } from './build-service.js';
export type { BuildService, BuildServiceOptions } from './build-service.js';
export { BuildStepError } from './build-options.js';
export type { BuildOptions } from './build-options.js';
export type { BuildCacheUsage } from './cache-prune.js';

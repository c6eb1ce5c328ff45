export { createBuildService } from './build-service.js';
export type { BuildService, BuildServiceOptions } from './build-service.js';
export { BuildStepError } from './build-options.js';
export type { BuildOptions } from './build-options.js';
export type { BuildCacheUsage } from './cache-prune.js';
export { openBuildContext } from './build-context.js';
export type { BuildContext, OpenBuildContextOptions } from './build-context.js';
export { fetchUrlSource, UNNAMED_DOWNLOAD } from './url-source.js';
export type { UrlSource } from './url-source.js';

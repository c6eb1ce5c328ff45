export { createApiHandler, sendError, sendJson } from './server.js';
export type { ApiOptions } from './server.js';
export type { Handler, Reply, RequestContext, Route } from './router.js';
export { statusFromError } from './http-status.js';
export { splitVersionedPath, compareApiVersions } from './version.js';
export { systemRoutes } from './routes/system.js';
export type { SystemBackend } from './routes/system.js';
export { imageRoutes } from './routes/images.js';
export type { ImagesBackend } from './routes/images.js';

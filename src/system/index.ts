export * from './engine-id.js';
export * from './system-service.js';
export { type DataUsage, type DataUsageKind, dataUsage } from './data-usage.js';
export { type StoreCheckParts, type StoreLeftovers, checkStore } from './store-check.js';
export { type ToolVersion, parseRuncVersion, parseTiniVersion } from './tool-versions.js';

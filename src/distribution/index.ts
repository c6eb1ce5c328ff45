export { createDistributionService, isInsecureRegistry } from './distribution-service.js';
export type { DistributionService } from './distribution-service.js';
export type { RegistryAuth } from './registry-client.js';

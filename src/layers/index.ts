export {
  chainIdOf,
  openLayerStore,
  type Layer,
  type LayerStore,
  type RegisterOptions,
  type StorageDriver,
} from './layer-store.js';
export { STORAGE_DRIVERS } from './drivers.js';
export { isAcceptedXattr } from './apply-entry.js';
export { OPAQUE_XATTR } from './tree-ops.js';

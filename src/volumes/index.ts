export { ANONYMOUS_LABEL, type VolumeRecord, isAnonymous } from './volume-record.js';
export { isValidVolumeName, validateVolumeName } from './volume-names.js';
export { type VolumeStore, openVolumeStore, volumeTime } from './volume-store.js';
export * from './volume-service.js';

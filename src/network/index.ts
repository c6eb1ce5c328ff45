export * from './ipam.js';
export type { NetworkDriver, NetworkRecord } from './network-record.js';
export { type NetworkStore, openNetworkStore } from './network-store.js';
export * from './network-service.js';
export * from './attachments.js';
export * from './bridge-driver.js';
export * from './port-bindings.js';
export * from './macvlan-driver.js';
export * from './default-bridge.js';

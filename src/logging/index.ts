export type { LogEntry, LogStream } from './log-entry.js';
export { apiTimestampToTime, normalizeTime, secondsToTime } from './log-time.js';
export { parseK8sLine } from './k8s-line.js';
export type { K8sLine } from './k8s-line.js';
export { goJsonString } from './go-json.js';
export type { JsonEscapeStyle } from './go-json.js';
export {
  DEFAULT_LOG_OPTS,
  DEFAULT_MAX_FILES,
  DEFAULT_MAX_SIZE,
  LOG_DRIVERS,
  mergeLogConfig,
  parseLogSize,
  validateLogConfig,
} from './log-options.js';
export type { LogConfigWire, LogDriverType, LogSettings } from './log-options.js';
export type { LogContainerInfo } from './log-attributes.js';
export { logPathOf, openLogDriver, readContainerLogs } from './log-driver.js';
export type { LogDriver, OpenLogDriverOptions, ReadLogsOptions } from './log-driver.js';
export type { LogReadOptions } from './log-reader.js';
export { isBufferedIterator } from './batch-iterator.js';
export type { BufferedIterator } from './batch-iterator.js';
export { DEFAULT_ROTATE_SOURCE_ABOVE, createLogPump } from './log-pump.js';
export type { LogPump, LogPumpOptions } from './log-pump.js';

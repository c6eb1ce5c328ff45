import type { Command } from '../context.js';
import { infoCommand } from './info.js';
import { versionCommand } from './version.js';

/** Every top-level command, by name (aliases map to the same command). */
export const COMMANDS = new Map<string, Command>([
  ['version', versionCommand],
  ['info', infoCommand],
  ['system info', infoCommand],
]);

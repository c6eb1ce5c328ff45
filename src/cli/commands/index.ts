import type { Command } from '../context.js';
import { bootstrapCommand } from './bootstrap.js';
import { historyCommand, imageHistoryCommand } from './image-history.js';
import { imageImportCommand, importCommand } from './image-import.js';
import { imageInspectCommand, inspectCommand } from './image-inspect.js';
import { imageListCommand, imagesCommand } from './image-list.js';
import { imageLoadCommand, loadCommand } from './image-load.js';
import { imagePruneCommand } from './image-prune.js';
import { imageRemoveCommand, rmiCommand } from './image-remove.js';
import { imageSaveCommand, saveCommand } from './image-save.js';
import { imageTagCommand, tagCommand } from './image-tag.js';
import { infoCommand } from './info.js';
import { versionCommand } from './version.js';

/**
 * Every command, by name; aliases map to the same command. A two-word key (`image ls`) is a
 * subcommand of a group (`image`, `container`, `system`), which main.ts routes.
 */
export const COMMANDS = new Map<string, Command>([
  ['version', versionCommand],
  ['info', infoCommand],
  ['system info', infoCommand],
  ['bootstrap', bootstrapCommand],
  ['images', imagesCommand],
  ['image ls', imageListCommand],
  ['image list', imageListCommand],
  ['inspect', inspectCommand],
  ['image inspect', imageInspectCommand],
  ['history', historyCommand],
  ['image history', imageHistoryCommand],
  ['tag', tagCommand],
  ['image tag', imageTagCommand],
  ['rmi', rmiCommand],
  ['image rm', imageRemoveCommand],
  ['image remove', imageRemoveCommand],
  ['image rmi', imageRemoveCommand],
  ['import', importCommand],
  ['image import', imageImportCommand],
  ['save', saveCommand],
  ['image save', imageSaveCommand],
  ['load', loadCommand],
  ['image load', imageLoadCommand],
  ['image prune', imagePruneCommand],
]);

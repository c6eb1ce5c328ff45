import { type Command, aliasCommand } from '../context.js';
import { bootstrapCommand } from './bootstrap.js';
import { historyCommand } from './image-history.js';
import { importCommand } from './image-import.js';
import { imageInspectCommand, inspectCommand } from './image-inspect.js';
import { imagesCommand } from './image-list.js';
import { loadCommand } from './image-load.js';
import { imagePruneCommand } from './image-prune.js';
import { rmiCommand } from './image-remove.js';
import { saveCommand } from './image-save.js';
import { tagCommand } from './image-tag.js';
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
  ['image ls', aliasCommand(imagesCommand, 'image ls')],
  ['image list', aliasCommand(imagesCommand, 'image list')],
  ['inspect', inspectCommand],
  ['image inspect', imageInspectCommand],
  ['history', historyCommand],
  ['image history', aliasCommand(historyCommand, 'image history')],
  ['tag', tagCommand],
  ['image tag', aliasCommand(tagCommand, 'image tag')],
  ['rmi', rmiCommand],
  ['image rm', aliasCommand(rmiCommand, 'image rm')],
  ['image remove', aliasCommand(rmiCommand, 'image remove')],
  ['image rmi', aliasCommand(rmiCommand, 'image rmi')],
  ['import', importCommand],
  ['image import', aliasCommand(importCommand, 'image import')],
  ['save', saveCommand],
  ['image save', aliasCommand(saveCommand, 'image save')],
  ['load', loadCommand],
  ['image load', aliasCommand(loadCommand, 'image load')],
  ['image prune', imagePruneCommand],
]);

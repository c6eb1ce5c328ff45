import { type Command, aliasCommand } from '../context.js';
import { bootstrapCommand } from './bootstrap.js';
import { attachCommand } from './container-attach.js';
import { cpCommand } from './container-cp.js';
import { createCommand } from './container-create.js';
import { diffCommand } from './container-diff.js';
import { execCommand } from './container-exec.js';
import { exportCommand } from './container-export.js';
import { containerInspectCommand } from './container-inspect.js';
import { killCommand } from './container-kill.js';
import { psCommand } from './container-list.js';
import { logsCommand } from './container-logs.js';
import { pauseCommand, unpauseCommand } from './container-pause.js';
import { containerPruneCommand } from './container-prune.js';
import { rmCommand } from './container-remove.js';
import { renameCommand } from './container-rename.js';
import { runCommand } from './container-run.js';
import { startCommand } from './container-start.js';
import { restartCommand, stopCommand } from './container-stop.js';
import { topCommand } from './container-top.js';
import { waitCommand } from './container-wait.js';
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
  ...containerCommands(),
]);

/** The container verbs: top-level (`moor run`) and under `moor container`, as docker has them. */
function containerCommands(): [string, Command][] {
  const verbs: [Command, ...string[]][] = [
    [runCommand],
    [createCommand],
    [startCommand],
    [stopCommand],
    [restartCommand],
    [killCommand],
    [pauseCommand],
    [unpauseCommand],
    [waitCommand],
    [renameCommand],
    [rmCommand, 'remove'],
    [psCommand, 'ls', 'list'],
    [topCommand],
    [logsCommand],
    [attachCommand],
    [execCommand],
    [cpCommand],
    [diffCommand],
    [exportCommand],
  ];
  const entries: [string, Command][] = [];
  for (const [command, ...aliases] of verbs) {
    entries.push([command.name, command]);
    for (const alias of [command.name, ...aliases]) {
      const name = `container ${alias}`;
      entries.push([name, aliasCommand(command, name)]);
    }
  }
  entries.push(['container inspect', containerInspectCommand]);
  entries.push(['container prune', containerPruneCommand]);
  return entries;
}

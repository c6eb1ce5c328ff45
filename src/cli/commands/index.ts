import { type Command, aliasCommand } from '../context.js';
import { bootstrapCommand } from './bootstrap.js';
import {
  loginCommand,
  logoutCommand,
  pullCommand,
  pushCommand,
  searchCommand,
} from './registry.js';
import { buildCommand } from './build.js';
import { builderPruneCommand } from './builder-prune.js';
import { attachCommand } from './container-attach.js';
import { commitCommand } from './container-commit.js';
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
import { eventsCommand } from './events.js';
import { systemCheckCommand, systemDfCommand, systemPruneCommand } from './system.js';
import { updateCommand } from './container-update.js';
import { runCommand } from './container-run.js';
import { startCommand } from './container-start.js';
import { statsCommand } from './container-stats.js';
import { restartCommand, stopCommand } from './container-stop.js';
import { portCommand } from './container-port.js';
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
import {
  networkConnectCommand,
  networkCreateCommand,
  networkDisconnectCommand,
  networkInspectCommand,
  networkLsCommand,
  networkPruneCommand,
  networkRmCommand,
} from './network.js';
import {
  volumeCreateCommand,
  volumeInspectCommand,
  volumeLsCommand,
  volumePruneCommand,
  volumeRmCommand,
} from './volume.js';
import { versionCommand } from './version.js';

/**
 * A top-level command and its names under a group (`images`, `image ls`, `image list`): every
 * entry knows the whole list, for its help's "Aliases", in docker's order.
 */
function family(command: Command, group: string, subs: readonly string[]): [string, Command][] {
  const aliases = [...subs.map((sub) => `${group} ${sub}`), command.name];
  const top = { ...command, aliases };
  return [
    [command.name, top],
    ...subs.map((sub): [string, Command] => [
      `${group} ${sub}`,
      aliasCommand(top, `${group} ${sub}`),
    ]),
  ];
}

const RMI_ALIASES = ['image rm', 'image remove', 'rmi'];
const BUILD_ALIASES = ['image build', 'build', 'builder build'];
const build = { ...buildCommand, aliases: BUILD_ALIASES };

/**
 * Every command, by name; aliases map to the same command. A two-word key (`image ls`) is a
 * subcommand of a group (`image`, `container`, `system`), which main.ts routes.
 */
export const COMMANDS = new Map<string, Command>([
  ['version', versionCommand],
  ...family(infoCommand, 'system', ['info']),
  ['bootstrap', bootstrapCommand],
  ...family(eventsCommand, 'system', ['events']),
  ['system df', systemDfCommand],
  ['system prune', systemPruneCommand],
  ['system check', systemCheckCommand],
  ...family(imagesCommand, 'image', ['ls', 'list']),
  ['inspect', inspectCommand],
  ['image inspect', imageInspectCommand],
  ...family(historyCommand, 'image', ['history']),
  ...family(tagCommand, 'image', ['tag']),
  // `image rmi` works too, though docker's help does not list it.
  ...family(rmiCommand, 'image', ['rm', 'remove', 'rmi']).map(
    ([name, command]): [string, Command] => [name, { ...command, aliases: RMI_ALIASES }],
  ),
  ...family(importCommand, 'image', ['import']),
  ...family(saveCommand, 'image', ['save']),
  ...family(loadCommand, 'image', ['load']),
  ['image prune', imagePruneCommand],
  ...family(pullCommand, 'image', ['pull']),
  ...family(pushCommand, 'image', ['push']),
  ['login', loginCommand],
  ['logout', logoutCommand],
  ['search', searchCommand],
  ['build', build],
  ['image build', aliasCommand(build, 'image build')],
  ['builder build', aliasCommand(build, 'builder build')],
  ['builder prune', builderPruneCommand],
  ...containerCommands(),
  ['network ls', networkLsCommand],
  ['network list', aliasCommand(networkLsCommand, 'network list')],
  ['network inspect', networkInspectCommand],
  ['network create', networkCreateCommand],
  ['network rm', networkRmCommand],
  ['network remove', aliasCommand(networkRmCommand, 'network remove')],
  ['network prune', networkPruneCommand],
  ['network connect', networkConnectCommand],
  ['network disconnect', networkDisconnectCommand],
  // docker names an alias's command by its first name (`'docker volume ls' accepts no ...`).
  ['volume ls', volumeLsCommand],
  ['volume list', volumeLsCommand],
  ['volume inspect', volumeInspectCommand],
  ['volume create', volumeCreateCommand],
  ['volume rm', volumeRmCommand],
  ['volume remove', volumeRmCommand],
  ['volume prune', volumePruneCommand],
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
    [updateCommand],
    [rmCommand, 'rm', 'remove'],
    [psCommand, 'ls', 'list', 'ps'],
    [topCommand],
    [statsCommand],
    [portCommand],
    [logsCommand],
    [attachCommand],
    [execCommand],
    [cpCommand],
    [diffCommand],
    [exportCommand],
    [commitCommand],
  ];
  const entries = verbs.flatMap(([command, ...subs]) =>
    family(command, 'container', subs.length > 0 ? subs : [command.name]),
  );
  entries.push(['container inspect', containerInspectCommand]);
  entries.push(['container prune', containerPruneCommand]);
  return entries;
}

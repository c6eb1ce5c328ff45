import {
  type LogLevel,
  MOOR_VERSION,
  createLogger,
  errorMessage,
  flagBool,
  flagString,
  formatFlagHelp,
  isLogLevel,
  parseFlags,
} from '../core/index.js';
import {
  COMMAND_FLAGS,
  DAEMON_FLAGS,
  DEFAULT_CONFIG_FILE,
  mergeConfig,
  readConfigFile,
} from './config.js';
import { startDaemon } from './daemon.js';

const USAGE = `Usage:	moord [OPTIONS]

A self-sufficient runtime for containers, serving the Docker Engine API.

Options:
${formatFlagHelp([...DAEMON_FLAGS, ...COMMAND_FLAGS])}
`;

/** moord's entry point: flags → config → daemon, then signals until it is told to stop. */
export async function main(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseFlags([...DAEMON_FLAGS, ...COMMAND_FLAGS], argv);
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\nSee 'moord --help'.\n`);
    return 125;
  }
  if (flagBool(flags, 'help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (flagBool(flags, 'version')) {
    process.stdout.write(`moord version ${MOOR_VERSION}\n`);
    return 0;
  }
  if (flags.args.length > 0) {
    process.stderr.write(
      `moord does not take positional arguments: ${flags.args.join(' ')}\nSee 'moord --help'.\n`,
    );
    return 125;
  }
  const configPath = flagString(flags, 'config-file') ?? DEFAULT_CONFIG_FILE;
  const logger = createLogger('info');
  let daemon;
  try {
    const file = await readConfigFile(configPath, flags.given.has('config-file'));
    const config = mergeConfig(flags, file);
    logger.level = config.logLevel;
    daemon = await startDaemon(config, logger);
  } catch (err) {
    process.stderr.write(`failed to start daemon: ${errorMessage(err)}\n`);
    return 1;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('Processing signal', { signal });
      daemon.stop().then(
        () => {
          logger.info('Daemon shutdown complete');
          resolve(0);
        },
        (err: unknown) => {
          logger.error('shutdown failed', { error: errorMessage(err) });
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('terminated'));
    process.on('SIGINT', () => stop('interrupt'));
    process.on('SIGHUP', () => {
      const fromFlags = mergeConfig(flags, { path: configPath, values: {} }).logLevel;
      void reloadLogLevel(configPath, flags.given.has('config-file'), logger, fromFlags);
    });
  });
}

async function reloadLogLevel(
  configPath: string,
  explicit: boolean,
  logger: ReturnType<typeof createLogger>,
  fromFlags: LogLevel,
): Promise<void> {
  try {
    const { values } = await readConfigFile(configPath, explicit);
    const level = values['debug'] === true ? 'debug' : values['log-level'];
    const next = typeof level === 'string' && isLogLevel(level) ? level : fromFlags;
    logger.level = next;
    logger.info('Reloaded configuration', { file: configPath, logLevel: next });
  } catch (err) {
    logger.error('Error reloading configuration', { error: errorMessage(err) });
  }
}

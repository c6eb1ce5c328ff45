import type { LogEntry } from '../logging/index.js';
import { attachSocketPath, openStdinFeed, type StdinFeed } from '../runtime/index.js';
import type { ContainerContext } from './container-context.js';
import { createDetachScanner } from './detach-keys.js';
import { publishContainerEvent } from './container-event.js';

export interface AttachStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** How an attach session ended. */
export type AttachEnd = 'exit' | 'detach' | 'client';

/** Where an attach session's output goes, and where its input comes from. */
export interface AttachIo {
  output: (entry: LogEntry) => void;
  input?: AsyncIterable<Buffer>;
  signal: AbortSignal;
}

/**
 * Feeds a client's stdin to a process through its monitor's attach socket, watching for the
 * detach sequence. The feed opens once the monitor is up (`ready`), holding input until then.
 */
export async function pumpStdin(options: {
  input: AsyncIterable<Buffer>;
  socketPath: () => string;
  ready: Promise<void>;
  detachKeys: readonly number[];
  signal: AbortSignal;
}): Promise<'detach' | 'eof'> {
  const scanner = createDetachScanner(options.detachKeys);
  let feed: StdinFeed | undefined;
  const held: Buffer[] = [];
  let inputEnded = false;
  // Input may end before the monitor is up (a short `echo x | docker run -i`): the held bytes
  // and the end of input are then delivered together once the feed opens.
  const opened = options.ready.then(() => {
    feed = openStdinFeed(options.socketPath());
    for (const chunk of held) feed.input.write(chunk);
    held.length = 0;
    if (inputEnded) feed.input.end();
  });
  opened.catch(() => undefined);
  let how: 'detach' | 'eof' = 'eof';
  try {
    for await (const chunk of options.input) {
      const { pass, detached } = scanner.push(chunk);
      if (pass.length > 0) {
        if (feed) feed.input.write(pass);
        else held.push(pass);
      }
      if (detached) {
        how = 'detach';
        break;
      }
      if (options.signal.aborted) break;
    }
    return how;
  } finally {
    inputEnded = true;
    // A detaching client leaves the container's stdin alone; the end of input closes it.
    if (how === 'detach') feed?.close();
    else feed?.input.end();
  }
}

/**
 * Docker's attach: live output of the container (stdout/stderr as asked) until it exits, the
 * client detaches with the detach keys, or goes away; stdin when asked and the container was
 * created with OpenStdin. Waits for a container that is not running yet (attach before start).
 */
export async function attachContainer(
  ctx: ContainerContext,
  id: string,
  streams: AttachStreams,
  detachKeys: readonly number[],
  io: AttachIo,
): Promise<AttachEnd> {
  const record = ctx.store.get(id);
  if (!record) return 'exit';
  const events = ctx.eventsOf(id);
  const isRunning = () => {
    const s = ctx.store.get(id)?.state.status;
    return s === 'running' || s === 'paused';
  };
  let unsubscribe: (() => void) | undefined;
  const subscribe = () => {
    const pump = ctx.liveOf(id).pump;
    if (!pump || unsubscribe) return;
    unsubscribe = pump.subscribe((entries) => {
      for (const entry of entries) {
        if (
          (entry.stream === 'stdout' && streams.stdout) ||
          (entry.stream === 'stderr' && streams.stderr)
        ) {
          io.output(entry);
        }
      }
    });
  };
  let markCreated: () => void = () => undefined;
  const created = new Promise<void>((resolve) => (markCreated = resolve));
  if (isRunning()) {
    markCreated();
    subscribe();
  }
  const onCreated = () => {
    markCreated();
    subscribe();
  };
  let markEnded: () => void = () => undefined;
  const processEnded = new Promise<AttachEnd>((resolve) => (markEnded = () => resolve('exit')));
  const listeners: Array<[string, () => void]> = [
    ['created', onCreated],
    ['exit', markEnded],
    ['start-failed', markEnded],
  ];
  for (const [event, listener] of listeners) events.on(event, listener);

  const ended: Array<Promise<AttachEnd>> = [
    processEnded,
    new Promise((resolve) => {
      if (io.signal.aborted) resolve('client');
      io.signal.addEventListener('abort', () => resolve('client'), { once: true });
    }),
  ];
  const paths = ctx.pathsOf(record);
  if (streams.stdin && record.config.OpenStdin && io.input) {
    const input = io.input;
    ended.push(
      pumpStdin({
        input,
        socketPath: () => attachSocketPath(ctx.dirs.sockets, paths.uuid),
        ready: created,
        detachKeys,
        signal: io.signal,
      }).then((how) => (how === 'detach' ? 'detach' : new Promise<AttachEnd>(() => undefined))),
    );
  }
  publishContainerEvent(ctx, record, 'attach');
  try {
    const end = await Promise.race(ended);
    if (end === 'detach') publishContainerEvent(ctx, record, 'detach');
    return end;
  } finally {
    for (const [event, listener] of listeners) events.off(event, listener);
    unsubscribe?.();
  }
}

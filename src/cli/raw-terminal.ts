/**
 * The terminal in raw mode while a container's TTY is attached, as docker's term.MakeRaw:
 * keys go through unprocessed (ctrl-c to the container, not to moor) and output is not
 * post-processed. Node's setRawMode (libuv's raw mode) keeps output processing on, which turns
 * the container's `\r\n` into `\r\r\n`; `stty -opost` on the same terminal turns it off.
 * Leaving raw mode restores the settings libuv saved before, output processing included.
 */
import { spawnSync } from 'node:child_process';
import type { Readable } from 'node:stream';

interface RawModeStream {
  isTTY?: boolean;
  fd?: number;
  setRawMode?(raw: boolean): unknown;
}

function isRawCapable(input: Readable | undefined): input is Readable & Required<RawModeStream> {
  const candidate = input as RawModeStream | undefined;
  return (
    candidate?.isTTY === true &&
    typeof candidate.setRawMode === 'function' &&
    typeof candidate.fd === 'number'
  );
}

/** Turns off output post-processing (ONLCR) of the terminal open on `fd`; best effort. */
function disableOutputProcessing(fd: number): void {
  // Without stty the output keeps its extra carriage returns; the session still works.
  spawnSync('stty', ['-opost'], { stdio: [fd, 'ignore', 'ignore'] });
}

/**
 * Puts a TTY stdin in raw mode; the returned function restores it (once). Anything else is
 * left alone. `rawOutput` turns off output processing on the terminal's fd (tests pass a fake).
 */
export function makeRaw(
  input: Readable | undefined,
  rawOutput: (fd: number) => void = disableOutputProcessing,
): () => void {
  if (!isRawCapable(input)) return () => undefined;
  const tty = input;
  tty.setRawMode(true);
  rawOutput(tty.fd);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    tty.setRawMode(false);
  };
}

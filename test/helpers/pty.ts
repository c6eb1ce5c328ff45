import { spawn } from 'node:child_process';

/** One turn of a terminal session: wait until the output shows `expect`, then type `send`. */
export interface PtyStep {
  expect?: string | RegExp;
  send?: string;
}

export interface PtyResult {
  code: number | null;
  /** Everything the terminal showed, raw (carriage returns and escapes kept). */
  output: string;
}

/**
 * Runs a shell command line in a pseudo-terminal of `rows`×`cols` (util-linux `script`), typing
 * each step's input once the output so far matches its `expect`. Fails when an expectation is
 * not met within `timeoutMs`; the terminal then gets SIGKILL.
 */
export function runInPty(
  command: string,
  steps: PtyStep[],
  options: { env?: NodeJS.ProcessEnv; rows?: number; cols?: number; timeoutMs?: number } = {},
): Promise<PtyResult> {
  const size = `stty rows ${options.rows ?? 30} cols ${options.cols ?? 100}`;
  const child = spawn('script', ['-qfec', `${size}; exec ${command}`, '/dev/null'], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let waiting: (() => void) | undefined;
  const onData = (chunk: Buffer) => {
    output += chunk.toString('latin1');
    waiting?.();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const timeoutMs = options.timeoutMs ?? 20_000;
  const seen = (expect: string | RegExp, from: number) =>
    typeof expect === 'string'
      ? output.indexOf(expect, from) !== -1
      : expect.test(output.slice(from));
  const waitFor = (expect: string | RegExp, from: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting = undefined;
        reject(new Error(`no ${String(expect)} in ${JSON.stringify(output)}`));
      }, timeoutMs);
      waiting = () => {
        if (!seen(expect, from)) return;
        clearTimeout(timer);
        waiting = undefined;
        resolve();
      };
      waiting();
    });
  return (async () => {
    try {
      let from = 0;
      for (const step of steps) {
        if (step.expect !== undefined) {
          await waitFor(step.expect, from);
          from = output.length;
        }
        if (step.send !== undefined) child.stdin.write(step.send);
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return { code, output };
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      throw err;
    }
  })();
}

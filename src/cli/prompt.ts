import type { CliContext } from './context.js';

/** The first line of `input` (without its newline), or what there was before it ended. */
async function readLine(input: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const newline = text.indexOf('\n');
    if (newline !== -1) return text.slice(0, newline);
  }
  return text;
}

/**
 * docker's prompt.Confirm: prints `message [y/N] ` on stdout and reads one line from stdin;
 * only `y` or `Y` (spaces trimmed) confirms. An empty stdin answers no.
 */
export async function confirm(ctx: CliContext, message: string): Promise<boolean> {
  ctx.stdout.write(`${message} [y/N] `);
  const answer = await readLine(ctx.stdin);
  return answer.trim().toLowerCase() === 'y';
}

import { invalidArgument } from '../core/index.js';
import { runHostCommand } from './host-command.js';

export interface ProcessTable {
  titles: string[];
  processes: string[][];
}

/**
 * Splits `ps` output into titles and rows: every column but the last is one word, the last
 * (the command) keeps its spaces.
 */
export function parseProcessTable(text: string): ProcessTable {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const processes = lines.slice(1).map((line) => {
    const fields = line.trim().split(/\s+/);
    const head = fields.slice(0, titles.length - 1);
    const rest = fields.slice(titles.length - 1).join(' ');
    return [...head, rest];
  });
  return { titles, processes };
}

/**
 * Docker's top: runs the host's `ps` with the given arguments (default `-ef`) and keeps the
 * rows of the given pids. A table without a PID column is Docker's error.
 */
export async function processTable(psArgs: string, pids: readonly number[]): Promise<ProcessTable> {
  const args = psArgs.trim() === '' ? ['-ef'] : psArgs.trim().split(/\s+/);
  let out: string;
  try {
    out = await runHostCommand('ps', args, { packageName: 'procps' });
  } catch (err) {
    throw invalidArgument(`Error running ps: ${(err as Error).message}`, err);
  }
  const table = parseProcessTable(out);
  const pidColumn = table.titles.indexOf('PID');
  if (pidColumn < 0) throw invalidArgument(`Couldn't find PID field in ps output`);
  const wanted = new Set(pids.map(String));
  return {
    titles: table.titles,
    processes: table.processes.filter((row) => wanted.has(row[pidColumn] ?? '')),
  };
}

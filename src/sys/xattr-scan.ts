import { runHostCommand } from './host-command.js';
import { parseXattrDump } from './special-files.js';

export interface XattrScanOptions {
  /** Also every file under the given directories (symlinks are never followed). */
  recursive?: boolean;
  /** Attribute names to read, as a getfattr --match regex (e.g. `^trusted\.overlay\.opaque$`). */
  match: string;
  signal?: AbortSignal;
}

/**
 * The extended attributes named by `match` of many files, read by one `getfattr` process:
 * absolute path → attributes. Files without a matching attribute are left out. Every path
 * given must exist. Reading `trusted.*` needs CAP_SYS_ADMIN.
 */
export async function scanXattrs(
  paths: readonly string[],
  options: XattrScanOptions,
): Promise<Map<string, Map<string, Buffer>>> {
  const result = new Map<string, Map<string, Buffer>>();
  if (paths.length === 0) return result;
  const args = ['--no-dereference', '--absolute-names', '--dump', '--encoding=hex'];
  if (options.recursive) args.push('--recursive', '--physical');
  args.push(`--match=${options.match}`, '--', ...paths);
  const out = await runHostCommand('getfattr', args, {
    signal: options.signal,
    packageName: 'attr',
  });
  return parseXattrDumps(out);
}

const FILE_LINE = '# file: ';

/** Parses `getfattr --dump --encoding=hex` output for several files. */
export function parseXattrDumps(text: string): Map<string, Map<string, Buffer>> {
  const result = new Map<string, Map<string, Buffer>>();
  let file: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (file !== undefined) result.set(file, parseXattrDump(lines.join('\n')));
    lines = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith(FILE_LINE)) {
      flush();
      file = unquoteOctal(line.slice(FILE_LINE.length));
    } else {
      lines.push(line);
    }
  }
  flush();
  return result;
}

/** Undoes getfattr's quoting of names: `\ooo` is one byte, anything else is itself (UTF-8). */
function unquoteOctal(value: string): string {
  const parts: Buffer[] = [];
  let plain = '';
  for (let i = 0; i < value.length; i++) {
    const octal = /^\\([0-7]{3})/.exec(value.slice(i, i + 4));
    if (octal === null) {
      plain += value[i];
      continue;
    }
    parts.push(Buffer.from(plain, 'utf8'), Buffer.of(parseInt(octal[1] as string, 8)));
    plain = '';
    i += 3;
  }
  parts.push(Buffer.from(plain, 'utf8'));
  return Buffer.concat(parts).toString('utf8');
}

import { runHostCommand } from './host-command.js';

/**
 * File system operations Node has no binding for: device nodes and fifos (mknod(2)) and
 * extended attributes (lsetxattr(2)/lgetxattr(2)). They run the `mknod` binary (coreutils) and
 * `setfattr`/`getfattr` (Debian's `attr` package). Extended attributes are set in one batch per
 * call so that unpacking a layer spawns one process, not one per file.
 */

export type SpecialFileType = 'char' | 'block' | 'fifo';

export interface SpecialFileSpec {
  type: SpecialFileType;
  /** Device numbers; ignored for fifos. */
  major?: number;
  minor?: number;
}

/** Creates a device node or fifo at `path` (which must not exist; a symlink there is not followed). */
export async function makeSpecialFile(
  path: string,
  spec: SpecialFileSpec,
  signal?: AbortSignal,
): Promise<void> {
  const args =
    spec.type === 'fifo'
      ? ['--', path, 'p']
      : [
          '--',
          path,
          spec.type === 'char' ? 'c' : 'b',
          String(spec.major ?? 0),
          String(spec.minor ?? 0),
        ];
  await runHostCommand('mknod', args, { signal, packageName: 'coreutils' });
}

export interface XattrAssignment {
  /** Relative to `cwd` (or absolute). The last component is never followed if it is a symlink. */
  path: string;
  attrs: ReadonlyMap<string, Buffer>;
}

/**
 * Octal-escapes every byte outside a small safe set, the quoting `getfattr` writes and
 * `setfattr --restore` reads back.
 */
export function quoteXattrField(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9._/+@:-]/.test(ch) ? ch : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** The `setfattr --restore` input for a batch of assignments (values hex-encoded). */
export function formatXattrRestore(assignments: readonly XattrAssignment[]): string {
  const blocks: string[] = [];
  for (const { path, attrs } of assignments) {
    if (attrs.size === 0) continue;
    const lines = [`# file: ${quoteXattrField(path)}`];
    for (const [name, value] of attrs)
      lines.push(`${quoteXattrField(name)}=0x${value.toString('hex')}`);
    blocks.push(`${lines.join('\n')}\n`);
  }
  return blocks.join('\n');
}

/** Sets extended attributes on many files with one `setfattr` process; symlinks are not followed. */
export async function setXattrs(
  assignments: readonly XattrAssignment[],
  options: { cwd?: string; signal?: AbortSignal } = {},
): Promise<void> {
  const input = formatXattrRestore(assignments);
  if (input === '') return;
  await runHostCommand('setfattr', ['--no-dereference', '--restore=-'], {
    cwd: options.cwd,
    input,
    signal: options.signal,
    packageName: 'attr',
  });
}

function unquoteXattrField(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const oct = /^\\([0-7]{3})/.exec(value.slice(i, i + 4));
    if (oct) {
      bytes.push(parseInt(oct[1] as string, 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(value[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses `getfattr --dump --encoding=hex` output for a single file. */
export function parseXattrDump(text: string): Map<string, Buffer> {
  const attrs = new Map<string, Buffer>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = unquoteXattrField(eq === -1 ? line : line.slice(0, eq));
    const raw = eq === -1 ? '' : line.slice(eq + 1);
    attrs.set(name, raw.startsWith('0x') ? Buffer.from(raw.slice(2), 'hex') : Buffer.from(raw));
  }
  return attrs;
}

/** Every extended attribute of `path` (all namespaces the caller may read); symlinks not followed. */
export async function readXattrs(path: string, signal?: AbortSignal): Promise<Map<string, Buffer>> {
  const out = await runHostCommand(
    'getfattr',
    ['--no-dereference', '--absolute-names', '--dump', '--match=-', '--encoding=hex', '--', path],
    { signal, packageName: 'attr' },
  );
  return parseXattrDump(out);
}

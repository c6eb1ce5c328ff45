import { readFile } from 'node:fs/promises';

export interface MountEntry {
  source: string;
  target: string;
  fstype: string;
  options: string[];
}

/** Undoes the octal escapes (`\040` for a space) that /proc/mounts uses in paths. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses the text of /proc/mounts (or /proc/self/mounts). */
export function parseMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, target, fstype, options] = line.split(' ');
    if (!source || !target || !fstype || options === undefined) continue;
    entries.push({
      source: unescapeMountField(source),
      target: unescapeMountField(target),
      fstype,
      options: options.split(','),
    });
  }
  return entries;
}

export async function readMounts(): Promise<MountEntry[]> {
  return parseMounts(await readFile('/proc/self/mounts', 'utf8'));
}

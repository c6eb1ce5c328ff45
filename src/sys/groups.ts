import { readFile } from 'node:fs/promises';

/** Finds a group's gid in /etc/group text; a numeric name is taken as the gid itself. */
export function findGroupId(groupText: string, name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of groupText.split('\n')) {
    const [groupName, , gid] = line.split(':');
    if (groupName === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

export async function lookupGroupId(name: string): Promise<number | undefined> {
  return findGroupId(await readFile('/etc/group', 'utf8'), name);
}

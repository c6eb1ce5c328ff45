import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';

import { hasErrno } from '../core/index.js';

/** Parses /etc/os-release (`KEY="value"` lines). */
export function parseOsRelease(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2] as string;
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    values.set(match[1] as string, value);
  }
  return values;
}

export interface OsDescription {
  /** PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)". */
  name: string;
  /** VERSION_ID, e.g. "12". */
  version: string;
}

export async function readOsDescription(): Promise<OsDescription> {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      const values = parseOsRelease(await readFile(path, 'utf8'));
      return {
        name: values.get('PRETTY_NAME') ?? 'Linux',
        version: values.get('VERSION_ID') ?? '',
      };
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err;
    }
  }
  return { name: 'Linux', version: '' };
}

/** The kernel's machine name (`uname -m`), as `docker info` reports Architecture. */
export function machineArchitecture(): string {
  return os.machine();
}

/** Go's GOARCH name for the host, as `docker version` reports Arch. */
export function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };
  return map[process.arch] ?? process.arch;
}

/** Reads a 0/1 flag from /proc/sys; false when the file does not exist. */
export async function readSysctlFlag(path: string): Promise<boolean> {
  try {
    return (await readFile(path, 'utf8')).trim() === '1';
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/** Number of open file descriptors of this process. */
export async function countOpenFds(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

import { readFile } from 'node:fs/promises';

import { hasErrno } from '../core/index.js';

async function readList(path: string, fallback: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim() || fallback;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return fallback;
    throw err;
  }
}

/** The host's online CPUs and memory nodes as the kernel lists them (`0-3`, `0`). */
export async function hostCpuTopology(): Promise<{ cpus: string; mems: string }> {
  return {
    cpus: await readList('/sys/devices/system/cpu/online', '0'),
    mems: await readList('/sys/devices/system/node/online', '0'),
  };
}

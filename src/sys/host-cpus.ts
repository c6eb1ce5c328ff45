import { readFile } from 'node:fs/promises';

import { hasErrno, pathExists } from '../core/index.js';

async function readList(path: string, fallback: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim() || fallback;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return fallback;
    throw err;
  }
}

/**
 * The host's online CPUs and memory nodes as the kernel lists them (`0-3`, `0`), and whether
 * swap can be limited (cgroup v1's memsw files exist; v2's memory controller has swap.max).
 */
export async function hostCpuTopology(): Promise<{
  cpus: string;
  mems: string;
  swapLimit: boolean;
}> {
  const v1Memory = '/sys/fs/cgroup/memory';
  const v1 = await pathExists(v1Memory);
  return {
    cpus: await readList('/sys/devices/system/cpu/online', '0'),
    mems: await readList('/sys/devices/system/node/online', '0'),
    swapLimit: !v1 || (await pathExists(`${v1Memory}/memory.memsw.limit_in_bytes`)),
  };
}

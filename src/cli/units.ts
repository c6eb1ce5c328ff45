import { goGeneral } from './go-float.js';

function scaled(size: number, base: number, units: string[], digits: number): string {
  let i = 0;
  let value = size;
  while (value >= base && i < units.length - 1) {
    value /= base;
    i++;
  }
  return `${goGeneral(value, digits)}${units[i]}`;
}

/** docker's binary sizes (`docker info` Total Memory): `23.47GiB`. */
export function bytesSize(size: number): string {
  return scaled(size, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], 4);
}

/**
 * docker's decimal sizes: `docker images` SIZE uses 3 significant digits (`4.26MB`), go-units'
 * HumanSize (prune totals, progress counts) uses 4 (`4.261MB`).
 */
export function humanSize(size: number, precision = 3): string {
  return scaled(size, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB'], precision);
}

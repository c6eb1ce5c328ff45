/**
 * A volume as moord stores it: one JSON file beside the volume's data
 * (`<data-root>/volumes/<name>/volume.json`, data in `_data`, as Docker lays them out).
 */
export interface VolumeRecord {
  name: string;
  /** Only `local` exists. */
  driver: string;
  /** As given (null when the request had none, as Docker echoes them). */
  labels: Record<string, string> | null;
  /** The local driver's options (`type`, `device`, `o`: mounted on `_data` while in use), as given. */
  options: Record<string, string> | null;
  /** RFC 3339 (seconds, with the host's offset), as Docker shows CreatedAt. */
  createdAt: string;
}

/** The label Docker puts on anonymous volumes (`-v /path`, image VOLUME); prune keys on it. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export function isAnonymous(record: VolumeRecord): boolean {
  return record.labels !== null && Object.hasOwn(record.labels, ANONYMOUS_LABEL);
}

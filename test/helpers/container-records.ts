import type { ContainerRecord, ContainerState } from '../../src/containers/index.js';

/** A full 64-hex container ID starting with `prefix` (hex digits), for unit tests. */
export function containerId(prefix: string): string {
  return prefix.padEnd(64, '0');
}

export type RecordOverrides = Partial<Omit<ContainerRecord, 'state'>> & {
  state?: Partial<ContainerState>;
};

/**
 * A stored container record as create leaves it (status `created`), with `overrides` merged
 * in; the state is merged field by field.
 */
export function containerRecord(overrides: RecordOverrides = {}): ContainerRecord {
  const { state, ...rest } = overrides;
  return {
    id: containerId('c0ffee'),
    name: 'unit-test',
    created: '2026-01-01T00:00:00.000000000Z',
    imageId: `sha256:${'a'.repeat(64)}`,
    path: 'sh',
    args: [],
    config: { Image: 'busybox' },
    hostConfig: {},
    restartCount: 0,
    driver: 'overlay2',
    ...rest,
    state: {
      status: 'created',
      pid: 0,
      monitorPid: 0,
      exitCode: 0,
      error: '',
      startedAt: '0001-01-01T00:00:00Z',
      finishedAt: '0001-01-01T00:00:00Z',
      oomKilled: false,
      manuallyStopped: false,
      ...state,
    },
  };
}

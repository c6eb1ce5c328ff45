import { invalidArgument } from '../core/index.js';

/** Docker's rule for local volume names. */
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Whether `name` is a valid local volume name (at least two characters). */
export function isValidVolumeName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** Throws Docker's InvalidArgument for a name the local driver refuses. */
export function validateVolumeName(name: string): void {
  if (isValidVolumeName(name)) return;
  if (name.length === 1) {
    throw invalidArgument(
      'volume name is too short, names should be at least two alphanumeric characters',
    );
  }
  throw invalidArgument(
    `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
  );
}

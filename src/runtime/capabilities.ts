import { invalidArgument } from '../core/index.js';

/** Every Linux capability up to CAP_CHECKPOINT_RESTORE (40), in kernel number order. */
export const ALL_CAPABILITIES: readonly string[] = Object.freeze([
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
]);

/** Docker's default set for unprivileged containers, in Docker's order. */
export const DEFAULT_CAPABILITIES: readonly string[] = Object.freeze([
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
]);

const KNOWN = new Set(ALL_CAPABILITIES);

/**
 * Capability names from a capability mask (the hex `CapBnd` of /proc/self/status): what the
 * daemon itself may grant. Bits beyond CAP_CHECKPOINT_RESTORE are ignored.
 */
export function capabilitiesFromMask(mask: bigint | string): string[] {
  const bits = typeof mask === 'string' ? BigInt(`0x${mask.trim()}`) : mask;
  return ALL_CAPABILITIES.filter((_name, bit) => ((bits >> BigInt(bit)) & 1n) === 1n);
}

/**
 * `--cap-add`/`--cap-drop` entries in canonical form: upper case, `CAP_` prefixed; `ALL` kept.
 * Throws InvalidArgument with Docker's words: `unknown capability: "CAP_FOO"`, and for a
 * known one outside `available`, `capability not supported by your kernel or not available
 * in the current environment: "CAP_X"`.
 */
export function normalizeCapabilities(
  names: readonly string[],
  available: readonly string[] = ALL_CAPABILITIES,
): string[] {
  return names.map((raw) => {
    const upper = raw.toUpperCase();
    if (upper === 'ALL') return upper;
    const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!KNOWN.has(name)) throw invalidArgument(`unknown capability: "${name}"`);
    if (!available.includes(name)) {
      throw invalidArgument(
        `capability not supported by your kernel or not available in the current environment: "${name}"`,
      );
    }
    return name;
  });
}

export interface CapabilityRequest {
  capAdd?: readonly string[] | null;
  capDrop?: readonly string[] | null;
  privileged?: boolean;
  /**
   * The capabilities the daemon may grant (its own bounding set, see capabilitiesFromMask);
   * ALL_CAPABILITIES by default. Privileged containers and `--cap-add ALL` get these.
   */
  available?: readonly string[];
}

/**
 * The container's capability set, by Docker's rules: privileged → all available; `--cap-add
 * ALL` → all available but the dropped ones; `--cap-drop ALL` → only the added ones; otherwise
 * the defaults minus the dropped plus the added. Duplicates are removed, the first kept.
 */
export function containerCapabilities(request: CapabilityRequest): string[] {
  const available = request.available ?? ALL_CAPABILITIES;
  if (request.privileged) return [...available];
  const adds = normalizeCapabilities(request.capAdd ?? [], available);
  const drops = normalizeCapabilities(request.capDrop ?? [], available);
  let caps: string[];
  if (adds.includes('ALL')) caps = available.filter((c) => !drops.includes(c));
  else if (drops.includes('ALL')) caps = adds;
  else caps = [...DEFAULT_CAPABILITIES.filter((c) => !drops.includes(c)), ...adds];
  return [...new Set(caps)];
}

/** containerCapabilities with positional arguments (kept for existing callers). */
export function effectiveCapabilities(
  add: readonly string[],
  drop: readonly string[],
  privileged: boolean,
): string[] {
  return containerCapabilities({ capAdd: add, capDrop: drop, privileged });
}

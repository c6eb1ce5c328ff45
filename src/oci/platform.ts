import { invalidArgument } from '../core/index.js';

/** An image platform, as in the OCI image index and `docker --platform`. */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

const KNOWN_OS = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'windows',
  'zos',
]);
const KNOWN_ARCH = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'ppc64',
  'ppc64le',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
  // aliases normalised below
  'i386',
  'x86_64',
  'x86-64',
  'aarch64',
  'armhf',
  'armel',
]);

/** Node's process.arch → the OCI architecture name. */
const NODE_ARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips64el: 'mips64le',
  mipsel: 'mipsle',
};

/**
 * The platform this process runs on: `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7` (the
 * variant of 32-bit ARM follows the Node build, v7 when unknown).
 */
export function currentPlatform(): Platform {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  if (architecture === 'arm64') return { os, architecture, variant: 'v8' };
  if (architecture === 'arm') {
    const version = (process.config.variables as Record<string, unknown>)['arm_version'];
    const variant = typeof version === 'string' && /^[5-8]$/.test(version) ? `v${version}` : 'v7';
    return { os, architecture, variant };
  }
  return { os, architecture };
}

/**
 * Containerd's normalisation, the form platforms are compared in: lowercase names, aliases
 * resolved (`x86_64` → `amd64`, `aarch64` → `arm64`, `armhf` → `arm/v7`), default variants
 * dropped for arm64 (`v8`) and amd64 (`v1`) and made explicit for arm (`v7`).
 */
export function normalizePlatform(p: Platform): Platform {
  let architecture = p.architecture.toLowerCase();
  let variant = (p.variant ?? '').toLowerCase();
  switch (architecture) {
    case 'i386':
      [architecture, variant] = ['386', ''];
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = '';
      else if (variant === '9' || variant === '9.0' || variant === 'v9.0') variant = 'v9';
      break;
    case 'armhf':
      [architecture, variant] = ['arm', 'v7'];
      break;
    case 'armel':
      [architecture, variant] = ['arm', 'v6'];
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  const out: Platform = { ...p, os: p.os.toLowerCase(), architecture };
  if (variant === '') delete out.variant;
  else out.variant = variant;
  return out;
}

/**
 * The platforms a host of `want` can run, best first (containerd's `platforms.Only`):
 * amd64/v3 runs v3, v2, v1 and 386; arm/v7 runs v7, v6, v5; arm64/v8 runs arm64 and arm v8 to
 * v5; arm64/v9.N runs v9.N down to v9, then v8.(N+5) down to v8.
 */
export function compatiblePlatforms(want: Platform): Platform[] {
  const p = normalizePlatform(want);
  const at = (architecture: string, variant: string): Platform =>
    normalizePlatform({ os: p.os, architecture, variant });
  const major = (v: string | undefined) => Number.parseInt((v ?? '').replace(/^v/, ''), 10);
  if (p.architecture === 'amd64') {
    const out = [p];
    for (let v = major(p.variant) - 1; v >= 1; v--) out.push(at('amd64', `v${v}`));
    return [...out, at('386', '')];
  }
  if (p.architecture === 'arm') {
    const out = [p];
    for (let v = major(p.variant) - 1; v >= 5; v--) out.push(at('arm', `v${v}`));
    return out;
  }
  if (p.architecture === 'arm64') return arm64Vector(p);
  return [p];
}

function arm64Vector(p: Platform): Platform[] {
  const m = /^v(8|9)(?:\.(\d))?$/.exec(p.variant ?? 'v8');
  if (!m) return [];
  const arch = (variant: string) => normalizePlatform({ os: p.os, architecture: 'arm64', variant });
  const minors = (maj: number, from: number) =>
    Array.from({ length: from + 1 }, (_, i) =>
      arch(from - i === 0 ? `v${maj}` : `v${maj}.${from - i}`),
    );
  const minor = Number(m[2] ?? 0);
  const out =
    m[1] === '9' ? [...minors(9, minor), ...minors(8, Math.min(minor + 5, 9))] : minors(8, minor);
  for (let v = 8; v >= 5; v--)
    out.push(normalizePlatform({ os: p.os, architecture: 'arm', variant: `v${v}` }));
  return out;
}

/** True when two platforms are the same once normalised (os.version ignored). */
export function samePlatform(a: Platform, b: Platform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return x.os === y.os && x.architecture === y.architecture && x.variant === y.variant;
}

/** `linux/arm64/v8`, `linux/amd64`. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((s) => s !== undefined && s !== '').join('/');
}

const OS_AND_VERSION = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.-]*)\))?$/;
const COMPONENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses a `--platform` value like containerd's platforms.Parse: `os`, `arch`, `os/arch`,
 * `os/arch/variant`, `os(version)/arch`; a lone os or arch is completed from the current
 * platform. The result is normalised. Throws InvalidArgument with containerd's wording.
 */
export function parsePlatform(specifier: string): Platform {
  const bad = (why: string) =>
    invalidArgument(`${JSON.stringify(specifier)}: ${why}: invalid argument`);
  if (specifier.includes('*')) throw bad('wildcards not yet supported');
  const parts = specifier.split('/');
  const [first = '', arch, variant] = parts;
  const osVersion = OS_AND_VERSION.exec(first);
  if (!osVersion) {
    throw invalidArgument(
      `${JSON.stringify(first)} is an invalid OS component of ${JSON.stringify(specifier)}: OSAndVersion specifier component must match ${JSON.stringify(OS_AND_VERSION.source)}: invalid argument`,
    );
  }
  for (const part of parts.slice(1, 4)) {
    if (!COMPONENT.test(part)) {
      throw invalidArgument(
        `${JSON.stringify(part)} is an invalid component of ${JSON.stringify(specifier)}: platform specifier component must match ${JSON.stringify(COMPONENT.source)}: invalid argument`,
      );
    }
  }
  const os =
    (osVersion[1] ?? '').toLowerCase() === 'macos' ? 'darwin' : (osVersion[1] ?? '').toLowerCase();
  const version = osVersion[2] ? { 'os.version': osVersion[2] } : {};
  const host = currentPlatform();
  if (parts.length === 1) {
    if (KNOWN_OS.has(os)) {
      const { architecture, variant: hostVariant } = host;
      return normalizePlatform({ os, architecture, variant: hostVariant, ...version });
    }
    const p = normalizePlatform({ os: host.os, architecture: first });
    if (KNOWN_ARCH.has(p.architecture)) return p;
    throw bad('unknown operating system or architecture');
  }
  if (parts.length === 2 && arch !== undefined) {
    return normalizePlatform({ os, architecture: arch, ...version });
  }
  if (parts.length === 3 && arch !== undefined && variant !== undefined) {
    return normalizePlatform({ os, architecture: arch, variant, ...version });
  }
  throw bad('cannot parse platform specifier');
}

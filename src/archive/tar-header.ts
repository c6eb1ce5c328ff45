import { invalidArgument } from '../core/index.js';
import { encodePaxRecords, type PaxRecord } from './pax-records.js';
import {
  BLOCK_SIZE,
  checksums,
  FIELDS,
  fitsOctal,
  paddingOf,
  readChecksum,
  readNumber,
  readText,
  writeChecksum,
  writeOctal,
  writeText,
} from './tar-fields.js';

export type TarEntryType =
  'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarHeader {
  /** As in the archive after PAX/GNU long-name resolution; not cleaned (may keep './', '/'). */
  name: string;
  type: TarEntryType;
  /** Permission bits including setuid/setgid/sticky (& 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Body size in bytes (0 for everything but files). */
  size: number;
  /** Millisecond precision when a PAX mtime record has a fraction. */
  mtime: Date;
  /** Symlink or hardlink target, '' otherwise. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** From PAX 'SCHILY.xattr.<name>' records. */
  xattrs: Record<string, Buffer>;
  /** Every other PAX record in effect for the entry (global and per-entry), as UTF-8 text. */
  pax: Record<string, string>;
}

/**
 * What a writer needs: defaults are mode 0o644 (0o755 directories, 0o777 symlinks), ids 0,
 * names '', mtime the epoch, size taken from the body.
 */
export type TarHeaderInput = Partial<TarHeader> & Pick<TarHeader, 'name' | 'type'>;

const TYPE_FLAGS: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

const FLAG_TYPES: Record<string, TarEntryType> = {
  '\0': 'file',
  '0': 'file',
  '7': 'file', // contiguous file
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

/** The prefix of all SCHILY xattr records (what GNU tar and Go write). */
export const XATTR_PREFIX = 'SCHILY.xattr.';

/** What one header block says, before PAX or GNU extension headers are applied. */
export interface RawTarHeader {
  /** The type flag character ('0', 'x', 'L', ...; '\0' for old-style files). */
  flag: string;
  name: string;
  linkname: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

const USTAR_MAGIC = Buffer.from('ustar\u000000', 'latin1'); // magic + version
const GNU_MAGIC = Buffer.from('ustar  \u0000', 'latin1');

const ZERO_BLOCK = Buffer.alloc(BLOCK_SIZE);

/** Whether a header block is all zeros (the end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  return block.equals(ZERO_BLOCK);
}

/** Decodes one 512-byte header block, verifying its checksum. */
export function decodeHeaderBlock(block: Buffer): RawTarHeader {
  const stored = readChecksum(block);
  const { unsigned, signed } = checksums(block);
  if (stored !== unsigned && stored !== signed) {
    throw invalidArgument('invalid tar header checksum');
  }
  const [magicStart] = FIELDS.magic;
  const magic = block.subarray(magicStart, magicStart + 8);
  const posix = magic.subarray(0, 6).equals(USTAR_MAGIC.subarray(0, 6));
  const hasOwnerNames = posix || magic.equals(GNU_MAGIC);
  let name = readText(block, 'name');
  if (posix) {
    const prefix = readText(block, 'prefix');
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  return {
    flag: String.fromCharCode(block[FIELDS.typeflag[0]]!),
    name,
    linkname: readText(block, 'linkname'),
    mode: readNumber(block, 'mode'),
    uid: readNumber(block, 'uid'),
    gid: readNumber(block, 'gid'),
    size: readNumber(block, 'size'),
    mtime: readNumber(block, 'mtime'),
    uname: hasOwnerNames ? readText(block, 'uname') : '',
    gname: hasOwnerNames ? readText(block, 'gname') : '',
    devmajor: hasOwnerNames ? readNumber(block, 'devmajor') : 0,
    devminor: hasOwnerNames ? readNumber(block, 'devminor') : 0,
  };
}

/** Extension data in effect for the next entry. */
export interface HeaderExtensions {
  longName?: string | undefined;
  longLink?: string | undefined;
  /** Global and per-entry PAX records merged (per-entry wins, empty values removed). */
  pax: ReadonlyMap<string, Buffer>;
}

/** Applies extension headers to a raw header; throws on unsupported entry types. */
export function resolveHeader(raw: RawTarHeader, ext: HeaderExtensions): TarHeader {
  const header: TarHeader = {
    name: ext.longName ?? raw.name,
    type: 'file',
    mode: raw.mode & 0o7777,
    uid: raw.uid,
    gid: raw.gid,
    uname: raw.uname,
    gname: raw.gname,
    size: raw.size,
    mtime: new Date(raw.mtime * 1000),
    linkname: ext.longLink ?? raw.linkname,
    devmajor: raw.devmajor,
    devminor: raw.devminor,
    xattrs: {},
    pax: {},
  };
  for (const [key, value] of ext.pax) applyPaxRecord(header, key, value);
  const type = FLAG_TYPES[raw.flag];
  if (type === undefined) {
    const name = JSON.stringify(header.name);
    throw invalidArgument(`unsupported tar entry type '${raw.flag}' for ${name}`);
  }
  const oldStyle = raw.flag === '\0' || raw.flag === '0';
  header.type = oldStyle && header.name.endsWith('/') ? 'directory' : type;
  if (header.type !== 'file') header.size = 0;
  return header;
}

function applyPaxRecord(header: TarHeader, key: string, value: Buffer): void {
  if (key.startsWith(XATTR_PREFIX)) {
    header.xattrs[key.slice(XATTR_PREFIX.length)] = Buffer.from(value);
    return;
  }
  const text = value.toString('utf8');
  header.pax[key] = text;
  switch (key) {
    case 'path':
      header.name = text;
      break;
    case 'linkpath':
      header.linkname = text;
      break;
    case 'uname':
      header.uname = text;
      break;
    case 'gname':
      header.gname = text;
      break;
    case 'size':
    case 'uid':
    case 'gid':
      header[key] = paxInteger(key, text);
      break;
    case 'mtime':
      header.mtime = paxTime(text);
      break;
  }
}

function paxInteger(key: string, text: string): number {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value)) {
    throw invalidArgument(`invalid tar archive: bad PAX ${key} ${JSON.stringify(text)}`);
  }
  return value;
}

/** A PAX time: decimal seconds with an optional fraction, kept to the millisecond. */
function paxTime(text: string): Date {
  const match = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(text);
  if (!match) throw invalidArgument(`invalid tar archive: bad PAX mtime ${JSON.stringify(text)}`);
  const sign = match[1] === '-' ? -1 : 1;
  const millis = Number(match[2]) * 1000 + Number((match[3] ?? '').padEnd(3, '0').slice(0, 3));
  return new Date(sign * millis);
}

/** PAX keys the writer derives from header fields; stale copies in `pax` are dropped. */
const DERIVED_KEYS = new Set(['path', 'linkpath', 'size', 'uid', 'gid', 'uname', 'gname', 'mtime']);

/** A header input with its defaults filled in; `size` is the body size for files. */
export function completeHeader(input: TarHeaderInput, size: number): TarHeader {
  if (!(input.type in TYPE_FLAGS)) throw invalidArgument(`unknown tar entry type ${input.type}`);
  if (input.name === '' || input.name.includes('\0') || input.linkname?.includes('\0')) {
    throw invalidArgument(`invalid tar entry name ${JSON.stringify(input.name)}`);
  }
  const defaultMode = input.type === 'directory' ? 0o755 : input.type === 'symlink' ? 0o777 : 0o644;
  return {
    name: input.name,
    type: input.type,
    mode: (input.mode ?? defaultMode) & 0o7777,
    uid: input.uid ?? 0,
    gid: input.gid ?? 0,
    uname: input.uname ?? '',
    gname: input.gname ?? '',
    size: input.type === 'file' ? size : 0,
    mtime: input.mtime ?? new Date(0),
    linkname: input.linkname ?? '',
    devmajor: input.devmajor ?? 0,
    devminor: input.devminor ?? 0,
    xattrs: input.xattrs ?? {},
    pax: input.pax ?? {},
  };
}

/**
 * Encodes a complete header as ustar, preceded by a PAX extended header only when a field does
 * not fit ustar (long names and link names, big sizes and ids, long owner names, mtimes out of
 * range) or when xattrs or extra PAX records are present.
 */
export function encodeHeader(header: TarHeader): Buffer {
  const pax: PaxRecord[] = [];
  const block = Buffer.alloc(BLOCK_SIZE);
  const needPax = (key: string, value: string) => pax.push({ key, value: Buffer.from(value) });

  const name = Buffer.from(header.name, 'utf8');
  const split = splitUstarName(name);
  if (split) {
    writeText(block, 'name', split.name);
    writeText(block, 'prefix', split.prefix);
  } else {
    needPax('path', header.name);
    writeText(block, 'name', name.subarray(0, FIELDS.name[1]));
  }
  writeTextOrPax(block, 'linkname', header.linkname, () => needPax('linkpath', header.linkname));
  writeTextOrPax(block, 'uname', header.uname, () => needPax('uname', header.uname));
  writeTextOrPax(block, 'gname', header.gname, () => needPax('gname', header.gname));

  writeOctal(block, 'mode', header.mode & 0o7777);
  for (const field of ['uid', 'gid', 'size'] as const) {
    const value = header[field];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw invalidArgument(`invalid tar ${field} ${value} for ${JSON.stringify(header.name)}`);
    }
    if (fitsOctal(value, field)) writeOctal(block, field, value);
    else needPax(field, String(value));
  }
  const seconds = Math.floor(header.mtime.getTime() / 1000);
  if (!Number.isSafeInteger(seconds)) {
    throw invalidArgument(`invalid tar mtime for ${JSON.stringify(header.name)}`);
  }
  const mtimeFits = fitsOctal(seconds, 'mtime');
  if (mtimeFits) writeOctal(block, 'mtime', seconds);
  else needPax('mtime', String(seconds));
  for (const field of ['devmajor', 'devminor'] as const) {
    if (!fitsOctal(header[field], field)) {
      throw invalidArgument(`tar ${field} ${header[field]} out of range for ${header.name}`);
    }
    writeOctal(block, field, header[field]);
  }
  block.write(TYPE_FLAGS[header.type], FIELDS.typeflag[0], 'latin1');
  USTAR_MAGIC.copy(block, FIELDS.magic[0]);
  writeChecksum(block);

  for (const [key, value] of Object.entries(header.pax)) {
    if (!DERIVED_KEYS.has(key) && !key.startsWith(XATTR_PREFIX)) needPax(key, value);
  }
  for (const key of Object.keys(header.xattrs).sort()) {
    pax.push({ key: XATTR_PREFIX + key, value: Buffer.from(header.xattrs[key]!) });
  }
  if (pax.length === 0) return block;
  return Buffer.concat([
    paxHeader(header.name, encodePaxRecords(pax), mtimeFits ? seconds : 0),
    block,
  ]);
}

function writeTextOrPax(
  block: Buffer,
  field: 'linkname' | 'uname' | 'gname',
  value: string,
  usePax: () => void,
): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= FIELDS[field][1]) writeText(block, field, bytes);
  else usePax();
}

/** Splits a name into ustar prefix and name at a '/', or null when it cannot fit. */
function splitUstarName(name: Buffer): { prefix: Buffer; name: Buffer } | null {
  const [, nameLength] = FIELDS.name;
  const [, prefixLength] = FIELDS.prefix;
  if (name.length <= nameLength) return { prefix: Buffer.alloc(0), name };
  const slash = name.lastIndexOf(0x2f, prefixLength);
  if (slash <= 0) return null;
  const rest = name.length - slash - 1;
  if (rest === 0 || rest > nameLength) return null;
  return { prefix: name.subarray(0, slash), name: name.subarray(slash + 1) };
}

/** A PAX 'x' header block followed by its padded data. */
function paxHeader(entryName: string, data: Buffer, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  const trimmed = entryName.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const name = `${trimmed.slice(0, slash + 1)}PaxHeaders.0/${trimmed.slice(slash + 1)}`;
  writeText(block, 'name', Buffer.from(name, 'utf8').subarray(0, FIELDS.name[1]));
  writeOctal(block, 'mode', 0o644);
  writeOctal(block, 'uid', 0);
  writeOctal(block, 'gid', 0);
  writeOctal(block, 'size', data.length);
  writeOctal(block, 'mtime', mtime);
  writeOctal(block, 'devmajor', 0);
  writeOctal(block, 'devminor', 0);
  block.write('x', FIELDS.typeflag[0], 'latin1');
  USTAR_MAGIC.copy(block, FIELDS.magic[0]);
  writeChecksum(block);
  return Buffer.concat([block, data, Buffer.alloc(paddingOf(data.length))]);
}

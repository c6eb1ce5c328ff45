import { invalidArgument } from '../core/index.js';

/** One record of a PAX extended header: `<length> <key>=<value>\n`. Values are raw bytes. */
export interface PaxRecord {
  key: string;
  value: Buffer;
}

const SPACE = 0x20;
const EQUALS = 0x3d;
const NEWLINE = 0x0a;

function malformed(detail: string): Error {
  return invalidArgument(`invalid tar archive: malformed PAX record (${detail})`);
}

/**
 * Parses the data of a PAX 'x' or 'g' header. Values stay bytes: SCHILY.xattr values are
 * binary. Trailing NULs (some writers pad the data) end the list.
 */
export function parsePaxRecords(data: Buffer): PaxRecord[] {
  const records: PaxRecord[] = [];
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    const space = data.indexOf(SPACE, pos);
    if (space === -1 || space === pos || space - pos > 20) throw malformed('no length');
    const lengthText = data.toString('latin1', pos, space);
    if (!/^[0-9]+$/.test(lengthText)) throw malformed(`bad length ${JSON.stringify(lengthText)}`);
    const end = pos + Number(lengthText);
    if (end <= space + 1 || end > data.length) throw malformed('length out of range');
    if (data[end - 1] !== NEWLINE) throw malformed('no trailing newline');
    const equals = data.indexOf(EQUALS, space + 1);
    if (equals === -1 || equals >= end - 1 || equals === space + 1) throw malformed('no key');
    records.push({
      key: data.toString('utf8', space + 1, equals),
      value: data.subarray(equals + 1, end - 1),
    });
    pos = end;
  }
  return records;
}

/** Encodes records as the data of a PAX extended header. */
export function encodePaxRecords(records: readonly PaxRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const { key, value } of records) {
    if (key === '' || key.includes('=') || key.includes('\n')) {
      throw invalidArgument(`cannot write PAX record with key ${JSON.stringify(key)}`);
    }
    const keyBytes = Buffer.from(key, 'utf8');
    // The length counts itself: find the fixed point of "digits + rest".
    const rest = keyBytes.length + value.length + 3; // ' ', '=', '\n'
    let length = rest + String(rest).length;
    if (String(length).length !== String(rest).length) length = rest + String(length).length;
    parts.push(Buffer.from(`${length} `, 'latin1'), keyBytes, Buffer.of(EQUALS), value);
    parts.push(Buffer.of(NEWLINE));
  }
  return Buffer.concat(parts);
}

/*
 * The part of the DNS wire format (RFC 1035) the embedded resolver needs, pure: a query's
 * header and first question, and answers with A records.
 */

export const TYPE_A = 1;
export const CLASS_IN = 1;
export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;

export interface DnsQuestion {
  /** Lowercase, without the trailing dot. */
  name: string;
  type: number;
  class: number;
}

export interface DnsQuery {
  id: number;
  /** Recursion desired (copied into the answer). */
  recursionDesired: boolean;
  opcode: number;
  question: DnsQuestion;
  /** Where the question ends in the message (the answers follow it in a reply). */
  questionEnd: number;
}

/** The query in `message`, or undefined when it is not a well-formed standard query. */
export function parseQuery(message: Buffer): DnsQuery | undefined {
  if (message.length < 12) return undefined;
  const flags = message.readUInt16BE(2);
  const isResponse = (flags & 0x8000) !== 0;
  const questions = message.readUInt16BE(4);
  if (isResponse || questions < 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    if (at >= message.length) return undefined;
    const length = message[at] as number;
    at += 1;
    if (length === 0) break;
    // Compression pointers do not occur in a query's first name.
    if (length > 63 || at + length > message.length) return undefined;
    labels.push(
      message
        .subarray(at, at + length)
        .toString('latin1')
        .toLowerCase(),
    );
    at += length;
  }
  if (at + 4 > message.length) return undefined;
  return {
    id: message.readUInt16BE(0),
    recursionDesired: (flags & 0x0100) !== 0,
    opcode: (flags >> 11) & 0xf,
    question: {
      name: labels.join('.'),
      type: message.readUInt16BE(at),
      class: message.readUInt16BE(at + 2),
    },
    questionEnd: at + 4,
  };
}

/**
 * A reply to `query` (from the original `message`, whose question it repeats): `rcode`, and one
 * A record per address (TTL 600, as Docker's resolver gives).
 */
export function buildReply(
  message: Buffer,
  query: DnsQuery,
  rcode: number,
  addresses: readonly string[] = [],
): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.id, 0);
  // QR, the query's opcode, AA (the resolver owns these names), RD as asked, RA.
  const flags =
    0x8000 | (query.opcode << 11) | 0x0400 | (query.recursionDesired ? 0x0100 : 0) | 0x0080 | rcode;
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const question = message.subarray(12, query.questionEnd);
  const answers = addresses.map((address) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(600, 6);
    rr.writeUInt16BE(4, 10);
    address.split('.').forEach((part, i) => rr.writeUInt8(Number(part), 12 + i));
    return rr;
  });
  return Buffer.concat([header, question, ...answers]);
}

/** A standard query for `name` (what a client sends; for tests and forwarding checks). */
export function buildQuery(id: number, name: string, type = TYPE_A): Buffer {
  const labels = name.split('.').filter((l) => l !== '');
  const parts = labels.map((l) =>
    Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]),
  );
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(CLASS_IN, 3);
  return Buffer.concat([header, ...parts, tail]);
}

/** The A addresses and rcode of a reply (for tests). */
export function parseReply(message: Buffer): { rcode: number; addresses: string[] } {
  const rcode = message.readUInt16BE(2) & 0xf;
  const answers = message.readUInt16BE(6);
  const query = parseQuery(
    Buffer.concat([message.subarray(0, 2), Buffer.from([0, 0]), message.subarray(4)]),
  );
  let at = query?.questionEnd ?? message.length;
  const addresses: string[] = [];
  for (let i = 0; i < answers && at + 12 <= message.length; i++) {
    const type = message.readUInt16BE(at + 2);
    const length = message.readUInt16BE(at + 10);
    if (type === TYPE_A && length === 4) {
      addresses.push([...message.subarray(at + 12, at + 16)].join('.'));
    }
    at += 12 + length;
  }
  return { rcode, addresses };
}

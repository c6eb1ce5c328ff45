import { internal, invalidArgument } from '../core/index.js';
import { type ChunkReader, createChunkReader } from './chunk-reader.js';
import { parsePaxRecords } from './pax-records.js';
import { BLOCK_SIZE, paddingOf } from './tar-fields.js';
import {
  decodeHeaderBlock,
  isZeroBlock,
  type RawTarHeader,
  resolveHeader,
  type TarHeader,
} from './tar-header.js';

export interface TarEntry {
  header: TarHeader;
  /**
   * The entry's body as subarrays of the input chunks. Reading it is optional — the reader
   * skips unread bytes before the next entry — and possible once, before the next entry is
   * requested.
   */
  body(): AsyncIterable<Buffer>;
  /** The whole body in one buffer (same rules as body()). */
  buffer(): Promise<Buffer>;
}

/**
 * What a raw chunk is: 'header' (header blocks, PAX and GNU extension headers with their data
 * and padding), 'body' (exactly an entry's content bytes), 'padding' (zeros after a body up to
 * the block boundary), 'end' (the end-of-archive blocks and everything after them).
 */
export type TarRawKind = 'header' | 'body' | 'padding' | 'end';

export interface ReadTarOptions {
  signal?: AbortSignal;
  /**
   * Sees every byte of the input in order: concatenating the chunks reproduces it exactly
   * (tar-split). Chunks may be subarrays of the input chunks.
   */
  onRaw?: (chunk: Buffer, kind: TarRawKind) => void;
}

/** PAX and GNU long-name data larger than this is refused (Go's archive/tar allows 1 MiB). */
const MAX_EXTENSION_SIZE = 16 * 1024 * 1024;

function truncated(): Error {
  return invalidArgument('invalid tar archive: unexpected end of data');
}

interface EntryState {
  remaining: number;
  padding: number;
  taken: boolean;
  done: boolean;
}

/**
 * Iterates the entries of a tar archive (ustar, PAX with 'x' and 'g' headers, GNU long names
 * and links, GNU base-256 numbers, V7). The input is read to its very end, also past the
 * end-of-archive blocks. Truncated or corrupt input throws an invalidArgument MoorError.
 */
export async function* readTar(
  source: AsyncIterable<Buffer>,
  options: ReadTarOptions = {},
): AsyncGenerator<TarEntry> {
  const reader = createChunkReader(source, options.signal);
  const onRaw = options.onRaw ?? (() => undefined);
  const globalPax = new Map<string, Buffer>();
  let current: EntryState | undefined;
  try {
    for (;;) {
      if (current) await finishEntry(reader, current, onRaw);
      current = undefined;
      const next = await readHeader(reader, globalPax, onRaw);
      if (next === null) return;
      const { header, dataSize } = next;
      const state: EntryState = {
        remaining: dataSize,
        padding: paddingOf(dataSize),
        taken: false,
        done: false,
      };
      current = state;
      const body = () => entryBody(reader, state, onRaw);
      yield { header, body, buffer: () => collect(body(), dataSize) };
    }
  } finally {
    if (current) current.done = true;
    await reader.close();
  }
}

/** Reads header blocks up to the next entry; null at the end of the archive. */
async function readHeader(
  reader: ChunkReader,
  globalPax: Map<string, Buffer>,
  onRaw: NonNullable<ReadTarOptions['onRaw']>,
): Promise<{ header: TarHeader; dataSize: number } | null> {
  let longName: string | undefined;
  let longLink: string | undefined;
  const localPax = new Map<string, Buffer>();
  let extended = false;
  for (;;) {
    const block = await reader.read(BLOCK_SIZE);
    // An archive may end without end-of-archive blocks, but not inside an entry.
    if (block.length === 0 && !extended) return null;
    if (block.length < BLOCK_SIZE) throw truncated();
    if (isZeroBlock(block)) {
      if (extended) throw invalidArgument('invalid tar archive: extension header without entry');
      onRaw(block, 'end');
      for (let rest = await reader.next(Infinity); rest; rest = await reader.next(Infinity)) {
        onRaw(rest, 'end');
      }
      return null;
    }
    onRaw(block, 'header');
    const raw = decodeHeaderBlock(block);
    if (!isExtension(raw.flag)) {
      const pax = new Map(globalPax);
      for (const [key, value] of localPax) {
        if (value.length === 0) pax.delete(key);
        else pax.set(key, value);
      }
      const header = resolveHeader(raw, { longName, longLink, pax });
      return { header, dataSize: header.type === 'file' ? header.size : 0 };
    }
    if (raw.flag !== 'V') extended = true;
    const data = await readExtensionData(reader, raw, onRaw);
    if (raw.flag === 'L') longName = cString(data);
    else if (raw.flag === 'K') longLink = cString(data);
    else if (raw.flag === 'x') {
      for (const { key, value } of parsePaxRecords(data)) localPax.set(key, value);
    } else if (raw.flag === 'g') {
      for (const { key, value } of parsePaxRecords(data)) {
        if (value.length === 0) globalPax.delete(key);
        else globalPax.set(key, Buffer.from(value));
      }
    }
  }
}

/** Headers that describe the next entry rather than being one ('V' is a GNU volume label). */
function isExtension(flag: string): boolean {
  return flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K' || flag === 'V';
}

async function readExtensionData(
  reader: ChunkReader,
  raw: RawTarHeader,
  onRaw: NonNullable<ReadTarOptions['onRaw']>,
): Promise<Buffer> {
  if (raw.size > MAX_EXTENSION_SIZE) {
    throw invalidArgument(`invalid tar archive: '${raw.flag}' header data too large`);
  }
  const length = raw.size + paddingOf(raw.size);
  const data = await reader.read(length);
  if (data.length < length) throw truncated();
  onRaw(data, 'header');
  return data.subarray(0, raw.size);
}

function cString(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul === -1 ? data.length : nul);
}

async function* entryBody(
  reader: ChunkReader,
  state: EntryState,
  onRaw: NonNullable<ReadTarOptions['onRaw']>,
): AsyncGenerator<Buffer> {
  if (state.done)
    throw internal('tar entry body is no longer readable: the archive reader moved on');
  if (state.taken) throw internal('tar entry body can be read only once');
  state.taken = true;
  while (state.remaining > 0) {
    if (state.done)
      throw internal('tar entry body is no longer readable: the archive reader moved on');
    const chunk = await reader.next(state.remaining);
    if (chunk === null) throw truncated();
    state.remaining -= chunk.length;
    onRaw(chunk, 'body');
    yield chunk;
  }
}

/** Skips what the consumer left of the body, then the padding. */
async function finishEntry(
  reader: ChunkReader,
  state: EntryState,
  onRaw: NonNullable<ReadTarOptions['onRaw']>,
): Promise<void> {
  state.done = true;
  while (state.remaining > 0) {
    const chunk = await reader.next(state.remaining);
    if (chunk === null) throw truncated();
    state.remaining -= chunk.length;
    onRaw(chunk, 'body');
  }
  if (state.padding === 0) return;
  const padding = await reader.read(state.padding);
  // An archive that ends right after the last body, padding left out (as the docker CLI
  // sends a build context with its Dockerfile added), ends there, as Go's reader allows.
  if (padding.length > 0 && padding.length < state.padding) throw truncated();
  if (padding.length === 0) return;
  onRaw(padding, 'padding');
}

async function collect(chunks: AsyncIterable<Buffer>, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
}

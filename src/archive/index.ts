export {
  type TarEntryType,
  type TarHeader,
  type TarHeaderInput,
  type RawTarHeader,
  completeHeader,
  decodeHeaderBlock,
  encodeHeader,
  isZeroBlock,
} from './tar-header.js';
export { BLOCK_SIZE } from './tar-fields.js';
export { type ReadTarOptions, type TarEntry, type TarRawKind, readTar } from './tar-reader.js';
export { type TarWriter, createTarWriter } from './tar-writer.js';
export {
  type Compression,
  decompressed,
  detectCompression,
  gunzipStream,
  gzipStream,
  isGzip,
} from './compression.js';

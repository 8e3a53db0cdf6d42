// A minimal PNG writer for scanlines the caller has already filtered (each row: its filter byte, then
// the filtered bytes): signature, IHDR, one IDAT, IEND. The deflate runs on libuv's thread pool
// (zlib.deflate), so the JavaScript thread goes on with the next image meanwhile. Used for the
// 16-bit map files (map-files.ts), whose rows the caller filters with PNG's Sub filter as it
// quantises them: a smooth map's neighbouring samples differ little, which deflate then packs at a
// low level — smaller and several times faster than libpng trying every filter on every row.
import { constants, crc32 as zlibCrc32, deflate } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG colour types used here. */
export const PNG_GRAY = 0;
export const PNG_RGB = 2;

/** PNG filter types (per row, first byte). */
export const PNG_FILTER_NONE = 0;
export const PNG_FILTER_SUB = 1;

/** CRC-32 (ISO-HDLC, PNG's) of `bytes`: zlib's own (Node ≥ 20.15; the engines field asks ^20.19). */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export interface PngLayout {
  width: number;
  height: number;
  /** 8 or 16 */
  bitDepth: 8 | 16;
  colorType: typeof PNG_GRAY | typeof PNG_RGB;
}

/** Bytes of one unfiltered row. */
export function pngRowBytes(p: PngLayout): number {
  return p.width * (p.colorType === PNG_RGB ? 3 : 1) * (p.bitDepth / 8);
}

/**
 * A PNG file of `filtered` rows (height × (1 + rowBytes): each row's filter type, then its bytes),
 * deflated at zlib `level` off the JavaScript thread.
 */
export function pngFromFilteredRows(p: PngLayout, filtered: Uint8Array, level: number): Promise<Buffer> {
  if (filtered.length !== p.height * (1 + pngRowBytes(p))) throw new RangeError(`${filtered.length} bytes are not ${p.height} filtered rows of ${pngRowBytes(p)} bytes`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(p.width, 0);
  ihdr.writeUInt32BE(p.height, 4);
  ihdr[8] = p.bitDepth;
  ihdr[9] = p.colorType;
  // compression 0 (deflate), filter method 0, no interlace
  return new Promise((resolve, reject) => {
    // output chunks of half the input (not 16 KiB): a map's IDAT comes back in one piece, not ~12 trips
    // through the main thread; deflate's bytes do not depend on how its output is chunked
    const chunkSize = Math.max(constants.Z_DEFAULT_CHUNK, filtered.length >> 1);
    deflate(filtered, { level, strategy: constants.Z_DEFAULT_STRATEGY, chunkSize }, (err, idat) => {
      if (err) reject(err);
      else resolve(Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]));
    });
  });
}

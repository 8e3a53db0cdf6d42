/**
 * Bad-input corpus for `uploadImage(data: String!)`.
 *
 * Every case is made here, offline and deterministically: valid images are encoded with sharp from
 * generated 64×48 pixels (gradient + checkerboard, so a transposed or cropped decode is visible);
 * only the two truncation cases cut the real photo shared/data/images/both.png. Each case says
 * what the server must answer: a typed error code (`errors[0].extensions.code`) or the decoded
 * width/height/format. `format` is sharp's `metadata().format` name.
 *
 * The server under test decodes with sharp(bytes, { limitInputPixels, failOn: 'error' }).rotate(),
 * flattens alpha on white and converts to sRGB RGB, and accepts only the raster formats jpeg, png,
 * webp, gif, tiff and avif (sharp calls AVIF 'heif').
 *
 * Cases (name → expected answer: why it matters)
 *
 * Undecodable or disallowed bytes → BAD_IMAGE
 *   truncated-jpeg            a real JPEG cut in half: libjpeg only warns ("premature end") unless
 *                             failOn is at least 'truncated'; the server must not accept half a photo.
 *   truncated-png             a real PNG cut in half (no IEND, IDAT stops mid-stream).
 *   zero-bytes                empty string: must be a typed error, not a crash or a 0×0 image.
 *   text-not-image            UTF-8 text (with non-ASCII) encoded as base64.
 *   random-bytes              4 KiB of seeded pseudo-random noise: no magic number matches.
 *   svg                       a well-formed SVG that sharp (librsvg) WOULD render: only a format
 *                             allow-list rejects it. Vector input is script/XXE/SSRF surface.
 *   pdf-claiming-png          a PDF sent as data:image/png: the claimed MIME type must not be trusted.
 *   html-claiming-jpeg        an HTML page with an inline <svg>, sent as data:image/jpeg; libvips'
 *                             SVG sniffer bites on the <svg> and fails on the HTML root.
 *   base64-invalid-chars      base64 of a valid PNG with '!', '*', '~' spliced in. Node's lenient
 *                             Buffer.from(s, 'base64') skips them and yields the valid PNG, so only a
 *                             strict base64 check answers BAD_IMAGE.
 *
 * Too many pixels or bytes → IMAGE_TOO_LARGE
 *   png-bomb-20000x20000      a VALID 1-bit grayscale PNG of 20000×20000 = 4e8 px whose IDAT is a
 *                             deflated stream of zero rows: ~48 KB on the wire, 50 MB inflated, 400 MB+
 *                             once decoded. limitInputPixels must stop it at the header.
 *   jpeg-header-65500x65500   a valid 64×48 JPEG whose SOF claims 65500×65500 (4.3e9 px): refused
 *                             from the header alone, before any scan data is read.
 *   image-bytes-over-limit    a valid PNG padded (private ancillary chunk 'paDd') to exactly
 *                             maxImageBytes + 1 bytes; its base64 plus a GraphQL envelope still fits
 *                             under maxRequestBytes, so only the decoded-size check can answer.
 *
 * Too large a request → REQUEST_TOO_LARGE
 *   request-over-limit        a valid padded PNG whose base64 is just longer than maxRequestBytes:
 *                             the body limit must fire before the string is decoded.
 *
 * Valid images → ok (width × height after EXIF rotation, format)
 *   baseline-png              plain 8-bit RGB PNG, raw base64: the control case.
 *   cmyk-jpeg                 CMYK JPEG (4 channels, no ICC profile): must come out as sRGB.
 *   rgb16-png                 16-bit-per-channel RGB PNG: must be scaled to 8 bits, not truncated.
 *   gray-png                  8-bit grayscale PNG (1 channel): must be expanded to RGB.
 *   gray-jpeg                 8-bit grayscale JPEG (1 channel).
 *   rgba-png-transparent      RGBA PNG with fully and partly transparent areas: flattened on white.
 *   animated-gif-3-frames     3 distinct 64×48 frames: the answer is ONE frame, 64×48 (sharp's
 *                             metadata without `pages: -1` reports height = frame height, pages = 3),
 *                             not the 64×144 strip of all frames.
 *   exif-orientation-6-jpeg   64×48 JPEG with EXIF Orientation 6 (rotate 90° CW): answer 48×64.
 *   exif-orientation-6-png    the same orientation in a PNG eXIf chunk: answer 48×64.
 *   data-url-png              data:image/png;base64,… of a valid PNG.
 *   data-url-text-plain-png   data:text/plain;base64,… of a valid PNG: the bytes decide, not the label.
 *   data-url-jpeg-label-png   data:image/jpeg;base64,… of a valid PNG: format is 'png', from the bytes.
 *
 * corpus() throws a RangeError when the limits leave a case unable to test what it says: the bomb
 * needs maxImagePixels < 4e8, image-bytes-over-limit needs 4/3·maxImageBytes + the envelope
 * allowance to fit under maxRequestBytes, and maxImageBytes must be at least MIN_IMAGE_BYTES so
 * that every other case is refused (or accepted) for its content, not for its size.
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createDeflate } from 'node:zlib';
import sharp from 'sharp';

export type ExpectedError = 'BAD_IMAGE' | 'IMAGE_TOO_LARGE' | 'REQUEST_TOO_LARGE';

export interface CorpusCase {
  name: string; // short, unique, kebab-case
  description: string;
  /** The `data` argument of uploadImage: base64, or a data URL where the case is about data URLs. */
  data(): Promise<string>;
  /** Either the typed error code expected in errors[0].extensions.code, or a successful decode. */
  expect: { error: ExpectedError } | { ok: { width: number; height: number; format: string } };
}

export interface CorpusLimits {
  maxImageBytes: number;
  maxRequestBytes: number;
  maxImagePixels: number;
}

/** Bytes allowed for the GraphQL request around `data` (query text, JSON, variables). */
export const REQUEST_ENVELOPE_BYTES = 16 * 1024;
/** The smallest maxImageBytes under which every content case still fits by size. */
export const MIN_IMAGE_BYTES = 256 * 1024;
/** Side of the decompression-bomb PNG. */
export const BOMB_SIDE = 20_000;
/** Side claimed by the lying JPEG header (libjpeg's maximum dimension). */
export const LYING_JPEG_SIDE = 65_500;
/** Size of the generated source images. */
export const WIDTH = 64;
export const HEIGHT = 48;

const PHOTO = fileURLToPath(new URL('../../../../shared/data/images/both.png', import.meta.url));

// ---------- generated pixels and encoders ----------

/** Interleaved 8-bit pixels: red/green gradients, blue 8×8 checkerboard, alpha fading left to right with a clear band. */
function pixels(channels: 1 | 3 | 4, frame = 0): Buffer {
  const out = Buffer.alloc(WIDTH * HEIGHT * channels);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const r = (x * 4 + frame * 85) & 255;
      const g = (y * 5 + frame * 40) & 255;
      const b = ((x >> 3) + (y >> 3) + frame) % 2 ? 220 : 30;
      const i = (y * WIDTH + x) * channels;
      if (channels === 1) {
        out[i] = (r + g + b) / 3;
        continue;
      }
      out[i] = r;
      out[i + 1] = g;
      out[i + 2] = b;
      if (channels === 4) out[i + 3] = y < 8 ? 0 : 255 - x * 3;
    }
  }
  return out;
}

const image = (channels: 1 | 3 | 4) => sharp(pixels(channels), { raw: { width: WIDTH, height: HEIGHT, channels } });
const gray = () => image(1).toColourspace('b-w');
const png = () => image(3).png().toBuffer();
const jpeg = () => image(3).jpeg({ quality: 90 }).toBuffer();

function animatedGif(frames: number): Promise<Buffer> {
  const strip = Buffer.concat(Array.from({ length: frames }, (_, f) => pixels(3, f)));
  return sharp(strip, { raw: { width: WIDTH, height: HEIGHT * frames, channels: 3, pageHeight: HEIGHT } })
    .gif()
    .toBuffer();
}

async function photoHalf(format: 'jpeg' | 'png'): Promise<Buffer> {
  const photo = await readFile(PHOTO);
  const bytes = format === 'png' ? photo : await sharp(photo).jpeg({ quality: 90 }).toBuffer();
  return bytes.subarray(0, bytes.length >> 1);
}

/** Seeded pseudo-random bytes (mulberry32). */
function randomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) >>> 24;
  }
  return out;
}

// ---------- PNG chunks ----------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Grow a PNG to exactly `total` bytes with a private ancillary chunk ('paDd') before IEND; decoders ignore it. */
function padPng(bytes: Buffer, total: number): Buffer {
  const iend = bytes.length - 12;
  if (bytes.toString('latin1', iend + 4, iend + 8) !== 'IEND') throw new Error('PNG does not end with IEND');
  const fill = total - bytes.length - 12;
  if (fill < 0) throw new RangeError(`cannot pad a ${bytes.length}-byte PNG to ${total} bytes`);
  return Buffer.concat([bytes.subarray(0, iend), pngChunk('paDd', Buffer.alloc(fill)), bytes.subarray(iend)]);
}

let bomb: Promise<Buffer> | undefined;

/** The 20000×20000 1-bit grayscale bomb PNG, built once per process (~0.1 s). */
export function bombPng(): Promise<Buffer> {
  bomb ??= buildBomb();
  return bomb;
}

async function buildBomb(): Promise<Buffer> {
  const rowBytes = 1 + BOMB_SIDE / 8; // filter byte 0 (None) + 2500 bytes of black pixels
  const rowsPerWrite = 100;
  const zeroRows = Buffer.alloc(rowBytes * rowsPerWrite); // reused for every write
  function* rows(): Generator<Buffer> {
    for (let y = 0; y < BOMB_SIDE; y += rowsPerWrite) yield zeroRows;
  }
  const idat: Buffer[] = [];
  await pipeline(Readable.from(rows()), createDeflate({ level: 9 }), async (deflated: AsyncIterable<Buffer>) => {
    for await (const part of deflated) idat.push(part);
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(BOMB_SIDE, 0);
  ihdr.writeUInt32BE(BOMB_SIDE, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, colour type 0 (gray), deflate, adaptive filtering, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.concat(idat)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------- JPEG header ----------

/** A copy of `bytes` whose first SOF segment claims `width`×`height`; the scan data is untouched. */
function claimJpegSize(bytes: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 2; i + 9 <= out.length; i += 2 + out.readUInt16BE(i + 2)) {
    if (out[i] !== 0xff) throw new Error(`malformed JPEG segment at ${i}`);
    const marker = out[i + 1];
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): FF Cn, length, precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
  }
  throw new Error('no SOF segment in JPEG');
}

// ---------- encodings ----------

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
const dataUrl = (mime: string, bytes: Uint8Array) => `data:${mime};base64,${b64(bytes)}`;
/** Length of the base64 encoding of `bytes` bytes. */
export const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);

const TEXT = 'This is not an image.\nCeci n’est pas une image. 这不是图片。 🖼️\n';
const SVG =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">` +
  '<rect width="100%" height="100%" fill="#2a6"/><circle cx="32" cy="24" r="16" fill="#fff"/></svg>\n';
const PDF =
  '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' +
  '2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n';
const HTML =
  '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>cat.jpg</title></head><body>\n' +
  `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}"><rect width="64" height="48" fill="red"/></svg>\n` +
  '<script>alert(1)</script>\n</body></html>\n';

function assertLimits({ maxImageBytes, maxRequestBytes, maxImagePixels }: CorpusLimits): void {
  for (const [k, v] of Object.entries({ maxImageBytes, maxRequestBytes, maxImagePixels })) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${k} must be a positive integer, got ${v}`);
  }
  if (maxImagePixels >= BOMB_SIDE * BOMB_SIDE) {
    throw new RangeError(`maxImagePixels (${maxImagePixels}) must be below ${BOMB_SIDE}² for the bomb to be refused`);
  }
  if (maxImageBytes < MIN_IMAGE_BYTES) {
    throw new RangeError(`maxImageBytes (${maxImageBytes}) must be at least ${MIN_IMAGE_BYTES} for the content cases to fit`);
  }
  const needed = base64Length(maxImageBytes + 1) + REQUEST_ENVELOPE_BYTES;
  if (needed > maxRequestBytes) {
    throw new RangeError(
      `maxRequestBytes (${maxRequestBytes}) leaves no room for a base64 upload of maxImageBytes + 1 bytes: needs ${needed}`,
    );
  }
}

const ok = (format: string, width = WIDTH, height = HEIGHT) => ({ ok: { width, height, format } });
const fail = (error: ExpectedError) => ({ error });

/** The corpus for a server configured with `limits`. */
export function corpus(limits: CorpusLimits): CorpusCase[] {
  assertLimits(limits);
  const { maxImageBytes, maxRequestBytes } = limits;
  // The smallest decoded size whose base64 is longer than maxRequestBytes.
  const requestBytes = 3 * (Math.floor(maxRequestBytes / 4) + 1);
  const cases: CorpusCase[] = [
    // ---- BAD_IMAGE ----
    {
      name: 'truncated-jpeg',
      description: 'both.png re-encoded as JPEG and cut in half: no EOI, half the scan missing',
      data: async () => b64(await photoHalf('jpeg')),
      expect: fail('BAD_IMAGE'),
    },
    {
      name: 'truncated-png',
      description: 'both.png cut in half: IDAT stream ends early, no IEND',
      data: async () => b64(await photoHalf('png')),
      expect: fail('BAD_IMAGE'),
    },
    {
      name: 'zero-bytes',
      description: 'empty string: zero bytes of image',
      data: async () => '',
      expect: fail('BAD_IMAGE'),
    },
    {
      name: 'text-not-image',
      description: 'UTF-8 text (with non-ASCII characters) as base64',
      data: async () => b64(Buffer.from(TEXT, 'utf8')),
      expect: fail('BAD_IMAGE'),
    },
    {
      name: 'random-bytes',
      description: '4096 seeded pseudo-random bytes',
      data: async () => b64(randomBytes(4096, 0x5eed)),
      expect: fail('BAD_IMAGE'),
    },
    {
      name: 'svg',
      description: 'a well-formed 64×48 SVG that sharp can render: vector formats are not in the raster allow-list',
      data: async () => b64(Buffer.from(SVG, 'utf8')),
      expect: fail('BAD_IMAGE'),
    },
    {
      name: 'pdf-claiming-png',
      description: 'a minimal PDF sent as data:image/png;base64: the claimed MIME type is not trusted',
      data: async () => dataUrl('image/png', Buffer.from(PDF, 'latin1')),
      expect: fail('BAD_IMAGE'),
    },
    {
      name: 'html-claiming-jpeg',
      description: 'an HTML page with an inline <svg> and a <script>, sent as data:image/jpeg;base64',
      data: async () => dataUrl('image/jpeg', Buffer.from(HTML, 'utf8')),
      expect: fail('BAD_IMAGE'),
    },
    {
      name: 'base64-invalid-chars',
      description: "base64 of a valid PNG with '!', '*', '~' spliced in; lenient decoders skip them, a strict one must refuse",
      data: async () => {
        const s = b64(await png());
        return `${s.slice(0, 8)}!*${s.slice(8, 40)}~${s.slice(40)}`;
      },
      expect: fail('BAD_IMAGE'),
    },
    // ---- IMAGE_TOO_LARGE ----
    {
      name: 'png-bomb-20000x20000',
      description: 'a valid 1-bit grayscale PNG, 20000×20000 = 4e8 px of zero rows deflated to ~48 KB',
      data: async () => b64(await bombPng()),
      expect: fail('IMAGE_TOO_LARGE'),
    },
    {
      name: 'jpeg-header-65500x65500',
      description: 'a valid 64×48 JPEG whose SOF header claims 65500×65500 pixels',
      data: async () => b64(claimJpegSize(await jpeg(), LYING_JPEG_SIDE, LYING_JPEG_SIDE)),
      expect: fail('IMAGE_TOO_LARGE'),
    },
    {
      name: 'image-bytes-over-limit',
      description: `a valid 64×48 PNG padded to maxImageBytes + 1 = ${maxImageBytes + 1} bytes; the request stays under maxRequestBytes`,
      data: async () => b64(padPng(await png(), maxImageBytes + 1)),
      expect: fail('IMAGE_TOO_LARGE'),
    },
    // ---- REQUEST_TOO_LARGE ----
    {
      name: 'request-over-limit',
      description: `a valid PNG padded to ${requestBytes} bytes: its base64 (${base64Length(requestBytes)} chars) exceeds maxRequestBytes = ${maxRequestBytes}`,
      data: async () => b64(padPng(await png(), requestBytes)),
      expect: fail('REQUEST_TOO_LARGE'),
    },
    // ---- ok ----
    {
      name: 'baseline-png',
      description: 'plain 8-bit RGB PNG as raw base64: the control case',
      data: async () => b64(await png()),
      expect: ok('png'),
    },
    {
      name: 'cmyk-jpeg',
      description: 'CMYK JPEG without an ICC profile',
      data: async () => b64(await image(3).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer()),
      expect: ok('jpeg'),
    },
    {
      name: 'rgb16-png',
      description: '16 bits per channel RGB PNG',
      data: async () => b64(await image(3).toColourspace('rgb16').png().toBuffer()),
      expect: ok('png'),
    },
    {
      name: 'gray-png',
      description: '8-bit grayscale PNG (1 channel)',
      data: async () => b64(await gray().png().toBuffer()),
      expect: ok('png'),
    },
    {
      name: 'gray-jpeg',
      description: '8-bit grayscale JPEG (1 channel)',
      data: async () => b64(await gray().jpeg({ quality: 90 }).toBuffer()),
      expect: ok('jpeg'),
    },
    {
      name: 'rgba-png-transparent',
      description: 'RGBA PNG: top 8 rows fully transparent, alpha fading left to right elsewhere',
      data: async () => b64(await image(4).png().toBuffer()),
      expect: ok('png'),
    },
    {
      name: 'animated-gif-3-frames',
      description: 'animated GIF of 3 distinct 64×48 frames; the answer is one frame (metadata without pages: -1 reports height 48, pages 3)',
      data: async () => b64(await animatedGif(3)),
      expect: ok('gif', WIDTH, HEIGHT),
    },
    {
      name: 'exif-orientation-6-jpeg',
      description: '64×48 JPEG with EXIF Orientation 6 (90° clockwise): 48×64 after rotation',
      data: async () => b64(await image(3).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer()),
      expect: ok('jpeg', HEIGHT, WIDTH),
    },
    {
      name: 'exif-orientation-6-png',
      description: '64×48 PNG with EXIF Orientation 6 in an eXIf chunk: 48×64 after rotation',
      data: async () => b64(await image(3).png().withMetadata({ orientation: 6 }).toBuffer()),
      expect: ok('png', HEIGHT, WIDTH),
    },
    {
      name: 'data-url-png',
      description: 'data:image/png;base64,… of a valid PNG',
      data: async () => dataUrl('image/png', await png()),
      expect: ok('png'),
    },
    {
      name: 'data-url-text-plain-png',
      description: 'data:text/plain;base64,… of a valid PNG: the bytes decide, not the label',
      data: async () => dataUrl('text/plain', await png()),
      expect: ok('png'),
    },
    {
      name: 'data-url-jpeg-label-png',
      description: "data:image/jpeg;base64,… of a valid PNG: the format is 'png', read from the bytes",
      data: async () => dataUrl('image/jpeg', await png()),
      expect: ok('png'),
    },
  ];
  return cases;
}

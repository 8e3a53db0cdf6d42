// Validates the uploadImage bad-input corpus itself, without a server: each case is what it claims,
// and sharp, run the way the server runs it, gives the expected answer.
import { beforeAll, describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  BOMB_SIDE,
  HEIGHT,
  LYING_JPEG_SIDE,
  REQUEST_ENVELOPE_BYTES,
  WIDTH,
  bombPng,
  corpus,
  type CorpusCase,
  type CorpusLimits,
} from './corpus.js';

const LIMITS: CorpusLimits = { maxImageBytes: 1_000_000, maxRequestBytes: 2_000_000, maxImagePixels: 40_000_000 };
/** sharp's names for the raster formats the server accepts (AVIF is reported as 'heif'). */
const RASTER = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

/** The server's reading of `data`: an optional data URL prefix, then strict base64. */
function strictDecode(data: string): Buffer {
  let payload = data;
  if (data.startsWith('data:')) {
    const m = /^data:[^,]*;base64,/.exec(data);
    if (!m) throw new Error('data URL is not base64');
    payload = data.slice(m[0].length);
  }
  if (payload.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) throw new Error('invalid base64');
  return Buffer.from(payload, 'base64');
}

const open = (bytes: Buffer, limitInputPixels: number | false = LIMITS.maxImagePixels) =>
  sharp(bytes, { limitInputPixels, failOn: 'error' });

/** The server's decode: rotate by EXIF, flatten on white, 8-bit sRGB RGB. */
async function decode(bytes: Buffer) {
  const meta = await open(bytes).rotate().metadata();
  const { info } = await open(bytes)
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { meta, info };
}

async function rejection(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const cases = corpus(LIMITS);
const data = new Map<string, string>();
const bytes = (name: string) => strictDecode(data.get(name) ?? '');
const withExpect = <K extends 'ok' | 'error'>(k: K) => cases.filter((c) => k in c.expect);
const errorOf = (c: CorpusCase) => ('error' in c.expect ? c.expect.error : undefined);

beforeAll(async () => {
  const all = await Promise.all(cases.map(async (c) => [c.name, await c.data()] as const));
  for (const [name, d] of all) data.set(name, d);
});

describe('bad-input corpus', () => {
  it('has unique kebab-case names, descriptions, and every required case', () => {
    const names = cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of cases) {
      expect(c.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.description.length).toBeGreaterThan(10);
    }
    expect(names).toEqual(expect.arrayContaining([
      'truncated-jpeg', 'truncated-png', 'zero-bytes', 'text-not-image', 'random-bytes', 'svg',
      'pdf-claiming-png', 'html-claiming-jpeg', 'base64-invalid-chars', 'png-bomb-20000x20000',
      'jpeg-header-65500x65500', 'image-bytes-over-limit', 'request-over-limit', 'cmyk-jpeg', 'rgb16-png',
      'gray-png', 'gray-jpeg', 'rgba-png-transparent', 'animated-gif-3-frames', 'exif-orientation-6-jpeg',
      'exif-orientation-6-png', 'data-url-png', 'data-url-text-plain-png',
    ]));
  });

  it('is deterministic', async () => {
    for (const c of cases) expect(await c.data(), c.name).toBe(data.get(c.name));
  });

  it('fits every case but the size cases within both limits', () => {
    for (const c of cases) {
      if (c.name === 'image-bytes-over-limit' || c.name === 'request-over-limit') continue;
      const d = data.get(c.name) ?? '';
      expect(d.length + REQUEST_ENVELOPE_BYTES, c.name).toBeLessThanOrEqual(LIMITS.maxRequestBytes);
      expect(Buffer.from(d.replace(/^data:[^,]*,/, ''), 'base64').length, c.name).toBeLessThanOrEqual(LIMITS.maxImageBytes);
    }
  });

  it.each(withExpect('ok').map((c) => [c.name, c] as const))('%s decodes to the expected size and format', async (name, c) => {
    if (!('ok' in c.expect)) throw new Error('not an ok case');
    const { meta, info } = await decode(bytes(name));
    expect({ width: info.width, height: info.height, format: meta.format }).toEqual(c.expect.ok);
    expect(info.channels).toBe(3);
  });

  it.each(withExpect('error').filter((c) => errorOf(c) === 'BAD_IMAGE').map((c) => [c.name] as const))(
    '%s is refused as BAD_IMAGE',
    async (name) => {
      let buf: Buffer;
      try {
        buf = bytes(name);
      } catch {
        return; // not strict base64
      }
      const failure = await rejection(decode(buf));
      if (failure !== undefined) {
        expect(failure).not.toMatch(/pixel limit/i);
        return;
      }
      const { format } = await open(buf).metadata();
      expect(RASTER.has(format), `${name} decodes as ${format}`).toBe(false);
    },
  );

  it('makes the size cases land just past their limits', () => {
    const over = bytes('image-bytes-over-limit');
    expect(over.length).toBe(LIMITS.maxImageBytes + 1);
    expect((data.get('image-bytes-over-limit') ?? '').length + REQUEST_ENVELOPE_BYTES).toBeLessThanOrEqual(LIMITS.maxRequestBytes);
    const request = data.get('request-over-limit') ?? '';
    expect(request.length).toBeGreaterThan(LIMITS.maxRequestBytes);
    expect(request.length).toBeLessThanOrEqual(LIMITS.maxRequestBytes + 4);
  });

  it('pads the size cases around valid images, so that only their size is wrong', async () => {
    for (const name of ['image-bytes-over-limit', 'request-over-limit']) {
      const { meta, info } = await decode(bytes(name));
      expect([meta.format, info.width, info.height], name).toEqual(['png', WIDTH, HEIGHT]);
    }
  });

  it('builds a valid, small 20000×20000 bomb that sharp refuses at the pixel limit', async () => {
    const bomb = bytes('png-bomb-20000x20000');
    expect(bomb).toEqual(await bombPng());
    expect(bomb.length).toBeLessThan(1_000_000);
    expect(bomb.toString('latin1', 12, 16)).toBe('IHDR');
    expect([bomb.readUInt32BE(16), bomb.readUInt32BE(20)]).toEqual([BOMB_SIDE, BOMB_SIDE]);
    // One IDAT holding 20000 rows of (filter byte + 2500 bytes), all zero.
    const idatLength = bomb.readUInt32BE(33);
    expect(bomb.toString('latin1', 37, 41)).toBe('IDAT');
    const inflated = inflateSync(bomb.subarray(41, 41 + idatLength));
    expect(inflated.length).toBe(BOMB_SIDE * (1 + BOMB_SIDE / 8));
    expect(inflated.equals(Buffer.alloc(inflated.length))).toBe(true);
    // libpng checks the chunk CRCs while reading the header.
    const meta = await open(bomb, false).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', BOMB_SIDE, BOMB_SIDE]);
    expect(await rejection(decode(bomb))).toMatch(/pixel limit/i);
  });

  it('refuses the lying JPEG header at the pixel limit', async () => {
    const jpeg = bytes('jpeg-header-65500x65500');
    const meta = await open(jpeg, false).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', LYING_JPEG_SIDE, LYING_JPEG_SIDE]);
    expect(await rejection(decode(jpeg))).toMatch(/pixel limit/i);
  });

  it('makes each special case what its name says', async () => {
    const meta = async (name: string, pages?: number) => sharp(bytes(name), { pages }).metadata();
    expect((await meta('cmyk-jpeg')).space).toBe('cmyk');
    expect((await meta('rgb16-png')).depth).toBe('ushort');
    expect((await meta('gray-png')).channels).toBe(1);
    expect((await meta('gray-jpeg')).channels).toBe(1);
    const rgba = await sharp(bytes('rgba-png-transparent')).stats();
    expect(rgba.channels[3].min).toBe(0);
    expect(rgba.isOpaque).toBe(false);
    const gif = await meta('animated-gif-3-frames');
    expect([gif.height, gif.pages]).toEqual([HEIGHT, 3]);
    expect((await meta('animated-gif-3-frames', -1)).height).toBe(3 * HEIGHT);
    for (const name of ['exif-orientation-6-jpeg', 'exif-orientation-6-png']) {
      const m = await meta(name);
      expect([m.orientation, m.width, m.height], name).toEqual([6, WIDTH, HEIGHT]);
    }
    expect((await meta('svg')).format).toBe('svg'); // decodable: only the allow-list refuses it
    const jpeg = bytes('truncated-jpeg');
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    expect(jpeg.subarray(-2)).not.toEqual(Buffer.from([0xff, 0xd9]));
    const png = bytes('truncated-png');
    expect(png.toString('latin1', 1, 4)).toBe('PNG');
    expect(png.includes('IEND')).toBe(false);
  });

  it('uses the data URLs it names', () => {
    const prefix = (name: string) => (data.get(name) ?? '').slice(0, (data.get(name) ?? '').indexOf(',') + 1);
    expect(prefix('data-url-png')).toBe('data:image/png;base64,');
    expect(prefix('data-url-text-plain-png')).toBe('data:text/plain;base64,');
    expect(prefix('data-url-jpeg-label-png')).toBe('data:image/jpeg;base64,');
    expect(prefix('pdf-claiming-png')).toBe('data:image/png;base64,');
    expect(bytes('pdf-claiming-png').toString('latin1', 0, 5)).toBe('%PDF-');
    expect(prefix('html-claiming-jpeg')).toBe('data:image/jpeg;base64,');
  });

  it('hides a valid PNG in the invalid base64, so that only a strict decoder refuses it', () => {
    const d = data.get('base64-invalid-chars') ?? '';
    expect(() => strictDecode(d)).toThrow(/invalid base64/);
    expect(Buffer.from(d, 'base64')).toEqual(bytes('baseline-png'));
  });

  it('refuses limits that leave a case unable to test what it says', () => {
    expect(() => corpus({ ...LIMITS, maxImagePixels: BOMB_SIDE * BOMB_SIDE })).toThrow(RangeError);
    expect(() => corpus({ ...LIMITS, maxRequestBytes: LIMITS.maxImageBytes })).toThrow(RangeError);
    expect(() => corpus({ ...LIMITS, maxImageBytes: 1000 })).toThrow(RangeError);
    expect(() => corpus({ ...LIMITS, maxImagePixels: 0 })).toThrow(RangeError);
  });
});

// The mechanisms behind `explain`'s per-image speed (issue 17), each against what it replaced — no
// timings here (they are test/bench/cli.bench.mjs's business):
// * the fast JSON float formatter prints exactly what toPrecision(9) + JSON.stringify printed, as text
//   and as the bytes written to stdout;
// * the 16-bit map PNG (Sub-filtered rows, zlib off the main thread) holds round(65535 · value);
// * the tabled overlay blend (terms and result tabled per colour and pixel value) gives the bytes of
//   the per-pixel float32 formula;
// * the pipeline: the next input is read ahead, files of up to `window` inputs are in flight while
//   the next is explained, lines come out in input order once their files are written, and a failed
//   write stops the run.
import { describe, it, expect } from 'vitest';
import sharp from 'sharp';
import { float32ArrayJson, float32JsonSlow, JsonFloats, jsonLine, jsonLineBytes } from '../../packages/api/src/cli/json-floats.js';
import { mapPng16, MAP_PNG_MAX } from '../../packages/api/src/cli/map-files.js';
import { crc32 } from '../../packages/api/src/io/png-encode.js';
import { OrderedOutput, readAhead } from '../../packages/api/src/cli/pipeline.js';
import { overlay } from '../../packages/core/src/image/overlay.js';
import { colormapIndex, colormapLut, COLORMAPS, type ColormapName } from '../../packages/core/src/image/colormap.js';
import { resizeBilinear } from '../../packages/core/src/cam/resize.js';
import type { RgbImage } from '../../packages/core/src/image/types.js';
import { rng } from '../helpers/random.js';

const slowArray = (v: Float32Array) => JSON.stringify(Array.from(v, (x) => Number(x.toPrecision(9))));

describe('float32 JSON formatting (--json lines)', () => {
  it('prints every float32 of a sweep over [1e-6, 2) as toPrecision(9) + JSON.stringify did', () => {
    // every 211th float32 bit pattern from 1e-6 to 2: ~750,000 values, all decades of the fast path and its edges
    const lo = new Uint32Array(new Float32Array([1e-6]).buffer)[0];
    const hi = new Uint32Array(new Float32Array([2]).buffer)[0];
    const bits = new Uint32Array(1 << 16);
    const f = new Float32Array(bits.buffer);
    let checked = 0;
    for (let b = lo; b < hi; b += bits.length * 211) {
      for (let i = 0; i < bits.length; i++) bits[i] = Math.min(hi, b + i * 211);
      const fast = float32ArrayJson(f);
      if (fast !== slowArray(f)) {
        const a = fast.slice(1, -1).split(',');
        const bad = Array.from(f).findIndex((v, i) => a[i] !== float32JsonSlow(v));
        expect(`${f[bad]} → ${a[bad]}`).toBe(`${f[bad]} → ${float32JsonSlow(f[bad])}`);
      }
      checked += bits.length;
    }
    expect(checked).toBeGreaterThan(700_000);
  });

  it('decade edges, round-ups to the next power of ten, signs and the values the slow path takes', () => {
    const edges: number[] = [];
    for (const p of [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]) {
      const f = Math.fround(p);
      const b = new Uint32Array(new Float32Array([f]).buffer)[0];
      for (let d = -40; d <= 40; d++) edges.push(new Float32Array(new Uint32Array([b + d]).buffer)[0]);
    }
    const special = [0, -0, 1, -1, NaN, Infinity, -Infinity, 0.5, 0.25, 0.125, 0.1, 0.0999999985, 0.999999940, 123.456, 65535, 3.4e38, 1.4e-45, -7e-9, 1e-38];
    const all = new Float32Array([...edges, ...edges.map((v) => -v), ...special, ...special.map((v) => -v)]);
    expect(float32ArrayJson(all)).toBe(slowArray(all));
    expect(float32ArrayJson(new Float32Array(0))).toBe('[]');
  });

  it('random maps: values in [0, 1] with zeros, and signed attributions', () => {
    const r = rng(7);
    const map = Float32Array.from({ length: 50_000 }, () => (r() < 0.2 ? 0 : r() ** 4));
    const signed = Float32Array.from({ length: 50_000 }, () => (r() - 0.5) * 10 ** (-6 + 7 * r()));
    expect(float32ArrayJson(map)).toBe(slowArray(map));
    expect(float32ArrayJson(signed)).toBe(slowArray(signed));
  });

  it('jsonLine: the text JSON.stringify gives the same report (JsonFloats.toJSON), whatever the strings hold', () => {
    const r = rng(3);
    const values = () => new JsonFloats(Float32Array.from({ length: 300 }, () => r()));
    const report = {
      input: 'a "quoted" path\u0001floats:\\u0001',
      maps: [{ raw: { width: 10, height: 30, values: values() }, map: { width: 20, height: 15, values: values() }, label: 'x' }, { map: { values: values() } }],
      predictions: [{ index: 3, score: 0.25 }],
    };
    const plain = JSON.stringify(report);
    expect(plain).toContain('[0.');
    expect(jsonLine(report)).toBe(plain);
    expect(jsonLine({ a: 1 })).toBe('{"a":1}');
    // the bytes stdout gets: the same text in UTF-8, non-ASCII labels included
    const labelled = { ...report, label: 'café — 猫' };
    expect(Buffer.concat(jsonLineBytes(labelled)).toString('utf8')).toBe(JSON.stringify(labelled));
    expect(Buffer.concat(jsonLineBytes({ a: 1 })).toString('utf8')).toBe('{"a":1}');
  });
});

describe('16-bit map PNGs', () => {
  it('hold round(65535 · value), clamped to [0, 1], NaN as 0, at any width', async () => {
    const r = rng(11);
    for (const [width, height] of [[2, 1], [1, 5], [7, 3], [224, 224], [300, 2]]) {
      const values = Float32Array.from({ length: width * height }, (_, i) => (i % 97 === 5 ? NaN : i % 89 === 3 ? -0.2 : i % 83 === 1 ? 1.5 : r()));
      const png = await mapPng16({ width, height, values });
      const meta = await sharp(png).metadata();
      expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([width, height, 1, 'ushort']);
      const { data } = await sharp(png).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
      const samples = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
      const want = Uint16Array.from(values, (v) => Math.round(MAP_PNG_MAX * Math.min(1, Math.max(0, v))));
      expect(Array.from(samples)).toEqual(Array.from(want));
    }
  });

  it('CRC-32 of the chunks is PNG\'s (IEND\'s known value)', () => {
    expect(crc32(Buffer.from('IEND', 'latin1'))).toBe(0xae426082);
  });
});

describe('overlay blend tabled per colormap and pixel value', () => {
  // the per-pixel formula the tables replaced (core image/overlay.ts before), verbatim
  function overlayPerPixel(image: RgbImage, map: { width: number; height: number; values: Float32Array }, colormap: ColormapName, weight: number): Uint8Array {
    const f32 = Math.fround;
    const { width, height, channels } = image;
    const values = map.width === width && map.height === height ? map.values : resizeBilinear(map.values, map.width, map.height, width, height);
    const lut = colormapLut(colormap);
    const heatWeight = f32(1 - weight);
    const imageWeight = f32(weight);
    const n = width * height;
    const cam = new Float32Array(n * 3);
    let max = 0;
    for (let i = 0; i < n; i++) {
      const k = colormapIndex(values[i]) * 3;
      for (let c = 0; c < 3; c++) {
        const heat = f32(lut[k + c] / 255);
        const pixel = f32(image.data[i * channels + c] / 255);
        const v = f32(f32(heatWeight * heat) + f32(imageWeight * pixel));
        cam[i * 3 + c] = v;
        if (v > max) max = v;
      }
    }
    const data = new Uint8Array(n * 3);
    if (max > 0) for (let i = 0; i < data.length; i++) data[i] = Math.trunc(f32(255 * f32(cam[i] / max)));
    return data;
  }

  it('gives the same bytes for every colormap, image weights 0 … 1, 3 and 4 channels, maps of another size', () => {
    const r = rng(5);
    for (const colormap of COLORMAPS) {
      for (const weight of [0, 0.3, 0.5, 0.7, 1]) {
        for (const channels of [3, 4] as const) {
          const width = 61;
          const height = 37;
          const image: RgbImage = { data: Uint8Array.from({ length: width * height * channels }, () => Math.floor(r() * 256)), width, height, channels };
          const map = { width: 13, height: 11, values: Float32Array.from({ length: 143 }, () => (r() < 0.1 ? 0 : r())) };
          expect(Buffer.from(overlay(image, map, { colormap, imageWeight: weight }).data).equals(Buffer.from(overlayPerPixel(image, map, colormap, weight)))).toBe(true);
        }
      }
    }
    // an all-black blend (a black photo shown alone) is black; a constant map over a photo
    const black: RgbImage = { data: new Uint8Array(4 * 3 * 3), width: 4, height: 3, channels: 3 };
    const flat = { width: 4, height: 3, values: new Float32Array(12).fill(0.37) };
    expect(Array.from(overlay(black, flat, { imageWeight: 1 }).data)).toEqual(Array.from(overlayPerPixel(black, flat, 'jet', 1)));
    const photo: RgbImage = { data: Uint8Array.from({ length: 36 }, (_, i) => (i * 37) % 256), width: 4, height: 3, channels: 3 };
    expect(Array.from(overlay(photo, flat, { imageWeight: 0.5 }).data)).toEqual(Array.from(overlayPerPixel(photo, flat, 'jet', 0.5)));
  });
});

/** A promise with its resolve and reject. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('explain pipeline', () => {
  it('readAhead starts the next read when one is taken, and a failed read fails only its own take', async () => {
    const started: number[] = [];
    const reads = [deferred<string>(), deferred<string>(), deferred<string>()];
    const take = readAhead(3, (i) => {
      started.push(i);
      return reads[i].promise;
    });
    expect(started).toEqual([0]);
    const first = take(0);
    expect(started).toEqual([0, 1]); // input 1 is read while input 0 is explained
    reads[1].reject(new Error('bad image'));
    reads[0].resolve('a');
    expect(await first).toBe('a');
    await tick(); // no unhandled rejection for the read ahead
    await expect(take(1)).rejects.toThrow('bad image');
    expect(started).toEqual([0, 1, 2]);
    reads[2].resolve('c');
    expect(await take(2)).toBe('c');
    expect(started).toEqual([0, 1, 2]);
  });

  it('keeps up to `window` inputs\' files in flight, prints in input order once each input\'s files are written', async () => {
    const out = new OrderedOutput(2);
    const printed: number[] = [];
    const files = [deferred(), deferred(), deferred(), deferred()];
    // inputs 0 and 1 queued: add returns at once, their files still being written
    await out.add(files[0].promise, () => printed.push(0));
    await out.add(files[1].promise, () => printed.push(1));
    expect(out.inFlight).toBe(2);
    expect(printed).toEqual([]);
    // input 1's files finish first: nothing printed before input 0's
    files[1].resolve();
    await tick();
    expect(printed).toEqual([]);
    // a third input waits for the oldest
    let third = false;
    const adding = out.add(files[2].promise, () => printed.push(2)).then(() => {
      third = true;
    });
    await tick();
    expect(third).toBe(false);
    files[0].resolve();
    await adding;
    expect(printed).toEqual([0, 1]);
    expect(out.inFlight).toBe(1);
    await out.add(files[3].promise, () => printed.push(3));
    files[3].resolve();
    files[2].resolve();
    await out.drain();
    expect(printed).toEqual([0, 1, 2, 3]);
    expect(out.inFlight).toBe(0);
  });

  it('a failed write stops the run: add rejects, later lines are not printed, abandon waits for the rest', async () => {
    const out = new OrderedOutput(1);
    const printed: number[] = [];
    const files = [deferred(), deferred(), deferred()];
    await out.add(files[0].promise, () => printed.push(0));
    files[0].reject(new Error('ENOSPC'));
    await tick(); // rejected before anyone awaits it: no unhandled rejection
    await expect(out.add(files[1].promise, () => printed.push(1))).rejects.toThrow('ENOSPC');
    let abandoned = false;
    const abandoning = out.abandon().then(() => {
      abandoned = true;
    });
    await tick();
    expect(abandoned).toBe(false); // input 1's writes still in flight
    files[1].resolve();
    await abandoning;
    expect(printed).toEqual([]);
    expect(out.inFlight).toBe(0);
  });
});

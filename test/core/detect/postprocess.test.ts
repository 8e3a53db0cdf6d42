// The detector's pieces worked by hand: YOLOX letterbox, the anchor-grid decode and class-wise NMS,
// and the manifest's `detectors` list (the classifier list is untouched).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { letterbox } from '../../../packages/core/src/detect/letterbox.js';
import { resizeBilinear } from '../../../packages/core/src/cam/resize.js';
import { decodeYolox, yoloxGrid } from '../../../packages/core/src/detect/yolox.js';
import { classWiseNms, iou } from '../../../packages/core/src/detect/nms.js';
import { validateDetectorSpec } from '../../../packages/core/src/detect/validate.js';
import { findDetector, findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import type { DetectorSpec } from '../../../packages/core/src/model/spec.js';
import type { Box } from '../../../packages/core/src/detect/types.js';

const root = resolve(__dirname, '../../..');
const manifestText = readFileSync(resolve(root, 'models/manifest.json'), 'utf8');
const yolox = (): DetectorSpec => structuredClone(findDetector(parseManifest(manifestText), 'yolox-nano'));

describe('letterbox', () => {
  it('scales to fit keeping the aspect ratio, pads right and bottom with 114, BGR planes', () => {
    // a 4×2 image into 8×8: r = min(8/4, 8/2) = 2 → 8×4 at the top, rows 4..7 padding
    const px = [0, 40, 80, 120, 200, 160, 100, 20];
    const img = { data: Uint8Array.from(px.flatMap((v, i) => [v, i, 255 - v])), width: 4, height: 2, channels: 3 as const };
    const spec = { ...yolox().input, width: 8, height: 8 };
    const lb = letterbox(img, spec);
    expect([lb.ratio, lb.width, lb.height]).toEqual([2, 8, 4]);
    // cv2 INTER_LINEAR ×2: output x reads input (x + 0.5)/2 − 0.5, clamped to [0, 3]
    const lin = (row: number[], x: number) => {
      const s = Math.min(Math.max((x + 0.5) / 2 - 0.5, 0), row.length - 1);
      const i = Math.floor(s);
      const f = s - i;
      return row[i] * (1 - f) + row[Math.min(i + 1, row.length - 1)] * f;
    };
    const red = [px.slice(0, 4), px.slice(4)];
    const up = (rows: number[][]) => Array.from({ length: 4 }, (_, y) => {
      const s = Math.min(Math.max((y + 0.5) / 2 - 0.5, 0), 1);
      const r = rows.map((row) => Array.from({ length: 8 }, (_, x) => lin(row, x)));
      return r[0].map((v, x) => Math.round(v * (1 - s) + r[1][x] * s));
    });
    const plane = (c: number) => Array.from(lb.tensor.subarray(c * 64, (c + 1) * 64));
    const expectRed = [...up(red).flat(), ...new Array(32).fill(114)];
    const expectBlue = [...up(red.map((r) => r.map((v) => 255 - v))).flat(), ...new Array(32).fill(114)];
    expect(plane(2)).toEqual(expectRed); // BGR: red is the last plane
    expect(plane(0)).toEqual(expectBlue);
  });

  it('truncates the resized size and normalises when the spec says so', () => {
    const img = { data: new Uint8Array(3 * 3 * 5).fill(200), width: 3, height: 5, channels: 3 as const };
    const spec = { ...yolox().input, width: 8, height: 8, channelOrder: 'RGB' as const, scale: 1 / 255, mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.25, 0.25, 0.25] as [number, number, number] };
    const lb = letterbox(img, spec);
    // r = min(8/3, 8/5) = 1.6 → int(3·1.6) = 4 wide, int(5·1.6) = 8 high
    expect([lb.width, lb.height]).toEqual([4, 8]);
    expect(lb.tensor[0]).toBeCloseTo((200 / 255 - 0.5) / 0.25, 6);
    expect(lb.tensor[5]).toBeCloseTo((114 / 255 - 0.5) / 0.25, 6);
  });
});

describe('letterbox against resizeBilinear', () => {
  it('equals each channel copied out, resized by cam/resize.ts and rounded, for down- and upscales and RGBA', () => {
    let a = 3;
    const next = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) >>> 24);
    for (const [w, h, ch, W, H] of [[97, 61, 3, 32, 40], [13, 9, 4, 64, 48], [40, 40, 3, 40, 40]]) {
      const img = { data: Uint8Array.from({ length: w * h * ch }, next), width: w, height: h, channels: ch as 3 };
      const spec = { ...yolox().input, width: W, height: H };
      const lb = letterbox(img, spec);
      const r = Math.min(W / w, H / h);
      const [rw, rh] = [Math.trunc(w * r), Math.trunc(h * r)];
      [2, 1, 0].forEach((src, c) => { // BGR
        const plane = Float32Array.from({ length: w * h }, (_, i) => img.data[i * ch + src]);
        const resized = resizeBilinear(plane, w, h, rw, rh);
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
          const want = x < rw && y < rh ? Math.floor(resized[y * rw + x] + 0.5) : 114;
          expect(lb.tensor[c * W * H + y * W + x]).toBe(want);
        }
      });
    }
  });
});

describe('YOLOX decode', () => {
  it('numbers rows grid by grid, row-major, strides in order', () => {
    const g = yoloxGrid(416, 416, [8, 16, 32]);
    expect(g.gx.length).toBe(52 * 52 + 26 * 26 + 13 * 13);
    const r = 52 * 52 + 2 * 26 + 3;
    expect([g.gx[r], g.gy[r], g.stride[r]]).toEqual([3, 2, 16]);
    expect([g.gx[3548], g.gy[3548], g.stride[3548]]).toEqual([12, 12, 32]);
  });

  it('decodes centre and size, takes each row\'s best class, scores objectness × class', () => {
    const classes = 3;
    const rows = 64 / 8 * (64 / 8) + 4 * 4 + 2 * 2; // a 64×64 input
    const out = new Float32Array(rows * (5 + classes));
    const set = (row: number, v: number[]) => out.set(v, row * (5 + classes));
    // stride 16 grid cell (1, 2): row 64 + 2·4 + 1
    set(64 + 9, [0.25, -0.5, Math.log(2), 0, 0.9, 0.1, 0.8, 0.3]);
    // below the threshold: 0.5 · 0.5 = 0.25
    set(5, [0, 0, 0, 0, 0.5, 0.5, 0, 0]);
    const found = decodeYolox(out, rows, classes, 64, 64, [8, 16, 32], 0.3);
    expect(found).toHaveLength(1);
    const cx = (0.25 + 1) * 16, cy = (-0.5 + 2) * 16, w = 2 * 16, h = 16;
    expect(found[0].classIndex).toBe(1);
    expect(found[0].score).toBeCloseTo(0.9 * 0.8, 6);
    const b = found[0].box;
    [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
  });

  it('refuses an output whose rows do not fit the strides', () => {
    expect(() => decodeYolox(new Float32Array(10 * 8), 10, 3, 64, 64, [8, 16, 32], 0.3)).toThrow(/rows/);
  });
});

describe('class-wise NMS', () => {
  it('IoU of two boxes', () => {
    // overlap 5×10 = 50, union 100 + 100 − 50
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 12);
    expect(iou([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
  });

  it('drops a worse box of the same class above the threshold, keeps other classes and separate boxes', () => {
    const c = (box: Box, score: number, classIndex: number) => ({ box, score, classIndex });
    const cands = [
      c([0, 0, 10, 10], 0.6, 0),
      c([1, 0, 11, 10], 0.9, 0), // IoU with the first 90/110 = 0.82 → the first goes
      c([0, 0, 10, 10], 0.7, 1), // another class: kept
      c([5, 0, 15, 10], 0.5, 0), // IoU with the kept 0.9 box 60/140 = 0.43 ≤ 0.45: kept
      c([50, 50, 60, 60], 0.4, 0),
    ];
    expect(classWiseNms(cands, 0.45)).toEqual([1, 2, 3, 4]);
    expect(classWiseNms(cands, 0.4)).toEqual([1, 2, 4]);
  });
});

describe('manifest detectors', () => {
  it('lists yolox-nano apart from the classifiers', () => {
    const m = parseManifest(manifestText);
    expect(m.models.every((s) => s.task === 'classification')).toBe(true);
    expect(findModel(m).id).toBe('squeezenet1.0');
    const d = findDetector(m);
    expect([d.id, d.task, d.input.width, d.input.height, d.input.padValue, d.input.channelOrder]).toEqual(['yolox-nano', 'detection', 416, 416, 114, 'BGR']);
    expect(() => findDetector(m, 'nope')).toThrow(/unknown model 'nope'.*yolox-nano/);
  });

  it('names the bad field of a detector entry', () => {
    const bad = (f: (d: DetectorSpec) => void) => {
      const d = yolox();
      f(d);
      return () => validateDetectorSpec(d);
    };
    expect(bad((d) => { (d.input as { resize: string }).resize = 'stretch'; })).toThrow(/input.resize/);
    expect(bad((d) => { d.input.padValue = 300; })).toThrow(/padValue/);
    expect(bad((d) => { d.output.strides = [8, 0]; })).toThrow(/strides/);
    expect(bad((d) => { (d.output as { decode: string }).decode = 'ssd'; })).toThrow(/decode/);
    expect(bad((d) => { d.nmsThreshold = 2; })).toThrow(/nmsThreshold/);
    const m = JSON.parse(manifestText);
    m.detectors.push({ ...m.detectors[0] });
    expect(() => parseManifest(m)).toThrow(/unique/);
  });
});

// The three bottom-up models against real eye movements (OSIE, 15 observers per image). NSS here is a local minimal version (mean of the z-scored map at the
// fixated pixels); the metrics module holds the reference implementation.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { ittiKoch } from '../../../packages/core/src/bottom-up/itti-koch.js';
import { spectralResidual } from '../../../packages/core/src/bottom-up/spectral-residual.js';
import { centerBias } from '../../../packages/core/src/bottom-up/center-bias.js';
import type { FloatMap } from '../../../packages/core/src/cam/types.js';
import type { RgbImage } from '../../../packages/core/src/image/types.js';

const osie = resolve(__dirname, '../../../../shared/data/osie');

function nss(map: FloatMap, points: { x: number; y: number }[]): number {
  let mean = 0;
  for (const v of map.values) mean += v;
  mean /= map.values.length;
  let sq = 0;
  for (const v of map.values) sq += (v - mean) ** 2;
  const std = Math.sqrt(sq / map.values.length);
  let s = 0;
  for (const p of points) s += (map.values[p.y * map.width + p.x] - mean) / std;
  return s / points.length;
}

describe.skipIf(!existsSync(resolve(osie, 'fixations.json')))('bottom-up models on OSIE', () => {
  it('all three predict human fixations well above chance (mean NSS over 10 images > 0.3)', async () => {
    const images: { image: string; subjects: { x: number[]; y: number[] }[] }[] = JSON.parse(readFileSync(resolve(osie, 'fixations.json'), 'utf8')).images;
    const models = { ittiKoch, spectralResidual, centerBias: (img: RgbImage) => centerBias(img) };
    const totals = { ittiKoch: 0, spectralResidual: 0, centerBias: 0 };
    const chosen = Array.from({ length: 10 }, (_, i) => images[i * 70 + 3]);
    for (const entry of chosen) {
      const { data, info } = await sharp(resolve(osie, 'stimuli', entry.image)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const img: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
      // OSIE coordinates are MATLAB's, 1-based
      const points = entry.subjects.flatMap((s) => s.x.map((x, i) => ({ x: Math.round(x) - 1, y: Math.round(s.y[i]) - 1 })))
        .filter((p) => p.x >= 0 && p.y >= 0 && p.x < img.width && p.y < img.height);
      for (const [name, fn] of Object.entries(models)) totals[name as keyof typeof totals] += nss(fn(img), points) / chosen.length;
    }
    // 20-image means from test/bench/bottom-up-osie.ts: Itti-Koch ≈ 0.66, spectral residual ≈ 0.80,
    // centre bias ≈ 0.93; a map unrelated to the fixations scores 0 on average
    for (const [name, score] of Object.entries(totals)) expect(score, name).toBeGreaterThan(0.3);
  });
});

// Run time is measured by `test/bench/bottom-up-osie.ts` (part of `npm run bench`), not asserted here:
// a time budget in a test fails on a busy machine and says nothing about correctness.

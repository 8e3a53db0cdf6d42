// Bottom-up fixation predictors on OSIE: how well Itti-Koch, spectral residual and the centre bias
// predict where 15 people looked, by NSS (mean of the z-scored map at the fixated pixels).
//   npx tsx test/bench/bottom-up-osie.ts [--n 20] [--data ../shared/data/osie]
// NSS is computed here on its own (mean and population standard deviation of the whole map; every
// fixation of every observer counts once; OSIE's 1-based coordinates rounded to the nearest pixel);
// the project's metrics module is the reference for the other scores. Images are spread evenly over
// the data set (every 700/n-th). Timing: median per image of each model, decoding excluded.
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ittiKoch, spectralResidual, centerBias } from '../../packages/core/src/bottom-up/index.js';
import type { FloatMap } from '../../packages/core/src/cam/types.js';
import type { RgbImage } from '../../packages/core/src/image/types.js';

interface OsieSubject { x: number[]; y: number[] }
interface OsieImage { image: string; width: number; height: number; subjects: OsieSubject[] }

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({ options: { n: { type: 'string', default: '20' }, data: { type: 'string', default: join(root, '..', 'shared', 'data', 'osie') } } });
const n = Number(args.n);
const dataDir = resolve(args.data!);
const all: OsieImage[] = JSON.parse(readFileSync(join(dataDir, 'fixations.json'), 'utf8')).images;
const stride = Math.max(1, Math.floor(all.length / n));
const chosen = Array.from({ length: Math.min(n, all.length) }, (_, i) => all[i * stride]);

function nss(map: FloatMap, points: { x: number; y: number }[]): number {
  const v = map.values;
  let mean = 0;
  for (const a of v) mean += a;
  mean /= v.length;
  let sq = 0;
  for (const a of v) sq += (a - mean) ** 2;
  const std = Math.sqrt(sq / v.length);
  if (!(std > 0) || points.length === 0) return 0;
  let s = 0;
  for (const p of points) s += (v[p.y * map.width + p.x] - mean) / std;
  return s / points.length;
}

const models: [string, (img: RgbImage) => FloatMap][] = [
  ['itti-koch', (img) => ittiKoch(img)],
  ['spectral-residual', (img) => spectralResidual(img)],
  ['center-bias', (img) => centerBias(img)],
];
const scores = new Map<string, number[]>(models.map(([name]) => [name, []]));
const times = new Map<string, number[]>(models.map(([name]) => [name, []]));

for (const entry of chosen) {
  const { data, info } = await sharp(join(dataDir, 'stimuli', entry.image)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const img: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  const points: { x: number; y: number }[] = [];
  for (const s of entry.subjects) {
    for (let i = 0; i < s.x.length; i++) {
      const x = Math.round(s.x[i]) - 1;
      const y = Math.round(s.y[i]) - 1;
      if (x >= 0 && y >= 0 && x < img.width && y < img.height) points.push({ x, y });
    }
  }
  const row: string[] = [];
  for (const [name, fn] of models) {
    const t0 = performance.now();
    const map = fn(img);
    times.get(name)!.push(performance.now() - t0);
    if (map.width !== img.width || map.height !== img.height) throw new Error(`${name} returned ${map.width}×${map.height}`);
    const score = nss(map, points);
    scores.get(name)!.push(score);
    row.push(`${name} ${score.toFixed(3)}`);
  }
  console.log(`${entry.image} (${points.length} fixations): ${row.join(', ')}`);
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
console.log(`\nNSS over ${chosen.length} OSIE images (mean ± standard error of the mean; time: median ms per image)`);
for (const [name] of models) {
  const s = scores.get(name)!;
  const m = s.reduce((a, b) => a + b, 0) / s.length;
  const se = Math.sqrt(s.reduce((a, b) => a + (b - m) ** 2, 0) / (s.length - 1) / s.length);
  console.log(`${name.padEnd(18)} NSS ${m.toFixed(3)} ± ${se.toFixed(3)}   ${median(times.get(name)!).toFixed(1)} ms`);
}

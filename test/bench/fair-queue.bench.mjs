// A light client's latency while a heavy client keeps its admitted work full (issue 10): side by side
// in one run, rounds alternating so a busy machine slows both alike.
//   alone      the light client: Grad-CAM top-1 explains of distinct images, one after another
//   beside     the same while a heavy client keeps explain(scorecam, ablationcam) requests in flight
//              (as many as SALIENCY_CLIENT_MAX_UNITS admits; the rest are refused with 429 and retried)
// Clients are told apart by X-Forwarded-For (SALIENCY_TRUST_PROXY=1). Prints p50 / p95 per case and
// the ratio beside / alone. Run after `npm run build`: node test/bench/fair-queue.bench.mjs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { benchServer } from './server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const both = readFileSync(join(root, '..', 'shared', 'data', 'images', 'both.png'));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LIGHT_PER_ROUND = Number(process.env.BENCH_LIGHT ?? 20);
/** Heavy requests the heavy client keeps trying to have in flight: more than its 8000 admitted units hold. */
const HEAVY_IN_FLIGHT = 10;

let made = 0;
/** A distinct image (a crop of both.png) as base64. */
async function image() {
  const i = made++;
  return (await sharp(both).extract({ left: i % 24, top: Math.floor(i / 24) % 24, width: 200, height: 200 }).png().toBuffer()).toString('base64');
}

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const { server, close } = await benchServer('squeezenet1.0', { SALIENCY_TRUST_PROXY: '1' });
const post = (query, variables, client) => fetch(`${server.url}/graphql`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body: JSON.stringify({ query, variables }),
});

async function lightRun() {
  const images = await Promise.all(Array.from({ length: LIGHT_PER_ROUND }, image));
  const ms = [];
  for (const i of images) {
    const t0 = performance.now();
    const r = await post('mutation($i: String!) { explain(input: { image: $i }) { id } }', { i }, '198.51.100.9');
    if (r.status !== 200) throw new Error(`light request: HTTP ${r.status} ${await r.text()}`);
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** Keeps heavy requests in flight until `stop` resolves; counts what ran and what was refused. */
async function heavyClient(stop) {
  let stopped = false;
  stop.then(() => (stopped = true));
  const counts = { done: 0, refused: 0 };
  const loop = async () => {
    while (!stopped) {
      const r = await post('mutation($i: String!) { explain(input: { image: $i, methods: ["scorecam", "ablationcam"] }) { id } }', { i: await image() }, '203.0.113.1');
      if (r.status === 429) {
        counts.refused++;
        await new Promise((ok) => setTimeout(ok, 200));
      } else if (r.status === 200) counts.done++;
      else throw new Error(`heavy request: HTTP ${r.status} ${await r.text()}`);
    }
  };
  await Promise.all(Array.from({ length: HEAVY_IN_FLIGHT }, loop));
  return counts;
}

try {
  await lightRun(); // warm-up
  const alone = [];
  const beside = [];
  const heavy = { done: 0, refused: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    alone.push(...await lightRun());
    let end;
    const stop = new Promise((ok) => (end = ok));
    const h = heavyClient(stop);
    await new Promise((ok) => setTimeout(ok, 500)); // the heavy client is under way
    beside.push(...await lightRun());
    end();
    const c = await h;
    heavy.done += c.done;
    heavy.refused += c.refused;
  }
  const row = (name, xs) => `${name.padEnd(8)} p50 ${percentile(xs, 0.5).toFixed(0).padStart(5)} ms   p95 ${percentile(xs, 0.95).toFixed(0).padStart(5)} ms   (${xs.length} requests)`;
  console.log(`light client, SqueezeNet Grad-CAM top-1, ${ROUNDS} rounds`);
  console.log(row('alone', alone));
  console.log(row('beside', beside));
  console.log(`ratio beside / alone: p50 ${(percentile(beside, 0.5) / percentile(alone, 0.5)).toFixed(1)}×, p95 ${(percentile(beside, 0.95) / percentile(alone, 0.95)).toFixed(1)}×`);
  console.log(`heavy client: ${heavy.done} Score-CAM + Ablation-CAM explains done, ${heavy.refused} refused (429) at its limit`);
} finally {
  await close();
}

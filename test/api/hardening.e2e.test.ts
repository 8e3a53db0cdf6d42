// Resource abuse against the built server in a child process (issue 10), watching the server's own
// memory through /proc: the abusive queries of the issue are refused up front with their 4xx while the
// resident memory stays flat; 16 concurrent explains of distinct 6000 × 6000 images stay under a
// stated bound (full-resolution decodes wait at the workers' pixel gate); a heavy client that fills
// its admitted work is refused with 429 while a light client's explains run beside its heavy ones
// (light and heavy batches on workers of their own). No time is asserted: the mechanisms are (order
// of completions, codes, memory); latencies are in test/bench/fair-queue.bench.mjs.
import { describe, it, expect, afterEach } from 'vitest';
import sharp from 'sharp';
import { EIGHT_METHODS } from './bad-inputs/requests.js';
import { procMemory, serveProcess, type ServedProcess } from '../support/served-process.js';

/** The bound this test states for 16 concurrent 6000 × 6000 explains: peak resident memory above the idle server's. */
export const LARGE_IMAGES_PEAK_GROWTH_MIB = 900;
/** Growth allowed while the abusive queries are refused (the issue saw 0.6 → 3.3 GB). */
export const REFUSED_QUERIES_GROWTH_MIB = 150;

let server: ServedProcess | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const png = async (width: number, height: number, i: number) =>
  (await sharp({ create: { width, height, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 13) % 256 } } }).png().toBuffer()).toString('base64');

describe.skipIf(!procMemory)('hardening: the server under abuse, its memory watched', () => {
  it('refuses the issue\'s abusive queries up front (4xx, typed) and its memory stays flat', async () => {
    server = await serveProcess({ SALIENCY_MODELS: 'squeezenet1.0', SALIENCY_RATE_LIMIT: '0' });
    const s = server;
    const made = await s.gql(`mutation($i: String!) { explain(input: { image: $i, methods: ${JSON.stringify(EIGHT_METHODS)}, topK: 10 }) { id image { id } heatmaps { method } } }`, { i: await png(320, 240, 1) });
    expect(made.errors).toBeUndefined();
    const { id, image } = made.data!.explain as { id: string; image: { id: string } };
    s.resetPeak();
    const idle = s.rssMiB();
    const pngs = 'heatmaps { png(size: 2048, overlay: true) }';
    const repro = [
      ['80 overlays at 2048 px', `{ explanation(id: "${id}") { ${pngs} } }`],
      ['two aliases of it', `{ a: explanation(id: "${id}") { ${pngs} } b: explanation(id: "${id}") { ${pngs} } }`],
      ['80 overlays of a fresh explain', `mutation { explain(input: { imageId: "${image.id}", methods: ${JSON.stringify(EIGHT_METHODS)}, topK: 10 }) { ${pngs} } }`],
      ['24 aliases of Score-CAM + Ablation-CAM', `mutation { ${Array.from({ length: 24 }, (_, k) => `e${k}: explain(input: { imageId: "${image.id}", methods: ["scorecam", "ablationcam"], classes: [${k}] }) { id }`).join(' ')} }`],
    ];
    for (const [what, query] of repro) {
      const r = await s.gql(query);
      expect([r.status, r.errors?.[0]?.extensions?.code], what).toEqual([400, 'QUERY_TOO_COMPLEX']);
    }
    // three at once, as in the issue; /health answers meanwhile
    const three = await Promise.all([0, 1, 2].map(() => s.gql(repro[0][1])));
    expect(three.map((r) => r.status)).toEqual([400, 400, 400]);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    const page = await s.gql('{ explanations(first: 100000) { totalCount } }');
    expect([page.status, page.errors?.[0]?.extensions?.code]).toEqual([400, 'BAD_REQUEST']);
    const cycle = await s.gql('{ explanations { ...A } } fragment A on ExplanationConnection { ...B } fragment B on ExplanationConnection { ...A }');
    expect([cycle.status, cycle.errors?.[0]?.extensions?.code]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    const big = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(40 * 1024 * 1024, 0x20) });
    expect(big.status).toBe(413);
    const growth = s.peakMiB() - idle;
    console.log(`refused abusive queries: idle ${idle.toFixed(0)} MiB, peak ${s.peakMiB().toFixed(0)} MiB (+${growth.toFixed(0)})`);
    expect(growth).toBeLessThan(REFUSED_QUERIES_GROWTH_MIB);
  }, 300_000);

  it(`16 concurrent explains of distinct 6000 × 6000 images: peak memory under the idle server + ${LARGE_IMAGES_PEAK_GROWTH_MIB} MiB`, async () => {
    server = await serveProcess({ SALIENCY_MODELS: 'squeezenet1.0', SALIENCY_RATE_LIMIT: '0' });
    const s = server;
    const images = await Promise.all(Array.from({ length: 16 }, (_, i) => png(6000, 6000, i)));
    expect(new Set(images).size).toBe(16);
    const idle = s.rssMiB();
    s.resetPeak();
    const results = await Promise.all(images.map((i) => s.gql('mutation($i: String!) { explain(input: { image: $i }) { image { width height } heatmaps { width } } }', { i })));
    for (const r of results) {
      expect(r.errors, r.errors?.[0]?.message).toBeUndefined();
      expect(r.data!.explain.image).toEqual({ width: 6000, height: 6000 });
    }
    const peak = s.peakMiB();
    const after = s.rssMiB();
    console.log(`16 × 6000² explains: idle ${idle.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB (+${(peak - idle).toFixed(0)}), after ${after.toFixed(0)} MiB`);
    expect(peak - idle).toBeLessThan(LARGE_IMAGES_PEAK_GROWTH_MIB);
    expect(after - idle).toBeLessThan(LARGE_IMAGES_PEAK_GROWTH_MIB);
  }, 600_000);

  it('a heavy client that fills its admitted work gets 429; a light client\'s explains finish beside its heavy ones', async () => {
    // clients told apart by X-Forwarded-For behind one trusted proxy; room for two heavy requests each
    server = await serveProcess({ SALIENCY_MODELS: 'squeezenet1.0', SALIENCY_RATE_LIMIT: '0', SALIENCY_TRUST_PROXY: '1', SALIENCY_CLIENT_MAX_UNITS: '2100' });
    const s = server;
    const heavyImages = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => png(224, 224, 100 + i)));
    const lightImages = await Promise.all([0, 1, 2, 3, 4].map((i) => png(224, 224, 200 + i)));
    const events: string[] = [];
    const heavy = heavyImages.map((i, k) => s.gql('mutation($i: String!) { explain(input: { image: $i, methods: ["scorecam", "ablationcam"] }) { id } }', { i }, { 'x-forwarded-for': '203.0.113.1' })
      .then((r) => {
        events.push(r.status === 200 ? `heavy ${k} done` : `heavy ${k} ${r.status}`);
        return r;
      }));
    // the light client, one request after another, starting while the heavy ones run
    await new Promise((r) => setTimeout(r, 200));
    const latencies: number[] = [];
    for (const [k, i] of lightImages.entries()) {
      const t0 = performance.now();
      const r = await s.gql('mutation($i: String!) { explain(input: { image: $i }) { id } }', { i }, { 'x-forwarded-for': '198.51.100.9' });
      latencies.push(performance.now() - t0);
      expect(r.errors, r.errors?.[0]?.message).toBeUndefined();
      events.push(`light ${k} done`);
    }
    const results = await Promise.all(heavy);
    const refused = results.filter((r) => r.status === 429);
    // the heavy client saturated its budget: what did not fit was refused, typed, with a retry time
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.errors![0].extensions!.code).toBe('RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    // every light request finished before the first admitted heavy request did: it never waited for one
    const firstHeavy = events.findIndex((e) => /^heavy \d+ done$/.test(e));
    const lastLight = events.lastIndexOf('light 4 done');
    console.log(`light client while a heavy one saturates: ${latencies.map((l) => l.toFixed(0)).join(', ')} ms; events: ${events.join(' · ')}`);
    expect(lastLight).toBeGreaterThanOrEqual(0);
    expect(lastLight).toBeLessThan(firstHeavy);
  }, 600_000);
});

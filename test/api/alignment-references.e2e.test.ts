// Heatmap.alignment picks the best human reference of the image (crowd clicks → imported eye
// tracking → predicted density) and scores the map the way the benchmark does. The expected scores are
// computed here independently: the map brought back onto the 800×600 OSIE stimulus by plain bilinear
// interpolation at half-pixel centres, the human density built pixel by pixel from the Gaussian
// formula, CC as Pearson's r and NSS as the mean z-score at fixated pixels (textbook formulas, float64).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOsie, postprocess, type Fixation } from '../../packages/core/src/index.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const osieDir = resolve(root, '../shared/data/osie');
const osie = parseOsie(JSON.parse(readFileSync(resolve(osieDir, 'fixations.json'), 'utf8')));
const item = osie.find((o) => o.file === '1009.jpg') ?? osie[0];
const stimulus = readFileSync(resolve(osieDir, 'stimuli', item.file));

const ALIGN = `query($id: ID!, $ref: AlignmentReference) { explanation(id: $id) { heatmaps {
  classIndex label width height raw alignment(reference: $ref, metrics: ["cc", "nss", "auc-judd", "kl"]) { reference source annotators task scores { metric value reason } }
} } }`;

/** Frame 400×300 (SALIENCY_ALIGNMENT_MAX_SIDE 400): what the server scores at, built independently. */
const W = 400;
const H = 300;
const S = 0.5;

function expectedScores(finalMap: Float32Array, grid: number, people: Fixation[][]): { cc: number; nss: number } {
  // the map (stretch geometry: 224×224 ← 800×600) sampled at each frame pixel's centre
  const map = new Float64Array(W * H);
  for (let y = 0; y < H; y++) {
    const gy = Math.min(Math.max((y + 0.5) * (grid / H) - 0.5, 0), grid - 1);
    const y0 = Math.floor(gy);
    const y1 = Math.min(y0 + 1, grid - 1);
    for (let x = 0; x < W; x++) {
      const gx = Math.min(Math.max((x + 0.5) * (grid / W) - 0.5, 0), grid - 1);
      const x0 = Math.floor(gx);
      const x1 = Math.min(x0 + 1, grid - 1);
      const v = (a: number, b: number) => finalMap[a * grid + b];
      const top = v(y0, x0) * (x1 === x0 ? 1 : 1 - (gx - x0)) + (x1 === x0 ? 0 : v(y0, x1) * (gx - x0));
      const bottom = v(y1, x0) * (x1 === x0 ? 1 : 1 - (gx - x0)) + (x1 === x0 ? 0 : v(y1, x1) * (gx - x0));
      map[y * W + x] = y1 === y0 ? top : top * (1 - (gy - y0)) + bottom * (gy - y0);
    }
  }
  // the density: scipy.ndimage.gaussian_filter of the fixation counts, sigma 0.03·800·S = 12 frame px,
  // truncated at 4σ, 'nearest' borders: output[q] = Σ_j k[j]·counts[clamp(q + j − r)], per axis
  const sigma = 0.03 * 800 * S;
  const r = Math.floor(4 * sigma + 0.5);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const ks = k.reduce((a, b) => a + b, 0);
  const clamp = (v: number, n: number) => Math.min(Math.max(v, 0), n - 1);
  const response = (p: number, n: number) => {
    const out = new Float64Array(n);
    for (let q = 0; q < n; q++) for (let j = 0; j <= 2 * r; j++) if (clamp(q + j - r, n) === p) out[q] += k[j] / ks;
    return out;
  };
  const density = new Float64Array(W * H);
  const fixated = new Set<number>();
  for (const p of people.flat()) {
    const px = clamp(Math.round((p.x + 0.5) * S - 0.5), W);
    const py = clamp(Math.round((p.y + 0.5) * S - 0.5), H);
    fixated.add(py * W + px);
    const rx = response(px, W);
    const ry = response(py, H);
    for (let y = 0; y < H; y++) {
      if (ry[y] === 0) continue;
      for (let x = 0; x < W; x++) density[y * W + x] += ry[y] * rx[x];
    }
  }
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  const mm = mean(map);
  const md = mean(density);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < map.length; i++) {
    sxy += (map[i] - mm) * (density[i] - md);
    sxx += (map[i] - mm) ** 2;
    syy += (density[i] - md) ** 2;
  }
  const sd = Math.sqrt(sxx / (map.length - 1));
  let nss = 0;
  for (const i of fixated) nss += (map[i] - mm) / sd;
  return { cc: sxy / Math.sqrt(sxx * syy), nss: nss / fixated.size };
}

const value = (a: { scores: { metric: string; value: number | null }[] }, id: string) => a.scores.find((s) => s.metric === id)?.value;

for (const db of testDatabases()) {
  describe.skipIf(!!db.skipReason)(`Heatmap.alignment references on ${db.provider}`, () => {
    let s: TestServer;
    let explanationId: string;
    let imageId: string;
    beforeAll(async () => {
      s = await startTestServer(await db.url(), { SALIENCY_MODELS: 'squeezenet1.0', SALIENCY_ALIGNMENT_MAX_SIDE: '400', SALIENCY_HUMAN_MAP_SIGMA: '0.03' });
      const up = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id width height } }', { d: stimulus.toString('base64') });
      imageId = up.data!.uploadImage.id;
      expect([up.data!.uploadImage.width, up.data!.uploadImage.height]).toEqual([800, 600]);
      const ex = await s.gql('mutation($id: ID!) { explain(input: { imageId: $id }) { id } }', { id: imageId });
      explanationId = ex.data!.explain.id;
    }, 120_000);
    afterAll(() => s?.close());

    it('uses the predicted density while the image has no human data, and says so', async () => {
      const r = await s.gql(ALIGN, { id: explanationId });
      const a = r.data!.explanation.heatmaps[0].alignment;
      expect(a.reference).toBe('PREDICTED');
      expect(a.annotators).toBe(0);
      expect(value(a, 'cc')).toEqual(expect.any(Number));
      expect(a.scores.find((x: { metric: string }) => x.metric === 'nss').reason).toMatch(/fixation/);
      expect((await s.gql(ALIGN, { id: explanationId, ref: 'EYE_TRACKING' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });

    it('scores against imported eye tracking, matching the textbook CC and NSS', async () => {
      const storage = s.server.services.storage;
      const people = item.observers.filter((o) => o.length > 0);
      await storage.addAnnotations(people.map((points, i) => ({
        imageId, source: 'EYE_TRACKING' as const, annotator: `osie:${i}`, task: 'FREE_VIEWING', classIndex: null, model: null,
        prompt: null, nonce: null, points: points.map((p) => ({ x: p.x, y: p.y })), durationMs: null,
      })));
      const r = await s.gql(ALIGN, { id: explanationId });
      const h = r.data!.explanation.heatmaps[0];
      expect(h.alignment.reference).toBe('EYE_TRACKING');
      expect(h.alignment.annotators).toBe(people.length);
      expect(h.alignment.source).toMatch(/eye-tracking/);
      const { map } = postprocess(Float32Array.from(h.raw), h.height, h.width, 224, 224);
      const want = expectedScores(map.values, 224, people);
      expect(value(h.alignment, 'cc')).toBeCloseTo(want.cc, 4);
      expect(value(h.alignment, 'nss')).toBeCloseTo(want.nss, 3);
      expect(value(h.alignment, 'auc-judd')).toBeGreaterThan(0.5);
      const human = await s.gql('query($id: ID!) { image(id: $id) { humanAttention(source: EYE_TRACKING) { frameWidth frameHeight maxSide sigma annotators } } }', { id: imageId });
      expect(human.data!.image.humanAttention).toEqual({ frameWidth: W, frameHeight: H, maxSide: 400, sigma: expect.closeTo(24, 9), annotators: people.length });
      const forced = (await s.gql(ALIGN, { id: explanationId, ref: 'PREDICTED' })).data!.explanation.heatmaps[0].alignment;
      expect(forced.reference).toBe('PREDICTED');
    });

    it('prefers crowd clicks once the image has them', async () => {
      const storage = s.server.services.storage;
      const crowd = item.observers.filter((o) => o.length > 0).slice(0, 3);
      for (const [i, points] of crowd.entries()) {
        await storage.addAnnotation({
          imageId, source: 'CROWD', annotator: `${'0'.repeat(63)}${i}`, task: 'DESCRIBE', classIndex: null, model: null,
          prompt: 'Click where you look to tell what this image shows.', nonce: `nonce-${db.provider}-${i}`,
          // clicks are continuous positions (pixel i spans [i, i + 1)): a fixation at pixel centre x is a click at x + 0.5
          points: points.map((p, j) => ({ x: p.x + 0.5, y: p.y + 0.5, t: 500 * (j + 1) })), durationMs: 500 * points.length,
        });
      }
      const r = await s.gql(ALIGN, { id: explanationId });
      const h = r.data!.explanation.heatmaps[0];
      expect(h.alignment.reference).toBe('CROWD');
      expect(h.alignment.annotators).toBe(3);
      expect(h.alignment.source).toMatch(/BubbleView clicks of 3 annotators/);
      const { map } = postprocess(Float32Array.from(h.raw), h.height, h.width, 224, 224);
      expect(value(h.alignment, 'cc')).toBeCloseTo(expectedScores(map.values, 224, crowd).cc, 4);
      expect(h.alignment.task).toBe('DESCRIBE');
      const eye = (await s.gql(ALIGN, { id: explanationId, ref: 'EYE_TRACKING' })).data!.explanation.heatmaps[0].alignment;
      expect(eye.reference).toBe('EYE_TRACKING');
      expect(eye.annotators).toBe(item.observers.filter((o) => o.length > 0).length);
    });

    it('scores a class against the crowd that looked for that class, never against one that looked for another', async () => {
      const storage = s.server.services.storage;
      const h0 = (await s.gql(ALIGN, { id: explanationId })).data!.explanation.heatmaps[0];
      const others = item.observers.filter((o) => o.length > 0).slice(3, 7);
      const find = (i: number, classIndex: number, points: Fixation[]) => storage.addAnnotation({
        imageId, source: 'CROWD', annotator: `${'1'.repeat(63)}${i}`, task: 'FIND', classIndex, model: 'squeezenet1.0',
        prompt: `Click where you look to find the class ${classIndex}.`, nonce: `find-${db.provider}-${i}-${classIndex}`,
        points: points.map((p, j) => ({ x: p.x + 0.5, y: p.y + 0.5, t: 500 * (j + 1) })), durationMs: null,
      });
      // people looking for another class: not this heatmap's reference (still the 3 describing the image)
      await find(0, (h0.classIndex + 1) % 1000, others[0]);
      let a = (await s.gql(ALIGN, { id: explanationId })).data!.explanation.heatmaps[0].alignment;
      expect([a.reference, a.task, a.annotators]).toEqual(['CROWD', 'DESCRIBE', 3]);
      // people looking for this class: they are
      for (const [i, points] of others.slice(1).entries()) await find(i + 1, h0.classIndex, points);
      a = (await s.gql(ALIGN, { id: explanationId })).data!.explanation.heatmaps[0].alignment;
      expect([a.reference, a.task, a.annotators]).toEqual(['CROWD', 'FIND', 3]);
      expect(a.source).toBe(`BubbleView clicks of 3 annotators looking for the ${h0.label} in this image`);
      const { map } = postprocess(Float32Array.from(h0.raw), h0.height, h0.width, 224, 224);
      expect(value(a, 'cc')).toBeCloseTo(expectedScores(map.values, 224, others.slice(1)).cc, 4);

      // the same pools through Image.humanAttention's task filter
      const HUMAN = 'query($id: ID!, $task: AnnotationTask, $c: Int) { image(id: $id) { humanAttention(source: CROWD, task: $task, classIndex: $c) { annotators pointCount } } }';
      const count = async (task?: string, c?: number) => (await s.gql(HUMAN, { id: imageId, task, c })).data!.image.humanAttention;
      expect((await count()).annotators).toBe(7);
      expect((await count('DESCRIBE')).annotators).toBe(3);
      expect((await count('FIND', h0.classIndex)).annotators).toBe(3);
      expect((await count('FIND', (h0.classIndex + 1) % 1000)).annotators).toBe(1);
      expect(await count('FIND', (h0.classIndex + 2) % 1000)).toBeNull();
      expect(await s.errorCode(HUMAN, { id: imageId, task: 'FIND' })).toBe('BAD_REQUEST');
      expect(await s.errorCode('query($id: ID!) { image(id: $id) { humanAttention(source: EYE_TRACKING, task: DESCRIBE) { annotators } } }', { id: imageId })).toBe('BAD_REQUEST');
    });
  });
}

// `saliency-explainer eval` end to end on the real SqueezeNet and real OSIE images, on SQLite and on
// PostgreSQL: the built CLI stores one row per image × row × metric, writes leaderboard.md/.html/.json,
// resumes without redoing stored work, agrees with the engine and the metrics run directly, puts the
// human ceiling above the centre bias, and the API's `leaderboard` field serves the report's numbers;
// a --resume run adding the faithfulness columns scores nothing against fixations again, stores them
// for model rows only, equal to core's deletion/insertion/ROAD run here on the same tensor and map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  alignmentReference, causalCurve, centerBias, chwShape, Explainer, findModel, humanCeiling, parseLabels, parseManifest, parseOsie,
  resizeBilinear, resizeForModel, road, scoreAll, toTensor,
} from '../../packages/core/src/index.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { otherImages } from '../../packages/api/src/eval/dataset.js';
import { createPrismaClient } from '../../packages/api/src/storage/open.js';
import { ort } from '../helpers/ort.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const osieDir = resolve(root, '../shared/data/osie');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/eval-command.js')) && existsSync(join(osieDir, 'fixations.json'))
  && existsSync(resolve(root, 'models/cache/squeezenet1.0/model-fp16.onnx'));

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DATABASE_URL: '' } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The counters the CLI prints on its summary line. */
function summary(r: Run) {
  const m = /(\d+) images, (\d+) rows; (\d+) image × row units computed, (\d+) stored already; (\d+) engine runs/.exec(r.stdout);
  if (!m) throw new Error(`no summary in: ${r.stdout}\n${r.stderr}`);
  const [images, rows, computed, skipped, engineRuns] = m.slice(1).map(Number);
  return { images, rows, computed, skipped, engineRuns };
}

interface JsonRow {
  rank: number | null; kind: string; model: string; layer: string; method: string; target: string; label: string;
  scores: Record<string, { mean: number | null; ci: number | null; n: number; std: number | null } | null>;
}
interface JsonReport {
  run: { id: string; images: string[]; protocol: string; params: { protocolKeys?: Record<string, string> } };
  rows: JsonRow[]; metrics: { id: string }[]; sortMetric: string; stats: { time: Record<string, number> } & Record<string, unknown>;
}

const readJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'leaderboard.json'), 'utf8')) as JsonReport;

async function countScores(url: string): Promise<number> {
  const { client } = createPrismaClient(url);
  try {
    return await client.evalScore.count();
  } finally {
    await client.$disconnect();
  }
}

const LEADERBOARD = `query($dataset: String!, $metric: String!, $run: ID) { leaderboard(dataset: $dataset, metric: $metric, run: $run) {
  dataset metric metricName higherIsBetter ciLevel
  run { id dataset protocol startedAt finishedAt wallSeconds imageCount images params }
  rows { rank kind isCeiling isBaseline model layer method target label mean ci ciLow ciHigh std n }
} }`;

for (const db of testDatabases()) {
  // SQLite: the brief's subset (3 images × 2 layers × 2 fast methods, five metrics); PostgreSQL: a smaller one
  const full = db.provider === 'sqlite';
  const config = full
    ? { first: 2, last: 3, methods: ['gradcam', 'eigencam'], layers: ['fire9/concat_2', 'fire8/concat_1'], metrics: ['auc-judd', 'sauc', 'nss', 'cc', 'kl'], baselines: ['itti-koch', 'spectral-residual', 'center-bias'] }
    : { first: 1, last: 2, methods: ['gradcam'], layers: ['fire9/concat_2'], metrics: ['auc-judd', 'nss', 'kl'], baselines: ['center-bias'] };
  const entries = config.methods.length * config.layers.length + 2 + config.baselines.length;

  describe.skipIf(!ready || db.skipReason !== null)(`saliency-explainer eval end to end on ${db.provider}`, () => {
    let url: string;
    let work: string;
    const args = (images: number, out: string, ...more: string[]) => [
      'eval', '--dataset', 'osie', '--images', String(images), '--methods', config.methods.join(','),
      '--layers', full ? 'default,+1' : 'default', '--metrics', config.metrics.join(','), '--baselines', config.baselines.join(','),
      '--ceiling-splits', '2', '--examples', full ? '1' : '0', '--workers', '2', '--no-progress',
      '--database-url', url, '--out', join(work, out), ...more,
    ];

    beforeAll(async () => {
      url = await db.url();
      work = mkdtempSync(join(tmpdir(), 'se-eval-'));
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('stores one score per image × row × metric and writes the three report files', async () => {
      const r = await cli(...args(config.first, 'first'));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(summary(r)).toEqual({ images: config.first, rows: entries, computed: config.first * entries, skipped: 0, engineRuns: config.first * config.layers.length });
      expect(await countScores(url)).toBe(config.first * entries * config.metrics.length);

      const report = readJson(join(work, 'first'));
      expect(report.run.images).toEqual(['1001.jpg', '1002.jpg'].slice(0, config.first));
      expect(report.rows).toHaveLength(entries);
      expect(report.metrics.map((m) => m.id)).toEqual(config.metrics);
      expect(report.sortMetric).toBe('nss');
      const layersSeen = new Set(report.rows.filter((x) => x.kind === 'model').map((x) => x.layer));
      expect([...layersSeen].sort()).toEqual([...config.layers].sort());
      // sorted by NSS, best first
      const nss = report.rows.map((x) => x.scores.nss!.mean!);
      expect(nss).toEqual([...nss].sort((a, b) => b - a));

      const md = readFileSync(join(work, 'first', 'leaderboard.md'), 'utf8');
      const table = md.split('\n').filter((l) => l.startsWith('| '));
      expect(table).toHaveLength(entries + 2);
      expect(table[0]).toContain('NSS ↑ (sorted)');
      expect(table[0]).toContain('KL ↓');
      expect(md).toMatch(/Wall time: [\d.]+ s|Wall time: \d+ min/);
      expect(md).toContain('top-1 class');
      for (const row of report.rows) {
        const line = table.find((l) => l.includes(row.label))!;
        expect(line).toBeDefined();
        const s = row.scores.nss!;
        expect(line).toContain(s.ci === null ? s.mean!.toFixed(3) : `${s.mean!.toFixed(3)} ± ${s.ci.toFixed(3)}`);
      }

      const html = readFileSync(join(work, 'first', 'leaderboard.html'), 'utf8');
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html.match(/<svg /g)).toHaveLength(config.metrics.length);
      expect(html).not.toMatch(/<script|(src|href)="(https?:)?\/\//i);
      if (full) {
        const pngs = [...html.matchAll(/src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)];
        // photo, human density, the 3 best model rows, the best baseline
        expect(pngs).toHaveLength(6);
        for (const [, b64] of pngs) expect(Buffer.from(b64, 'base64').subarray(1, 4).toString()).toBe('PNG');
      }
    }, 120_000);

    it('resumes: only the missing image runs, and a second resume runs nothing', async () => {
      const r = await cli(...args(config.last, 'second', '--resume'));
      expect(r.code).toBe(0);
      const added = config.last - config.first;
      expect(summary(r)).toEqual({ images: config.last, rows: entries, computed: added * entries, skipped: config.first * entries, engineRuns: added * config.layers.length });
      expect(await countScores(url)).toBe(config.last * entries * config.metrics.length);

      const again = await cli(...args(config.last, 'third', '--resume', '--examples', '0'));
      expect(again.code).toBe(0);
      expect(summary(again)).toEqual({ images: config.last, rows: entries, computed: 0, skipped: config.last * entries, engineRuns: 0 });
      expect(await countScores(url)).toBe(config.last * entries * config.metrics.length);
      const a = readJson(join(work, 'second'));
      const b = readJson(join(work, 'third'));
      expect(b.rows.map((x) => [x.label, x.scores.nss])).toEqual(a.rows.map((x) => [x.label, x.scores.nss]));
    }, 120_000);

    it('stored scores equal the engine, the centre bias and the ceiling run directly', async () => {
      const osie = parseOsie(JSON.parse(readFileSync(join(osieDir, 'fixations.json'), 'utf8')));
      const image = osie[0];
      const others = otherImages(osie.length, 0, 10, 0).flatMap((i) => osie[i].observers.flat());
      const reference = alignmentReference(image.observers.flat(), 800, 600, { sigma: 24, otherFixations: others });
      const { client } = createPrismaClient(url);
      const stored = await client.evalScore.findMany({ where: { image: '1001.jpg' } }).finally(() => client.$disconnect());
      const value = (method: string, metric: string, layer = '') => {
        const row = stored.find((s) => s.method === method && s.metric === metric && s.layer === layer);
        if (!row) throw new Error(`no stored ${method} ${layer} ${metric}`);
        return row;
      };

      // Grad-CAM of the top-1 class at the default layer, stretched back to 800×600 (half-pixel centres)
      const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
      const spec = findModel(manifest, 'squeezenet1.0');
      const labels = parseLabels(readFileSync(resolve(root, 'models/cache', spec.labels as string), 'utf8'));
      const engine = await Explainer.create(ort, readFileSync(resolve(root, 'models/cache', spec.file)), spec, labels);
      try {
        const { image: rgb } = await decodeImage(readFileSync(join(osieDir, 'stimuli', '1001.jpg')), 1e8);
        const result = await engine.explain(toTensor(resizeForModel(rgb, spec.input), spec.input), { methods: ['gradcam'], topK: 1 });
        const m = result.maps[0];
        const map = { width: 800, height: 600, values: resizeBilinear(m.map.values, 224, 224, 800, 600) };
        for (const s of scoreAll(map, reference, { metrics: config.metrics, seed: 0 })) {
          const row = value('gradcam', s.id, 'fire9/concat_2');
          expect(row.classIndex).toBe(result.predictions[0].index);
          // another process (other ONNX Runtime thread count): float32 rounding of the map may differ
          expect(row.value).toBeCloseTo(s.value!, 4);
        }
      } finally {
        await engine.release();
      }
      for (const s of scoreAll(centerBias({ width: 800, height: 600 }), reference, { metrics: config.metrics, seed: 0 })) {
        expect(value('center-bias', s.id).value).toBeCloseTo(s.value!, 12);
      }
      const ceiling = humanCeiling(image.observers, 800, 600, { sigma: 24, repetitions: 2, otherFixations: others, metrics: config.metrics, seed: 0 });
      for (const metric of config.metrics) {
        expect(value('split-half', metric).value).toBeCloseTo(ceiling.splitHalf[metric].mean, 12);
        expect(value('leave-one-out', metric).value).toBeCloseTo(ceiling.leaveOneOut[metric].mean, 12);
      }
    }, 60_000);

    it('puts the human ceiling above the centre-bias baseline on NSS and AUC-Judd', () => {
      const report = readJson(join(work, 'third'));
      const row = (method: string) => report.rows.find((x) => x.method === method)!;
      const ceiling = row('split-half');
      const centre = row('center-bias');
      expect(ceiling.kind).toBe('ceiling');
      expect(centre.kind).toBe('baseline');
      // measured on 20 OSIE images (DESIGN.md): ceiling NSS 3.47 vs 0.93, AUC-Judd 0.92 vs 0.75
      expect(ceiling.scores.nss!.mean! - centre.scores.nss!.mean!).toBeGreaterThan(1.0);
      expect(ceiling.scores['auc-judd']!.mean! - centre.scores['auc-judd']!.mean!).toBeGreaterThan(0.05);
      expect(ceiling.rank).toBeLessThan(centre.rank!);
    });

    it('serves the same leaderboard over GraphQL, with the ceiling and the baselines flagged', async () => {
      const report = readJson(join(work, 'third'));
      let s: TestServer | undefined;
      try {
        s = await startTestServer(url, { SALIENCY_MODELS: 'squeezenet1.0' });
        const r = await s.gql(LEADERBOARD, { dataset: 'osie', metric: 'nss' });
        expect(r.errors).toBeUndefined();
        const board = r.data!.leaderboard;
        expect(board).toMatchObject({ dataset: 'osie', metric: 'nss', metricName: 'NSS', higherIsBetter: true, ciLevel: 0.95 });
        expect(board.run).toMatchObject({ id: report.run.id, protocol: report.run.protocol, imageCount: config.last, images: report.run.images });
        expect(board.run.wallSeconds).toBeGreaterThan(0);
        expect(JSON.parse(board.run.params).metrics).toEqual(config.metrics);
        expect(board.rows).toHaveLength(entries);
        board.rows.forEach((row: Record<string, any>, i: number) => {
          const want = report.rows[i];
          expect(row.label).toBe(want.label);
          expect(row.rank).toBe(i + 1);
          expect(row.mean).toBeCloseTo(want.scores.nss!.mean!, 12);
          expect(row.ci).toBeCloseTo(want.scores.nss!.ci!, 12);
          expect(row.ciLow).toBeCloseTo(row.mean - row.ci, 12);
          expect(row.n).toBe(want.scores.nss!.n);
          expect(row.isCeiling).toBe(want.kind === 'ceiling');
          expect(row.isBaseline).toBe(want.kind === 'baseline');
          expect(row.kind).toBe(want.kind.toUpperCase());
          if (want.kind === 'model') {
            expect(row).toMatchObject({ model: 'squeezenet1.0', layer: want.layer, method: want.method, target: 'LOGIT' });
          } else {
            expect(row).toMatchObject({ model: null, layer: null, target: null });
          }
        });
        expect(board.rows.filter((x: { isCeiling: boolean }) => x.isCeiling).map((x: { method: string }) => x.method).sort()).toEqual(['leave-one-out', 'split-half']);
        expect(board.rows.filter((x: { isBaseline: boolean }) => x.isBaseline).map((x: { method: string }) => x.method).sort()).toEqual([...config.baselines].sort());

        // KL: lower is better, rows ascending
        const kl = (await s.gql(LEADERBOARD, { dataset: 'osie', metric: 'kl' })).data!.leaderboard;
        expect(kl.higherIsBetter).toBe(false);
        const means = kl.rows.map((x: { mean: number }) => x.mean);
        expect(means).toEqual([...means].sort((a, b) => a - b));
        // an older run by id: the first run covered fewer images
        const firstRun = readJson(join(work, 'first')).run.id;
        const older = (await s.gql(LEADERBOARD, { dataset: 'osie', metric: 'nss', run: firstRun })).data!.leaderboard;
        expect(older.run.imageCount).toBe(config.first);
        expect(older.rows.every((x: { n: number }) => x.n === config.first)).toBe(true);
        // nothing there, and mistakes
        expect((await s.gql(LEADERBOARD, { dataset: 'mit1003', metric: 'nss' })).data!.leaderboard).toBeNull();
        expect((await s.gql(LEADERBOARD, { dataset: 'osie', metric: 'nss', run: 'nope' })).data!.leaderboard).toBeNull();
        expect(await s.errorCode(LEADERBOARD, { dataset: 'osie', metric: 'emd' })).toBe('BAD_REQUEST');
        expect(await s.errorCode(LEADERBOARD, { dataset: 'osie', metric: 'sim' })).toBe('BAD_REQUEST');
      } finally {
        await s?.close();
      }
    }, 60_000);

    // the faithfulness run: the first images, the methods at the default layer, stored alignment kept
    const FAITH = ['deletion', 'insertion', 'road'];
    const modelRows = config.methods.length;
    const otherRows = 2 + config.baselines.length;
    const faithArgs = (out: string) => [
      'eval', '--dataset', 'osie', '--images', String(config.first), '--methods', config.methods.join(','), '--layers', 'default',
      '--metrics', config.metrics.join(','), '--faithfulness', '--baselines', config.baselines.join(','), '--ceiling-splits', '2',
      '--examples', '0', '--workers', '2', '--no-progress', '--database-url', url, '--out', join(work, out), '--resume',
    ];

    it('--resume --faithfulness adds the columns for model rows only and scores nothing against fixations again', async () => {
      const before = await countScores(url);
      const r = await cli(...faithArgs('faith'));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // one engine run per image (the maps are needed again), only the model rows computed
      expect(summary(r)).toEqual({ images: config.first, rows: modelRows + otherRows, computed: config.first * modelRows, skipped: config.first * otherRows, engineRuns: config.first });
      const report = readJson(join(work, 'faith'));
      expect(report.stats.time).toMatchObject({ reference: 0, maps: 0, ceiling: 0, baselines: 0 });
      expect(report.stats.time.faithfulness).toBeGreaterThan(0);
      expect(report.metrics.map((m) => m.id)).toEqual([...config.metrics, ...FAITH]);

      expect(await countScores(url)).toBe(before + config.first * modelRows * FAITH.length);
      const { client } = createPrismaClient(url);
      const stored = await client.evalScore.findMany().finally(() => client.$disconnect());
      const faith = stored.filter((s) => FAITH.includes(s.metric));
      expect(faith).toHaveLength(config.first * modelRows * FAITH.length);
      expect(faith.every((s) => s.kind === 'model' && s.layer === 'fire9/concat_2' && s.classIndex !== null)).toBe(true);
      // under the faithfulness key the run records; the alignment scores are still the earlier runs'
      expect(new Set(faith.map((s) => s.protocol))).toEqual(new Set([report.run.params.protocolKeys!.faithfulness]));
      expect(report.run.params.protocolKeys!.alignment).toBe(report.run.protocol);
      expect(stored.filter((s) => s.runId === report.run.id).every((s) => FAITH.includes(s.metric))).toBe(true);

      for (const row of report.rows) {
        for (const id of FAITH) {
          if (row.kind === 'model') expect(row.scores[id]!.n + (row.scores[id] as { undefined?: number }).undefined!).toBe(config.first);
          else expect(row.scores[id]).toBeNull();
        }
      }
      const md = readFileSync(join(work, 'faith', 'leaderboard.md'), 'utf8');
      expect(md).toContain('Deletion AUC ↓');
      expect(md).toContain('Insertion AUC ↑');
      expect(md).toContain('model rows only');
      const html = readFileSync(join(work, 'faith', 'leaderboard.html'), 'utf8');
      expect(html.match(/<svg /g)).toHaveLength(config.metrics.length + FAITH.length);
      expect(html).toContain('Deletion AUC ↓');

      // a second resume finds everything stored
      const again = await cli(...faithArgs('faith-again'));
      expect(summary(again)).toEqual({ images: config.first, rows: modelRows + otherRows, computed: 0, skipped: config.first * (modelRows + otherRows), engineRuns: 0 });
    }, 300_000);

    it('a stored deletion, insertion and ROAD equal core\'s measures run here on the same tensor and map', async () => {
      const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
      const spec = findModel(manifest, 'squeezenet1.0');
      const labels = parseLabels(readFileSync(resolve(root, 'models/cache', spec.labels as string), 'utf8'));
      // as in the eval worker: one ONNX Runtime thread, 16 inputs per run
      const engine = await Explainer.create(ort, readFileSync(resolve(root, 'models/cache', spec.file)), spec, labels, {
        batchSize: 16, sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1 },
      });
      const { client } = createPrismaClient(url);
      const stored = await client.evalScore.findMany({ where: { image: '1001.jpg', method: 'gradcam', layer: 'fire9/concat_2' } }).finally(() => client.$disconnect());
      const value = (metric: string) => stored.find((s) => s.metric === metric)!;
      try {
        const { image: rgb } = await decodeImage(readFileSync(join(osieDir, 'stimuli', '1001.jpg')), 1e8);
        const x = toTensor(resizeForModel(rgb, spec.input), spec.input);
        const m = (await engine.explain(x, { methods: ['gradcam'], layer: 'fire9/concat_2', topK: 1 })).maps[0];
        const score = (batch: Float32Array, n: number) => engine.forwardInputs(batch, n);
        const shape = chwShape(engine.inputShape);
        expect(value('deletion').classIndex).toBe(m.classIndex);
        const deletion = await causalCurve(score, x, shape, m.map, m.classIndex, 'deletion', { step: 224 * 8 });
        expect(Math.abs(value('deletion').value! - deletion.auc)).toBeLessThan(1e-9);
        const insertion = await causalCurve(score, x, shape, m.map, m.classIndex, 'insertion', { step: 224 * 8 });
        expect(Math.abs(value('insertion').value! - insertion.auc)).toBeLessThan(1e-9);
        // a faithful map: deleting its pixels drops the class faster than inserting them raises it
        expect(deletion.auc).toBeLessThan(insertion.auc);
        const roadValue = value('road').value;
        if (roadValue !== null) expect(Math.abs(roadValue - (await road(score, x, shape, m.map, m.classIndex, { seed: 0 })).combined)).toBeLessThan(1e-9);
      } finally {
        await engine.release();
      }
    }, 120_000);

    it('serves the faithfulness columns over GraphQL: deletion ascending, model rows only', async () => {
      // the newest run: the second faithfulness resume (the same stored scores)
      const report = readJson(join(work, 'faith-again'));
      let s: TestServer | undefined;
      try {
        s = await startTestServer(url, { SALIENCY_MODELS: 'squeezenet1.0' });
        const r = await s.gql(LEADERBOARD, { dataset: 'osie', metric: 'deletion' });
        expect(r.errors).toBeUndefined();
        const board = r.data!.leaderboard;
        expect(board).toMatchObject({ metric: 'deletion', metricName: 'Deletion AUC', higherIsBetter: false });
        expect(board.run.id).toBe(report.run.id);
        expect(board.rows).toHaveLength(modelRows);
        expect(board.rows.every((x: { kind: string; isCeiling: boolean; isBaseline: boolean }) => x.kind === 'MODEL' && !x.isCeiling && !x.isBaseline)).toBe(true);
        const means = board.rows.map((x: { mean: number }) => x.mean);
        expect(means).toEqual([...means].sort((a, b) => a - b));
        board.rows.forEach((row: { label: string; mean: number; n: number }) => {
          const want = report.rows.find((x) => x.label === row.label)!.scores.deletion!;
          expect(row.mean).toBeCloseTo(want.mean!, 12);
          expect(row.n).toBe(want.n);
        });
        const insertion = (await s.gql(LEADERBOARD, { dataset: 'osie', metric: 'insertion' })).data!.leaderboard;
        expect(insertion.higherIsBetter).toBe(true);
        const up = insertion.rows.map((x: { mean: number }) => x.mean);
        expect(up).toEqual([...up].sort((a, b) => b - a));
        // the same run's alignment table still has the ceiling and the baselines
        const nss = (await s.gql(LEADERBOARD, { dataset: 'osie', metric: 'nss' })).data!.leaderboard;
        expect(nss.rows).toHaveLength(modelRows + otherRows);
        // an earlier run did not compute deletion
        const firstRun = readJson(join(work, 'first')).run.id;
        expect(await s.errorCode(LEADERBOARD, { dataset: 'osie', metric: 'deletion', run: firstRun })).toBe('BAD_REQUEST');
      } finally {
        await s?.close();
      }
    }, 60_000);
  });
}

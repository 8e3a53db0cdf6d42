// `saliency-explainer eval` with detector rows (the detector study on OSIE): YOLOX-Nano × EigenCAM /
// Grad-CAM × layers (its default, one layer per stride, and one named layer) beside the ceiling and a
// baseline, scored with the study's MAE and top-p IoU and the benchmark's NSS and CC; stored scores
// equal core's DetectorExplainer maps scored here; usage errors for what detector rows do not take.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { alignmentReference, DetectorExplainer, findDetector, parseLabels, parseManifest, parseOsie, scoreAll } from '../../packages/core/src/index.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { otherImages } from '../../packages/api/src/eval/dataset.js';
import { createPrismaClient } from '../../packages/api/src/storage/open.js';
import { ort } from '../helpers/ort.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const osieDir = resolve(root, '../shared/data/osie');
const ready = existsSync(resolve(root, 'packages/api/dist/eval/detector-rows.js')) && existsSync(join(osieDir, 'fixations.json'))
  && existsSync(resolve(root, 'models/cache/yolox-nano/model.onnx'));

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DATABASE_URL: '' } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const METRICS = ['mae', 'iou', 'nss', 'cc'];

describe.skipIf(!ready)('eval with detector rows (SQLite)', () => {
  let work: string;
  let url: string;
  let ex: DetectorExplainer;
  const args = (...more: string[]) => [
    'eval', '--dataset', 'osie', '--images', '1', '--models', 'yolox-nano', '--metrics', METRICS.join(','), '--baselines', 'center-bias',
    '--ceiling-splits', '2', '--examples', '0', '--workers', '1', '--no-progress', '--database-url', url, '--out', join(work, 'out'), ...more,
  ];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'se-eval-det-'));
    url = `file:${join(work, 'db.sqlite')}`;
    const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
    const spec = findDetector(manifest, 'yolox-nano');
    const labels = parseLabels(readFileSync(resolve(root, 'models/cache', spec.labels as string), 'utf8'));
    ex = await DetectorExplainer.create(ort, readFileSync(resolve(root, 'models/cache', spec.file)), spec, labels);
  });
  afterAll(async () => {
    await ex?.release();
    rmSync(work, { recursive: true, force: true });
  });

  it('stores one score per row × metric; the maps are core\'s, scored as any row', async () => {
    const layer8 = ex.defaultLayers[0];
    const r = await cli(...args('--methods', 'eigencam,gradcam', '--layers', `default,${layer8}`));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 2 layers × 2 methods, the ceiling's two rows, the centre bias
    expect(r.stdout).toMatch(/1 images, 7 rows; 7 image × row units computed, 0 stored already; 2 engine runs/);
    const report = JSON.parse(readFileSync(join(work, 'out', 'leaderboard.json'), 'utf8')) as { rows: { kind: string; model: string; layer: string; method: string }[] };
    const all = ex.defaultLayers.join(',');
    expect(report.rows.filter((x) => x.kind === 'model').map((x) => `${x.model} ${x.layer} ${x.method}`).sort())
      .toEqual([`yolox-nano ${all} eigencam`, `yolox-nano ${all} gradcam`, `yolox-nano ${layer8} eigencam`, `yolox-nano ${layer8} gradcam`].sort());

    const { client } = createPrismaClient(url);
    const stored = await client.evalScore.findMany({ where: { image: '1001.jpg', model: 'yolox-nano' } }).finally(() => client.$disconnect());
    expect(stored).toHaveLength(4 * METRICS.length);
    const osie = parseOsie(JSON.parse(readFileSync(join(osieDir, 'fixations.json'), 'utf8')));
    const others = otherImages(osie.length, 0, 10, 0).flatMap((i) => osie[i].observers.flat());
    const reference = alignmentReference(osie[0].observers.flat(), 800, 600, { sigma: 24, otherFixations: others });
    const { image: rgb } = await decodeImage(readFileSync(join(osieDir, 'stimuli', '1001.jpg')), 1e8);
    const run = await ex.run(rgb);
    const eigen = await ex.eigenCam(run);
    const [grad] = await ex.explainBoxes(run, [run.detections[0]], { method: 'gradcam' });
    for (const [method, map, classIndex] of [['eigencam', eigen.map, null], ['gradcam', grad.map, run.detections[0].classIndex]] as const) {
      for (const s of scoreAll(map, reference, { metrics: METRICS, seed: 0 })) {
        const row = stored.find((x) => x.method === method && x.layer === all && x.metric === s.id)!;
        expect(row.classIndex).toBe(classIndex);
        // another process (other ONNX Runtime threads): float32 rounding of the map may differ
        expect(row.value).toBeCloseTo(s.value!, 4);
      }
    }
    // a gradient CAM on the stride-8 layer alone sees only boxes of stride 8: a box of another stride gives a zero map
    const box0Layer = ex.layerForBox(run.detections[0]);
    if (box0Layer !== layer8) expect(stored.find((x) => x.method === 'gradcam' && x.layer === layer8 && x.metric === 'nss')!.value).toBe(0);
  }, 240_000);

  it('refuses what detector rows do not take (usage errors, exit 2)', async () => {
    for (const more of [['--methods', 'scorecam'], ['--layers', '+1'], ['--layers', 'no-such-layer'], ['--methods', 'eigencam', '--target', 'probability']]) {
      const r = await cli(...args(...more));
      expect(r.code, more.join(' ')).toBe(2);
    }
  }, 120_000);
});

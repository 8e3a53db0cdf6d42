// @ts-check
// The Node side of the equality tests: the same core engine on onnxruntime-node (the API's and CLI's
// runtime), fed the RGB pixels the browser decoded; and sharp's decoding of a photo, as the API does it.
// A Node explanation is a job (node-explain-start, then node-explain-result until it is done): the test
// runner gives a server command 20 s to answer, and a Score-CAM on a busy machine takes longer.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** @param {{ repo: string, photos: string }} options */
export function nodeReferencePlugin({ repo, photos }) {
  /** @type {Map<string, Promise<any>>} */
  const explainers = new Map();
  const core = () => import(pathToFileURL(join(repo, 'packages', 'core', 'dist', 'index.js')).href);

  /** @param {string} id */
  function explainer(id) {
    let e = explainers.get(id);
    if (!e) {
      e = (async () => {
        const { Explainer, findModel, parseLabels, parseManifest } = await core();
        const ort = await import('onnxruntime-node');
        ort.env.logLevel = 'error';
        const manifest = parseManifest(readFileSync(join(repo, 'models', 'manifest.json'), 'utf8'));
        const spec = findModel(manifest, id);
        const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(join(repo, 'models', 'cache', spec.labels), 'utf8'));
        const bytes = new Uint8Array(readFileSync(join(repo, 'models', 'cache', spec.file)));
        return Explainer.create(ort, bytes, spec, labels);
      })();
      explainers.set(id, e);
    }
    return e;
  }

  /** @type {Map<number, Promise<any>>} */
  const jobs = new Map();
  let nextJob = 1;
  /** How long one node-explain-result call waits for its job before answering "not yet". */
  const POLL_MS = 10_000;

  /** @param {{ model: string, rgb: string, width: number, height: number, methods: string[], classes?: number[], topK?: number }} p */
  async function nodeExplain(p) {
    const { preprocess } = await core();
    const e = await explainer(p.model);
    const image = { data: new Uint8Array(Buffer.from(p.rgb, 'base64')), width: p.width, height: p.height, channels: 3 };
    const r = await e.explain(preprocess(image, e.spec.input), { methods: p.methods, classes: p.classes, topK: p.topK });
    return {
      predictions: r.predictions,
      maps: r.maps.map((/** @type {any} */ m) => ({
        method: m.method, classIndex: m.classIndex,
        raw: { width: m.raw.width, height: m.raw.height, values: Array.from(m.raw.values) },
        map: { width: m.map.width, height: m.map.height, values: Array.from(m.map.values) },
      })),
    };
  }

  /** @type {import('@web/test-runner').TestRunnerPlugin} */
  return {
    name: 'widget-node-reference',
    async executeCommand({ command, payload }) {
      if (command === 'node-explain-start') {
        const id = nextJob++;
        const job = nodeExplain(/** @type {any} */ (payload));
        job.catch(() => undefined); // reported by node-explain-result
        jobs.set(id, job);
        return id;
      }
      if (command === 'node-explain-result') {
        const id = /** @type {{ id: number }} */ (payload).id;
        const job = jobs.get(id);
        if (!job) throw new Error(`no Node explain job ${id}`);
        const result = await Promise.race([job, new Promise((r) => setTimeout(() => r(null), POLL_MS))]);
        if (result === null) return { done: false };
        jobs.delete(id);
        return { done: true, result };
      }
      if (command === 'sharp-pixels') {
        // the API's decoder (sharp: EXIF rotation, alpha on white, sRGB), from packages/api/dist
        const { decodeImage } = await import(pathToFileURL(join(repo, 'packages', 'api', 'dist', 'images', 'decode.js')).href);
        const name = /** @type {{ name: string }} */ (payload).name;
        const { image } = await decodeImage(new Uint8Array(readFileSync(join(photos, name))), 40_000_000);
        return { width: image.width, height: image.height, sha256: createHash('sha256').update(image.data).digest('hex') };
      }
      return undefined;
    },
  };
}

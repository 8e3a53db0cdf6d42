// @ts-check
// The free-text captioner's side of the browser tests: transformers.js's browser build and its ONNX
// Runtime Web files under /transformers/ (as the API serves them), a tiny random-weight captioner in the
// Optimum VisionEncoderDecoder layout (test/helpers/tiny-captioner.ts, written once per run) under
// /captioners/tiny-captioner/, and a command that gives the greedy decode of given 8×8 pixels, computed
// in float64 in Node from the same weights (independent of ONNX and of transformers.js).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { file, sendFile } from './routes.mjs';

/** @param {{ repo: string }} options */
export function captionerPlugin({ repo }) {
  const require = createRequire(join(repo, 'packages', 'api', 'package.json'));
  const entry = require.resolve('@huggingface/transformers');
  const ortDist = dirname(createRequire(entry).resolve('onnxruntime-web'));
  /** @type {Record<string, string>} */
  const library = {
    'transformers.min.js': join(dirname(entry), 'transformers.min.js'),
    ...Object.fromEntries(['jsep', 'asyncify'].flatMap((build) => ['mjs', 'wasm'].map((ext) => `ort-wasm-simd-threaded.${build}.${ext}`))
      .map((name) => [name, join(ortDist, name)])),
  };
  const parent = mkdtempSync(join(tmpdir(), 'se-widget-captioners-'));
  /** @type {Promise<{ helper: any, tiny: any }> | null} */
  let written = null;
  const tiny = () => (written ??= tsImport(join(repo, 'test', 'helpers', 'tiny-captioner.ts'), import.meta.url)
    .then((helper) => ({ helper, tiny: helper.writeTinyCaptioner(parent) })));

  /** @type {import('koa').Middleware} */
  async function middleware(ctx, next) {
    const path = decodeURIComponent(ctx.path);
    let found = null;
    if (path.startsWith('/transformers/')) found = library[path.slice('/transformers/'.length)] ?? null;
    else if (path.startsWith('/captioners/')) {
      await tiny();
      found = file(parent, path.slice('/captioners/'.length));
    } else return next();
    await sendFile(ctx, found);
  }

  /** @type {import('@web/test-runner').TestRunnerPlugin} */
  const plugin = {
    name: 'widget-captioner',
    async executeCommand({ command, payload }) {
      if (command !== 'tiny-captioner-greedy') return undefined;
      const { helper, tiny: t } = await tiny();
      const { inputs } = /** @type {{ inputs: string[] }} */ (payload);
      return inputs.map((b64) => {
        const { ids, minGap } = helper.greedy(t, helper.pixelValues(t, new Uint8Array(Buffer.from(b64, 'base64'))));
        return { text: ids.filter((/** @type {number} */ i) => i > 2).map((/** @type {number} */ i) => helper.TINY_VOCAB[i]).join(' '), minGap, size: t.size, maxNewTokens: t.maxNewTokens };
      });
    },
    async serverStop() {
      rmSync(parent, { recursive: true, force: true });
    },
  };
  return { middleware, plugin };
}

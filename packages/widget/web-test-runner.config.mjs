// @ts-check
// Browser tests of <saliency-explainer> in Debian's Chromium (headless): the widget's sources through
// esbuild, the repo root served (node_modules, the built bundle), test routes that mirror the API's
// static files, a real API server, the Node engine for reference maps, screenshots, a plain summary.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { apiServer } from './test/plugins/api-server.mjs';
import { bundleCorePlugin } from './test/plugins/bundle-core.mjs';
import { captionerPlugin } from './test/plugins/captioner.mjs';
import { compileWorkerPlugin } from './test/plugins/compile-worker.mjs';
import { nodeReferencePlugin } from './test/plugins/node-reference.mjs';
import { routes } from './test/plugins/routes.mjs';
import { screenshotPlugin } from './test/plugins/screenshot.mjs';
import { summaryReporter } from './test/plugins/summary-reporter.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const photos = process.env.SALIENCY_PHOTOS_DIR ?? resolve(repo, '..', 'shared', 'data', 'images');
const osie = process.env.SALIENCY_OSIE_DIR ?? resolve(repo, '..', 'shared', 'data', 'osie');
const models = ['squeezenet1.0'];

for (const [path, fix] of [
  [join(repo, 'packages', 'core', 'dist', 'index.js'), 'run `npm run build` at the repository root'],
  [join(repo, 'packages', 'api', 'dist', 'server', 'start.js'), 'run `npm run build` at the repository root'],
  [join(repo, 'models', 'cache', 'squeezenet1.0', 'model-fp16.onnx'), 'run `npm run models` at the repository root'],
  [join(here, 'dist', 'saliency-explainer.js'), 'run `npm run build -w packages/widget`'],
  [join(photos, 'both.png'), 'the tests use the photos of ../shared/data/images (or SALIENCY_PHOTOS_DIR)'],
  [join(osie, 'fixations.json'), 'the annotation tests use OSIE of ../shared/data/osie (or SALIENCY_OSIE_DIR)'],
]) {
  if (!existsSync(path)) throw new Error(`browser tests: ${path} is missing: ${fix}`);
}

const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const flags = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
/** @param {string[]} extra */
const chromium = (extra = []) => chromeLauncher({ launchOptions: { executablePath, headless: true, args: [...flags, ...extra] } });

const served = routes({ repo, photos, osie, models });
// the API serves the detector too (detector.test.ts's remote mode)
const api = apiServer({ repo, models: [...models, 'yolox-nano'] });
const captioner = captionerPlugin({ repo });
const test = (/** @type {string} */ pattern) => join(here, 'test', pattern);
// WIDGET_TESTS=annotate,remote runs only those files (names without .test.ts); the webgpu group only when named
const only = process.env.WIDGET_TESTS?.split(',').map((s) => s.trim()).filter(Boolean);

export default {
  rootDir: repo,
  nodeResolve: true,
  // (WIDGET_TESTS=webgpu alone: no default group at all, which web-test-runner 0.20 wants rather than an empty one)
  ...(only?.every((n) => n === 'webgpu') ? {} : { files: only ? only.filter((n) => n !== 'webgpu').map((n) => test(`${n}.test.ts`)) : [test('**/*.test.ts'), `!${test('webgpu.test.ts')}`] }),
  // the tests compile and run real models on two cores: one page at a time
  concurrency: 1,
  concurrentBrowsers: 1,
  testFramework: { config: { timeout: 240_000 } },
  testsFinishTimeout: 1_200_000,
  browserStartTimeout: 60_000,
  middleware: [served.middleware, api.middleware, captioner.middleware],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: join(here, 'tsconfig.json'), target: 'es2022' }),
    bundleCorePlugin({ repo }),
    compileWorkerPlugin(),
    served.plugin,
    api.plugin,
    captioner.plugin,
    nodeReferencePlugin({ repo, photos }),
    screenshotPlugin({ dir: join(here, 'test', 'screenshots') }),
  ],
  // without --enable-unsafe-webgpu, navigator.gpu.requestAdapter() answers null: the wasm fallback
  browsers: [chromium()],
  groups: !only || only.includes('webgpu') ? [{ name: 'webgpu', files: test('webgpu.test.ts'), browsers: [chromium(['--enable-unsafe-webgpu'])] }] : [],
  reporters: [defaultReporter(), summaryReporter()],
};

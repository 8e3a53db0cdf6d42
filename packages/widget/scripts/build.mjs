// Build the widget: one ES module (Lit and core bundled, ONNX Runtime Web left out: it is loaded
// lazily from wasm-paths; the graph compiler's worker built first and inlined as text:
// compile-worker-bundle.mjs), its types (tsc checks and emits them per file; dts-bundle-generator makes
// the published one, dist/saliency-explainer.d.ts, with core's types inlined, so the package needs no
// workspace package), and custom-elements.json; prints the bundle's size.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { compileWorkerPlugin } from './compile-worker-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'saliency-explainer.js');
const bin = (name) => join(root, '..', '..', 'node_modules', '.bin', name);

rmSync(join(root, 'dist'), { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'src', 'index.ts')],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'eof',
  tsconfig: join(root, 'tsconfig.json'),
  metafile: true,
  logLevel: 'warning',
  plugins: [compileWorkerPlugin()],
});
const inputs = Object.keys(result.metafile.inputs);
const leaked = inputs.filter((f) => f.includes('onnxruntime-web') && !f.endsWith('.d.ts'));
if (leaked.length) throw new Error(`onnxruntime-web must not be bundled (it is loaded lazily), found: ${leaked.join(', ')}`);

execFileSync(bin('tsc'), ['-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
execFileSync(bin('dts-bundle-generator'), ['--silent', '--no-check', '--project', join(root, 'tsconfig.json'), '--external-inlines', '@saliency-explainer/core',
  '-o', join(root, 'dist', 'saliency-explainer.d.ts'), join(root, 'src', 'index.ts')], { cwd: root, stdio: 'inherit' });
execFileSync(bin('cem'), ['analyze', '--litelement', '--globs', 'src/**/*.ts', '--outdir', 'dist'], { cwd: root, stdio: 'inherit' });

const raw = statSync(out).size;
const gzip = gzipSync(readFileSync(out), { level: 9 }).length;
console.log(`dist/saliency-explainer.js: ${(raw / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip (ONNX Runtime Web is loaded on first local run)`);

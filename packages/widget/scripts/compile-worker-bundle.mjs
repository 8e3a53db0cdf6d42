// @ts-check
// The graph compiler's worker (src/engines/compile-worker.ts) as one classic script, and the esbuild
// plugin that makes it the module `virtual:compile-worker` (export default <its source text>): the
// widget starts the worker from a Blob URL of that text, so the shipped widget stays one ES module.
// Used by scripts/build.mjs and, through test/plugins/compile-worker.mjs, by the browser tests.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const VIRTUAL_COMPILE_WORKER = 'virtual:compile-worker';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The worker's script: bundled (core and its dependencies inlined), an IIFE.
 * @param {{ minify?: boolean, sourcemap?: boolean }} [options] minified for the shipped bundle; an inline source map for the tests
 */
export async function bundleCompileWorker({ minify = true, sourcemap = false } = {}) {
  const result = await build({
    entryPoints: [join(root, 'src', 'engines', 'compile-worker.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: sourcemap ? 'inline' : false,
    legalComments: minify ? 'eof' : 'inline',
    tsconfig: join(root, 'tsconfig.json'),
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const leaked = Object.keys(result.metafile.inputs).filter((f) => f.includes('onnxruntime-web') && !f.endsWith('.d.ts'));
  if (leaked.length) throw new Error(`the compile worker must not bundle onnxruntime-web, found: ${leaked.join(', ')}`);
  return result.outputFiles[0].text;
}

/** The module `virtual:compile-worker` of a worker script: its text as the default export. */
export function compileWorkerModule(/** @type {string} */ script) {
  return `export default ${JSON.stringify(script)};\n`;
}

/**
 * esbuild plugin: `import script from 'virtual:compile-worker'` gets the minified worker's text.
 * @returns {import('esbuild').Plugin}
 */
export function compileWorkerPlugin() {
  return {
    name: 'compile-worker',
    setup(b) {
      b.onResolve({ filter: /^virtual:compile-worker$/ }, () => ({ path: VIRTUAL_COMPILE_WORKER, namespace: 'compile-worker' }));
      b.onLoad({ filter: /.*/, namespace: 'compile-worker' }, async () => ({ contents: compileWorkerModule(await bundleCompileWorker()), loader: 'js' }));
    },
  };
}

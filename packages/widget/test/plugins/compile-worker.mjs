// @ts-check
// Serves `virtual:compile-worker` (the graph compiler's worker as source text, see
// scripts/compile-worker-bundle.mjs) to the test page: compile-worker.ts bundled by esbuild on the
// first request, so the tests start the real worker from a Blob URL as the shipped bundle does.
import { bundleCompileWorker, compileWorkerModule, VIRTUAL_COMPILE_WORKER } from '../../scripts/compile-worker-bundle.mjs';

const URL_PATH = '/__widget-test/compile-worker.js';

export function compileWorkerPlugin() {
  /** @type {Promise<string> | null} */
  let code = null;
  /** @type {import('@web/test-runner').TestRunnerPlugin} */
  return {
    name: 'widget-compile-worker',
    resolveImport({ source }) {
      return source === VIRTUAL_COMPILE_WORKER ? URL_PATH : undefined;
    },
    async serve(context) {
      if (context.path !== URL_PATH) return undefined;
      code ??= bundleCompileWorker({ minify: false, sourcemap: true }).then(compileWorkerModule);
      return { body: await code, type: 'js' };
    },
  };
}

// @ts-check
// Serves @saliency-explainer/core to the test page as one ES module bundled by esbuild: its
// dependencies (onnx-proto, protobufjs) are CommonJS, which the dev server's node-resolve cannot
// serve to a browser as-is. The shipped widget bundle inlines them the same way.
import { join } from 'node:path';
import { build } from 'esbuild';

const URL_PATH = '/__widget-test/core.js';

/** @param {{ repo: string }} options */
export function bundleCorePlugin({ repo }) {
  /** @type {Promise<string> | null} */
  let code = null;
  const bundle = async () => {
    const r = await build({
      entryPoints: [join(repo, 'packages', 'core', 'dist', 'index.js')],
      bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, sourcemap: 'inline', logLevel: 'warning',
    });
    return r.outputFiles[0].text;
  };
  /** @type {import('@web/test-runner').TestRunnerPlugin} */
  return {
    name: 'widget-bundle-core',
    resolveImport({ source }) {
      return source === '@saliency-explainer/core' ? URL_PATH : undefined;
    },
    async serve(context) {
      if (context.path !== URL_PATH) return undefined;
      code ??= bundle();
      return { body: await code, type: 'js' };
    },
  };
}

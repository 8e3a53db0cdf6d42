// The script of a worker thread: the compiled .js beside its caller, or, when the server runs from
// its TypeScript sources (the tests), a bootstrap that registers tsx's loader in the worker and
// imports the .ts.
import { existsSync } from 'node:fs';

/** `js` is the compiled worker's URL, e.g. new URL('./engine-worker.js', import.meta.url). */
export function workerScript(js: URL): URL {
  if (existsSync(js)) return js;
  const ts = new URL(js.href.replace(/\.js$/, '.ts'));
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(ts.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

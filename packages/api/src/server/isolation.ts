// Cross-origin isolation of the server's pages (SALIENCY_CROSS_ORIGIN_ISOLATION, off by default).
// With it on, every response carries COOP `same-origin` and COEP `require-corp`, so the demo page and
// any page of this server is `crossOriginIsolated`: SharedArrayBuffer exists and the widget runs
// ONNX Runtime Web's wasm on several threads. Off by default because COEP makes the browser refuse
// every cross-origin resource a page embeds that does not opt in (CORP or CORS): an image `src` from
// another site, an iframe, a third-party script. The server's own files also say
// `Cross-Origin-Resource-Policy: cross-origin`, so isolated pages on other origins can still load
// the widget, the runtime and the models from here.
import type { ServerResponse } from 'node:http';

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'cross-origin',
};

/** SALIENCY_CROSS_ORIGIN_ISOLATION: on/true/1/yes or off/false/0/no (default off). */
export function crossOriginIsolation(v: string | undefined): boolean {
  const text = (v ?? '').trim().toLowerCase();
  if (text === '' || ['off', 'false', '0', 'no'].includes(text)) return false;
  if (['on', 'true', '1', 'yes'].includes(text)) return true;
  throw new Error(`SALIENCY_CROSS_ORIGIN_ISOLATION=${v}: expected on or off`);
}

export function setIsolationHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
}

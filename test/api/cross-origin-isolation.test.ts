// SALIENCY_CROSS_ORIGIN_ISOLATION: COOP/COEP (and CORP for the server's own files) on every response
// only when the setting is on — the demo page, static files and errors alike; off by default. The
// request handler runs on a real HTTP server with stub services (no model, no database).
import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import { createRequestHandler } from '../../packages/api/src/server/http.js';
import { crossOriginIsolation, ISOLATION_HEADERS } from '../../packages/api/src/server/isolation.js';
import { settingsFromEnv } from '../../packages/api/src/server/settings.js';
import type { ApiContext, ApiServices } from '../../packages/api/src/server/context.js';
import type { StaticRoutes } from '../../packages/api/src/server/static.js';

const files: StaticRoutes = {
  demoPage: () => '<!doctype html><title>demo</title>',
  async handle(_req, res, pathname) {
    if (pathname !== '/widget/saliency-explainer.js') return false;
    res.writeHead(200, { 'content-type': 'text/javascript' }).end('export {};');
    return true;
  },
};

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function headersOf(env: NodeJS.ProcessEnv, paths: string[]): Promise<Headers[]> {
  const settings = settingsFromEnv({ SALIENCY_RATE_LIMIT: '0', ...env });
  const handler = createRequestHandler({} as ApolloServer<ApiContext>, {} as ApiServices, settings, files);
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const out: Headers[] = [];
  for (const p of paths) {
    const r = await fetch(`http://127.0.0.1:${port}${p}`);
    await r.arrayBuffer();
    out.push(r.headers);
  }
  return out;
}

const PATHS = ['/', '/widget/saliency-explainer.js', '/no-such-route'];

describe('cross-origin isolation headers', () => {
  it('are absent by default', async () => {
    for (const h of await headersOf({}, PATHS)) {
      for (const name of Object.keys(ISOLATION_HEADERS)) expect(h.get(name)).toBeNull();
    }
  });

  it('are on every response with SALIENCY_CROSS_ORIGIN_ISOLATION=on', async () => {
    for (const h of await headersOf({ SALIENCY_CROSS_ORIGIN_ISOLATION: 'on' }, PATHS)) {
      expect(h.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(h.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(h.get('cross-origin-resource-policy')).toBe('cross-origin');
    }
  });

  it('reads on/off and refuses anything else', () => {
    expect(settingsFromEnv({}).crossOriginIsolation).toBe(false);
    for (const v of ['on', 'true', '1', 'YES']) expect(crossOriginIsolation(v)).toBe(true);
    for (const v of ['off', 'false', '0', 'no', '', undefined]) expect(crossOriginIsolation(v)).toBe(false);
    expect(() => settingsFromEnv({ SALIENCY_CROSS_ORIGIN_ISOLATION: 'maybe' })).toThrow(/SALIENCY_CROSS_ORIGIN_ISOLATION/);
  });
});

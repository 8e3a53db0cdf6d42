// @ts-check
// A real saliency-explainer API for the remote and fallback tests: started from packages/api/dist on
// a free port with a throwaway SQLite database, closed when the test server stops.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A URL on 127.0.0.1 where nothing listens (a port bound, then released). */
async function closedPortUrl() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return `http://127.0.0.1:${port}/graphql`;
}

/**
 * The plugin, and test-server middleware that forwards to the API: `/slow-api/graphql` after 3 s (to
 * see a remote request in flight); `/faulty-api/<CODE>/graphql` at once, except that the first
 * submitAnnotation of each ticket is answered with a GraphQL error of that code (the annotation
 * error states; sending the same ticket again reaches the API).
 * @param {{ repo: string, models: string[] }} options
 */
export function apiServer({ repo, models }) {
  /** @type {{ url: string, close(): Promise<void> } | null} */
  let api = null;
  const dir = mkdtempSync(join(tmpdir(), 'widget-api-'));

  /** tickets whose first submission the faulty API refused */
  const refused = new Set();

  /** @type {import('koa').Middleware} */
  async function middleware(ctx, next) {
    const faulty = /^\/faulty-api\/([A-Z_]+)\/graphql$/.exec(ctx.path);
    if (ctx.path !== '/slow-api/graphql' && !faulty) return next();
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return undefined;
    }
    const chunks = [];
    for await (const c of ctx.req) chunks.push(c);
    if (faulty) {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const ticket = body.variables?.input?.ticket;
      if (String(body.query).includes('submitAnnotation') && ticket && !refused.has(ticket)) {
        refused.add(ticket);
        ctx.status = 200;
        ctx.type = 'application/json';
        ctx.body = JSON.stringify({ data: null, errors: [{ message: `refused by the test proxy (${faulty[1]})`, extensions: { code: faulty[1] } }] });
        return undefined;
      }
    } else {
      await new Promise((r) => setTimeout(r, 3000));
    }
    if (!api) throw new Error('the API server did not start');
    const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
    ctx.status = res.status;
    ctx.type = 'application/json';
    ctx.body = Buffer.from(await res.arrayBuffer());
    return undefined;
  }

  /** @type {import('@web/test-runner').TestRunnerPlugin} */
  const plugin = {
    name: 'widget-api-server',
    async serverStart() {
      const dist = join(repo, 'packages', 'api', 'dist', 'server');
      const { startServer } = await import(pathToFileURL(join(dist, 'start.js')).href);
      const { settingsFromEnv } = await import(pathToFileURL(join(dist, 'settings.js')).href);
      const settings = settingsFromEnv({
        ...process.env,
        DATABASE_URL: `file:${join(dir, 'api.sqlite')}`,
        SALIENCY_MODELS: models.join(','),
        SALIENCY_RATE_LIMIT: '0',
        SALIENCY_ANNOTATION_RATE: '0',
        // the test pages are served from another origin than the API
        SALIENCY_CORS_ORIGINS: '*',
        // the tests click at machine speed and make many annotators from one address
        SALIENCY_ANNOTATION_MIN_FIRST_CLICK_MS: '0',
        SALIENCY_ANNOTATION_MIN_CLICK_INTERVAL_MS: '0',
        SALIENCY_ANNOTATION_NEW_ANNOTATORS: '0',
      });
      settings.port = 0;
      api = await startServer(settings);
    },
    async serverStop() {
      await api?.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async executeCommand({ command }) {
      if (command === 'api-url') {
        if (!api) throw new Error('the API server did not start');
        return api.url;
      }
      if (command === 'closed-port-url') return closedPortUrl();
      return undefined;
    },
  };
  return { plugin, middleware };
}

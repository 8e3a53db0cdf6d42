// The HTTP front of the API on Node's own server: CORS (server/cors.ts), the client address
// (server/client-address.ts), rate limit, body-size limit, /health, the landing page, and /graphql
// handed to Apollo Server through its integration API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { ApiContext, ApiServices } from './context.js';
import { clientAddressOf } from './client-address.js';
import { corsPolicy } from './cors.js';
import { setIsolationHeaders } from './isolation.js';
import { HTTP_STATUS, type ErrorCode } from './errors.js';
import { ResponseBudget } from './response-budget.js';
import { landingPage } from './landing.js';
import { campaignRoutes } from './campaign-routes.js';
import type { StaticRoutes } from './static.js';
import type { ServerSettings } from './settings.js';

class HttpError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, e: HttpError): void {
  sendJson(res, HTTP_STATUS[e.code] ?? 400, { errors: [{ message: e.message, extensions: { code: e.code } }] }, e.headers);
}

/**
 * The request body, refused once it passes `max` bytes (announced or streamed). The rest of a refused
 * body is read and dropped, up to `drain` bytes, before the 413 goes out: a client that reads the
 * answer only after sending everything (Node's fetch, undici) would otherwise see the connection
 * close under it ("fetch failed") instead of the typed error. Past `drain` the connection is closed.
 */
function readBody(req: IncomingMessage, max: number, drain: number): Promise<Buffer> {
  const tooLarge = () => new HttpError('REQUEST_TOO_LARGE', `the request body is larger than ${max} bytes (SALIENCY_MAX_REQUEST_BYTES)`, { connection: 'close' });
  const announced = Number(req.headers['content-length'] ?? 0);
  // too large to drain: answered at once (curl and browsers read it; the connection closes after)
  if (announced > drain) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = announced > max;
    const done = (e: Error | null, body?: Buffer) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (e) reject(e);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) over = true;
      if (!over) chunks.push(chunk);
      else chunks.length = 0;
      if (size > drain) {
        req.pause();
        done(tooLarge());
      }
    };
    const onEnd = () => done(over ? tooLarge() : null, Buffer.concat(chunks));
    const onError = (e: Error) => done(e);
    const onClose = () => done(new HttpError('BAD_REQUEST', 'the client closed the connection before the body ended'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

export function createRequestHandler(apollo: ApolloServer<ApiContext>, services: ApiServices, settings: ServerSettings, files: StaticRoutes) {
  const { limits } = settings;
  // with PostgreSQL the counts live in the database (queue/shared-state.ts): replicas limit as one
  const limiter = services.shared ? services.shared.limiter : limits.requestsPerMinute > 0 ? new RateLimiterMemory({ points: limits.requestsPerMinute, duration: 60 }) : null;
  const allowOrigin = corsPolicy(settings.corsOrigins);
  const clientOf = clientAddressOf(settings.trustProxy);

  function cors(req: IncomingMessage, res: ServerResponse): void {
    const allowed = allowOrigin(req.headers.origin);
    if (allowed) res.setHeader('access-control-allow-origin', allowed);
    if (allowed !== '*') res.setHeader('vary', 'Origin');
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const client = clientOf(req);
    if (limiter) {
      try {
        await limiter.consume(client);
      } catch (r) {
        if (!(r instanceof RateLimiterRes)) throw r;
        const wait = Math.ceil(r.msBeforeNext / 1000);
        throw new HttpError('RATE_LIMITED', `more than ${limits.requestsPerMinute} requests per minute from ${client} (SALIENCY_RATE_LIMIT); retry in ${wait} s`, { 'retry-after': String(wait) });
      }
    }
    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req, limits.maxRequestBytes, limits.maxDrainBytes);
      const type = req.headers['content-type'] ?? '';
      if (/application\/json/i.test(type)) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpError('BAD_REQUEST', 'the request body is not valid JSON');
        }
      } else {
        body = raw.toString('utf8');
      }
    }
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => ({ ...services, client, authorization: req.headers.authorization, response: new ResponseBudget(limits.maxResponseBytes) }),
    });
    for (const [k, v] of result.headers) res.setHeader(k, v);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  async function health(res: ServerResponse): Promise<void> {
    let database = true;
    try {
      await services.storage.ping();
    } catch {
      database = false;
    }
    sendJson(res, database ? 200 : 503, {
      ok: database,
      version: services.version,
      database: services.storage.provider,
      executionProvider: services.pool.executionProvider,
      models: services.pool.ids,
      defaultModel: services.pool.defaultId,
      uptimeSeconds: (Date.now() - services.startedAt) / 1000,
      queue: services.shared ? await services.shared.queueHealth().catch(() => null) : null,
    });
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      cors(req, res);
      if (settings.crossOriginIsolation) setIsolationHeaders(res);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'content-type, authorization, apollo-require-preflight, x-apollo-operation-name',
          'access-control-max-age': '600',
        });
        res.end();
      } else if (url.pathname === '/graphql') {
        if (req.method === 'GET' && /text\/html/.test(req.headers.accept ?? '') && !url.searchParams.has('query')) {
          res.writeHead(302, { location: '/' }).end();
        } else {
          await graphql(req, res, url);
        }
      } else if (url.pathname === '/health' && req.method === 'GET') {
        await health(res);
      } else if ((url.pathname === '/' || url.pathname === '/console') && req.method === 'GET') {
        // the widget's demo page when it is there; the query console always at /console
        const html = (url.pathname === '/' && files.demoPage()) || landingPage(services.version);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) }).end(html);
      } else if (url.pathname.startsWith('/c/') && (await campaignRoutes(req, res, url.pathname, services))) {
        // a campaign's participant page (server/campaign-routes.ts)
      } else if (await files.handle(req, res, url.pathname)) {
        // served from disk
      } else {
        sendJson(res, 404, { errors: [{ message: `no route ${req.method} ${url.pathname}`, extensions: { code: 'NOT_FOUND' } }] });
      }
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) {
        sendError(res, e);
        // a body past the drain limit is not read on: the connection closes after the answer
        if (e.code === 'REQUEST_TOO_LARGE' && !req.complete) res.on('finish', () => req.destroy());
        return;
      }
      console.error('saliency-explainer: unexpected error', e);
      sendJson(res, 500, { errors: [{ message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    }
  };
}

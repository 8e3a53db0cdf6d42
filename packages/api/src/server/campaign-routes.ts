// The campaign routes of the HTTP front (http.ts hands them every /c/ path):
//  * GET /c/<id>            the participant page (anyone with the link);
//  * GET /c/<id>/dashboard  the organiser's dashboard page: it holds no data — it asks for the admin key
//                           and reads the campaign over GraphQL with it (campaign(id), Bearer key);
//  * GET /c/<id>/export.tar the campaign's data set (campaigns/export.ts) as an uncompressed tar, only
//                           with `Authorization: Bearer <SALIENCY_ADMIN_KEY>` (checked before anything
//                           is read: ADMIN_DISABLED 403, UNAUTHENTICATED 401, as the GraphQL fields).
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AnnotationError } from '../annotations/validate.js';
import { campaignDataset } from '../campaigns/export.js';
import { CAMPAIGN_ID } from '../campaigns/store.js';
import type { ApiServices } from './context.js';
import { campaignPage } from './campaign-page.js';
import { dashboardPage } from './campaign-dashboard.js';
import { statusOf } from './errors.js';

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  res.end(html);
}

function sendError(res: ServerResponse, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(statusOf(code) ?? 400, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

const notFound = (what: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body style="font:16px system-ui,sans-serif;margin:2rem"><h1>Not found</h1><p>${what}</p></body></html>`;

/** Streams the campaign's data set as `<id>/…` entries of a tar. */
async function exportTar(req: IncomingMessage, res: ServerResponse, id: string, services: ApiServices): Promise<void> {
  try {
    services.campaigns.authorize(req.headers.authorization);
  } catch (e) {
    if (e instanceof AnnotationError) return sendError(res, e.code, e.message);
    throw e;
  }
  const files = campaignDataset(services.campaigns, services.storage, id);
  // the first file before the headers: an unknown campaign is still a typed 404
  let first: IteratorResult<{ path: string; bytes: Uint8Array }>;
  try {
    first = await files.next();
  } catch (e) {
    if (e instanceof AnnotationError) return sendError(res, e.code, e.message);
    throw e;
  }
  res.writeHead(200, {
    'content-type': 'application/x-tar',
    'content-disposition': `attachment; filename="campaign-${id}.tar"`,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // tar-stream writes the ustar headers; one file is held at a time (the next waits for the socket)
  const pack = tar.pack();
  const sent = pipeline(pack, res).catch(() => undefined); // a client that goes away ends the stream; nothing to report
  const mtime = new Date();
  try {
    for (let r = first; !r.done; r = await files.next()) {
      await new Promise<void>((done, fail) => pack.entry({ name: `${id}/${r.value.path}`, size: r.value.bytes.length, mtime, mode: 0o644 },
        Buffer.from(r.value.bytes.buffer, r.value.bytes.byteOffset, r.value.bytes.length), (e) => (e ? fail(e) : done())));
      if (res.destroyed) break;
      if (res.writableNeedDrain) await new Promise((drained) => res.once('drain', drained));
    }
  } finally {
    pack.finalize();
    await sent;
  }
}

/** Serves the request when its path is a campaign route; false otherwise. */
export async function campaignRoutes(req: IncomingMessage, res: ServerResponse, pathname: string, services: ApiServices): Promise<boolean> {
  const m = /^\/c\/([^/]+)(\/[^/]*)?$/.exec(pathname);
  if (!m) return false;
  const [, id, rest = ''] = m;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (rest === '/export.tar') {
    await exportTar(req, res, id, services);
    return true;
  }
  if (rest !== '' && rest !== '/' && rest !== '/dashboard') return false;
  if (!CAMPAIGN_ID.test(id)) {
    sendHtml(res, 404, notFound('This study link is not valid.'));
    return true;
  }
  const campaign = await services.campaigns.store.get(id);
  if (!campaign) {
    sendHtml(res, 404, notFound('There is no such study.'));
    return true;
  }
  sendHtml(res, 200, rest === '/dashboard' ? dashboardPage(id) : campaignPage(id, campaign.name));
  return true;
}

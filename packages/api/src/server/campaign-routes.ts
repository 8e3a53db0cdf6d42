// The campaign routes of the HTTP front (http.ts hands them every /c/ path): GET /c/<id> the
// participant page (open to anyone with the link).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiServices } from './context.js';
import { campaignPage } from './campaign-page.js';
import { CAMPAIGN_ID } from '../campaigns/store.js';


function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  res.end(html);
}

const notFound = (what: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body style="font:16px system-ui,sans-serif;margin:2rem"><h1>Not found</h1><p>${what}</p></body></html>`;

/** Serves the request when its path is a campaign route; false otherwise. */
export async function campaignRoutes(req: IncomingMessage, res: ServerResponse, pathname: string, services: ApiServices): Promise<boolean> {
  const m = /^\/c\/([^/]+)(\/[^/]*)?$/.exec(pathname);
  if (!m) return false;
  const [, id, rest = ''] = m;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (!CAMPAIGN_ID.test(id)) {
    sendHtml(res, 404, notFound('This study link is not valid.'));
    return true;
  }
  const campaign = await services.campaigns.store.get(id);
  if (!campaign) {
    sendHtml(res, 404, notFound('There is no such study.'));
    return true;
  }
  if (rest === '' || rest === '/') {
    sendHtml(res, 200, campaignPage(id, campaign.name));
    return true;
  }
  return false;
}

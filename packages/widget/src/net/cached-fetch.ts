// Large downloads (model files, the ONNX Runtime wasm binary): streamed with progress, checked
// against an expected sha256, and kept in Cache Storage so the next page load reads them locally.

import { WidgetError } from '../errors.js';

export const CACHE_NAME = 'saliency-explainer-v1';
const SHA_HEADER = 'x-saliency-sha256';

export interface DownloadProgress {
  /** Bytes received so far. */
  loaded: number;
  /** Content-Length when the server sent one (and the body is not re-encoded). */
  total: number | null;
}

export interface FetchBytesOptions {
  /** Cache Storage key (default: the URL). Keys carry versions where the URL does not (see ort-loader). */
  cacheKey?: string;
  /** Expected sha256 (hex); a cached copy that differs is dropped, a download that differs fails. */
  sha256?: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface FetchedBytes {
  bytes: Uint8Array;
  /** 'cache': read from Cache Storage, nothing downloaded. */
  source: 'cache' | 'network';
}

/** sha256 of the bytes, lower-case hex (Web Crypto: secure contexts only). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Cache Storage exists only in secure contexts (https, localhost); elsewhere downloads are not kept. */
async function openCache(): Promise<Cache | null> {
  if (typeof caches === 'undefined') return null;
  try {
    return await caches.open(CACHE_NAME);
  } catch {
    return null;
  }
}

async function readWithProgress(res: Response, onProgress?: (p: DownloadProgress) => void): Promise<Uint8Array> {
  const length = Number(res.headers.get('content-length'));
  // a compressed body's Content-Length counts encoded bytes, not the bytes we read
  const total = length > 0 && !res.headers.get('content-encoding') ? length : null;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress?.({ loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ loaded, total: total !== null ? Math.max(total, loaded) : null });
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The bytes at `url`: from Cache Storage when a (matching) copy is there, else downloaded with
 * progress and stored. Failures are WidgetErrors with code MODEL_LOAD_FAILED.
 */
export async function fetchBytes(url: string, options: FetchBytesOptions = {}): Promise<FetchedBytes> {
  const key = options.cacheKey ?? url;
  const cache = await openCache();
  if (cache) {
    const hit = await cache.match(key);
    if (hit) {
      const bytes = new Uint8Array(await hit.arrayBuffer());
      const stored = hit.headers.get(SHA_HEADER);
      if (!options.sha256 || stored === options.sha256) {
        options.onProgress?.({ loaded: bytes.length, total: bytes.length });
        return { bytes, source: 'cache' };
      }
      await cache.delete(key);
    }
  }
  let res: Response;
  try {
    res = await fetch(url, { signal: options.signal });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw new WidgetError('MODEL_LOAD_FAILED', `cannot download ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new WidgetError('MODEL_LOAD_FAILED', `cannot download ${url}: HTTP ${res.status}`);
  const bytes = await readWithProgress(res, options.onProgress);
  const digest = options.sha256 || cache ? await sha256Hex(bytes) : '';
  if (options.sha256 && digest !== options.sha256) {
    throw new WidgetError('MODEL_LOAD_FAILED', `${url} has sha256 ${digest}, expected ${options.sha256}`);
  }
  if (cache) {
    const headers = { 'content-type': 'application/octet-stream', [SHA_HEADER]: digest };
    // a full quota only costs the next page load a download
    await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers })).catch((e: unknown) => {
      console.warn(`saliency-explainer: could not cache ${url}:`, e);
    });
  }
  return { bytes, source: 'network' };
}

// Image uploads: base64 or a data URL → bytes (size limit before decoding) → sha256 → checked: the
// header (format, pixel limit) and a decode of the whole image kept only as a thumbnail
// (images/decode.ts checkImage), so an upload of any allowed size costs little memory here; the
// engine workers decode at full resolution under their pixel gate.
import { createHash } from 'node:crypto';
import { checkImage } from '../images/decode.js';
import type { ImageRecord } from '../storage/types.js';
import { apiError } from './errors.js';

export interface Upload {
  record: Omit<ImageRecord, 'createdAt'>;
  bytes: Uint8Array;
}

const DATA_URL = /^data:([^,;]*)((?:;[^,;]*)*?);base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export const MIME: Record<string, string> = {
  jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', tiff: 'image/tiff', avif: 'image/avif', heif: 'image/heif',
};

export async function decodeUpload(data: string, limits: { maxImageBytes: number; maxImagePixels: number }): Promise<Upload> {
  let b64 = data;
  const m = DATA_URL.exec(data);
  if (m) b64 = data.slice(m[0].length);
  else if (/^data:/i.test(data)) throw apiError('BAD_IMAGE', 'only base64 data URLs are accepted (data:<mime>;base64,…)');
  b64 = b64.replace(/\s+/g, '');
  if (!BASE64.test(b64) && !BASE64URL.test(b64)) throw apiError('BAD_IMAGE', 'the image is not valid base64');
  const size = Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
  if (size > limits.maxImageBytes) {
    throw apiError('IMAGE_TOO_LARGE', `the image has ${size} bytes; the limit is ${limits.maxImageBytes} (SALIENCY_MAX_IMAGE_BYTES)`);
  }
  const bytes = new Uint8Array(Buffer.from(b64, BASE64.test(b64) ? 'base64' : 'base64url'));
  let header;
  try {
    header = await checkImage(bytes, limits.maxImagePixels);
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (err.code === 'BAD_IMAGE' || err.code === 'IMAGE_TOO_LARGE') {
      const hint = err.code === 'IMAGE_TOO_LARGE' ? ' (SALIENCY_MAX_IMAGE_PIXELS)' : '';
      throw apiError(err.code, err.message + hint);
    }
    throw e;
  }
  const id = createHash('sha256').update(bytes).digest('hex');
  return {
    record: { id, width: header.width, height: header.height, format: header.format, byteLength: bytes.length },
    bytes,
  };
}

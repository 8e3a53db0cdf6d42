// The bad-input corpora against a running server, every case sent with Node's own fetch: each nasty
// upload and each bad or abusive request gets its HTTP status and typed code (a 4xx: the client's
// mistake, refused before any work), nothing is stored for a refused one, nothing is logged as an
// internal error, and the server keeps serving.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { corpus } from './bad-inputs/corpus.js';
import { EIGHT_METHODS, requestCorpus, type RequestContext } from './bad-inputs/requests.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const LIMITS = { maxImageBytes: 1_000_000, maxRequestBytes: 2_000_000, maxImagePixels: 40_000_000 };
const UPLOAD = 'mutation($d: String!) { uploadImage(data: $d) { id width height format } }';
/** The HTTP status of each upload error code. */
const UPLOAD_STATUS = { BAD_IMAGE: 400, IMAGE_TOO_LARGE: 413, REQUEST_TOO_LARGE: 413 } as const;

describe('bad-input corpus over HTTP', () => {
  let s: TestServer;
  let ctx: RequestContext;
  const errors = vi.spyOn(console, 'error');
  beforeAll(async () => {
    s = await startTestServer(await testDatabases()[0].url(), {
      SALIENCY_MODELS: 'squeezenet1.0',
      SALIENCY_MAX_IMAGE_BYTES: String(LIMITS.maxImageBytes),
      SALIENCY_MAX_REQUEST_BYTES: String(LIMITS.maxRequestBytes),
      SALIENCY_MAX_IMAGE_PIXELS: String(LIMITS.maxImagePixels),
    });
    const image = (await sharp({ create: { width: 96, height: 72, channels: 3, background: '#49a' } }).png().toBuffer()).toString('base64');
    const r = await s.gql(`mutation($i: String!) { explain(input: { image: $i, methods: ${JSON.stringify(EIGHT_METHODS)}, topK: 10 }) { id image { id } heatmaps { method } } }`, { i: image });
    expect(r.errors, r.errors?.[0]?.message).toBeUndefined();
    expect(r.data!.explain.heatmaps).toHaveLength(80);
    ctx = { url: `${s.url}/graphql`, imageId: r.data!.explain.image.id, explanationId: r.data!.explain.id, maxRequestBytes: LIMITS.maxRequestBytes };
  }, 300_000);
  afterAll(() => s?.close());

  const counts = async () => (await s.gql('{ explanations(first: 1) { totalCount } }')).data!.explanations.totalCount as number;

  for (const c of corpus(LIMITS)) {
    it(`upload ${c.name}: ${'error' in c.expect ? c.expect.error : 'decodes'}`, async () => {
      const data = await c.data();
      const r = await s.gql(UPLOAD, { d: data });
      if ('error' in c.expect) {
        expect([r.status, r.errors?.[0]?.extensions?.code], r.errors?.[0]?.message).toEqual([UPLOAD_STATUS[c.expect.error], c.expect.error]);
        expect(r.data?.uploadImage ?? null).toBeNull();
      } else {
        expect(r.errors, r.errors?.[0]?.message).toBeUndefined();
        expect(r.status).toBe(200);
        expect(r.data!.uploadImage).toMatchObject(c.expect.ok);
        // and it explains: the model sees a 224×224 RGB view of any of these
        const e = await s.gql('mutation($id: ID!) { explain(input: { imageId: $id }) { heatmaps { width height } } }', { id: r.data!.uploadImage.id });
        expect(e.errors, e.errors?.[0]?.message).toBeUndefined();
      }
      const h = await s.gql('{ health { ok } }');
      expect(h.data?.health.ok, JSON.stringify(h)).toBe(true);
    });
  }

  for (const c of requestCorpus()) {
    it(`request ${c.name}: ${c.expect.status} ${c.expect.code}`, async () => {
      const before = await counts();
      errors.mockClear();
      const res = await c.send(ctx);
      const body = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
      expect([res.status, body.errors?.[0]?.extensions?.code], body.errors?.[0]?.message).toEqual([c.expect.status, c.expect.code]);
      // refused before any work: nothing stored, nothing logged as an internal error
      expect(await counts()).toBe(before);
      expect(errors).not.toHaveBeenCalled();
      expect((await s.gql('{ health { ok } }')).data!.health.ok).toBe(true);
    }, 120_000);
  }

  it('wrong ids: lookups answer null, explain answers NOT_FOUND (404)', async () => {
    const r = await s.gql('{ image(id: "0000") { id } explanation(id: "x") { id } }');
    expect(r.data).toEqual({ image: null, explanation: null });
    const missing = createHash('sha256').update('nothing').digest('hex');
    const nf = await s.gql('mutation($id: ID!) { explain(input: { imageId: $id }) { id } }', { id: missing });
    expect([nf.status, nf.errors?.[0]?.extensions?.code]).toEqual([404, 'NOT_FOUND']);
    expect(await s.errorCode('{ explanations(imageId: "x", after: "eyJ4IjoxfQ") { totalCount } }')).toBe('BAD_CURSOR');
  });
});

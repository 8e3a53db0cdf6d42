// The bad-input corpus against a running server: each nasty upload gets its typed error (or decodes
// to the right size), nothing is stored for a refused one, and the server keeps serving.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { corpus } from './bad-inputs/corpus.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const LIMITS = { maxImageBytes: 1_000_000, maxRequestBytes: 2_000_000, maxImagePixels: 40_000_000 };
const UPLOAD = 'mutation($d: String!) { uploadImage(data: $d) { id width height format } }';

describe('bad-input corpus over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(await testDatabases()[0].url(), {
      SALIENCY_MODELS: 'squeezenet1.0',
      SALIENCY_MAX_IMAGE_BYTES: String(LIMITS.maxImageBytes),
      SALIENCY_MAX_REQUEST_BYTES: String(LIMITS.maxRequestBytes),
      SALIENCY_MAX_IMAGE_PIXELS: String(LIMITS.maxImagePixels),
    });
  }, 120_000);
  afterAll(() => s?.close());

  for (const c of corpus(LIMITS)) {
    it(`${c.name}: ${'error' in c.expect ? c.expect.error : 'decodes'}`, async () => {
      const data = await c.data();
      const r = await s.gql(UPLOAD, { d: data });
      if ('error' in c.expect) {
        expect(r.errors?.[0]?.extensions?.code, r.errors?.[0]?.message).toBe(c.expect.error);
        expect(r.status).toBe(c.expect.error === 'REQUEST_TOO_LARGE' ? 413 : 200);
        expect(r.data?.uploadImage ?? null).toBeNull();
      } else {
        expect(r.errors, r.errors?.[0]?.message).toBeUndefined();
        expect(r.data!.uploadImage).toMatchObject(c.expect.ok);
        // and it explains: the model sees a 224×224 RGB view of any of these
        const e = await s.gql('mutation($id: ID!) { explain(input: { imageId: $id }) { heatmaps { width height } } }', { id: r.data!.uploadImage.id });
        expect(e.errors, e.errors?.[0]?.message).toBeUndefined();
      }
      expect((await s.gql('{ health { ok } }')).data!.health.ok).toBe(true);
    });
  }

  it('wrong ids: lookups answer null, explain answers NOT_FOUND', async () => {
    const r = await s.gql('{ image(id: "0000") { id } explanation(id: "x") { id } }');
    expect(r.data).toEqual({ image: null, explanation: null });
    const missing = createHash('sha256').update('nothing').digest('hex');
    expect(await s.errorCode('mutation($id: ID!) { explain(input: { imageId: $id }) { id } }', { id: missing })).toBe('NOT_FOUND');
    expect(await s.errorCode('{ explanations(imageId: "x", after: "eyJ4IjoxfQ") { totalCount } }')).toBe('BAD_CURSOR');
  });
});

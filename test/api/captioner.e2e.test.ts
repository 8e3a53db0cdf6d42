// Heatmap.caption with a server-side free-text captioner (SALIENCY_CAPTIONER_DIR = the tiny
// random-weight captioner of test/helpers/tiny-captioner.ts), on SQLite (storage is the same as
// without it): `captioner { model text }` is what the same captioner says here about the crop fact's
// region of the same image, quoted at the end of the text; a server without it gives null; a wrong
// folder stops the server before it starts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cropImage } from '../../packages/core/src/caption/crop.js';
import { loadCaptioner } from '../../packages/api/src/models/captioner.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { settingsFromEnv } from '../../packages/api/src/server/settings.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';
import { writeTinyCaptioner } from '../helpers/tiny-captioner.js';

const root = resolve(__dirname, '../..');
const photo = readFileSync(resolve(root, '../shared/data/images/both.png'));
const QUERY = 'query($id: ID!) { explanation(id: $id) { heatmaps { caption { text facts { kind box } captioner { model text } cached } } } }';

const [sqlite] = testDatabases();

describe('Heatmap.caption with SALIENCY_CAPTIONER_DIR', () => {
  let work: string;
  let dir: string;
  let s: TestServer;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'se-captioner-api-'));
    dir = writeTinyCaptioner(work).dir;
    s = await startTestServer(await sqlite.url(), { SALIENCY_MODELS: 'squeezenet1.0', SALIENCY_CAPTIONER_DIR: dir });
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('quotes what the captioner says about the crop, apart from the facts', async () => {
    const ex = await s.gql('mutation($d: String!) { explain(input: { image: $d, classes: [243, 282] }) { id } }', { d: photo.toString('base64') });
    const r = await s.gql(QUERY, { id: ex.data!.explain.id });
    expect(r.errors).toBeUndefined();
    const captioner = await loadCaptioner(dir);
    try {
      const image = (await decodeImage(photo, 1e8)).image;
      for (const { caption } of r.data!.explanation.heatmaps) {
        const crop = caption.facts.find((f: { kind: string }) => f.kind === 'crop');
        const text = await captioner.describe(cropImage(image, crop.box));
        expect(caption.captioner).toEqual({ model: 'tiny-captioner', text });
        expect(caption.text.endsWith(text ? ` A captioner describes the region as "${text}".` : '.')).toBe(true);
        expect(caption.facts.map((f: { kind: string }) => f.kind)).not.toContain('captioner');
      }
    } finally {
      await captioner.release();
    }
  }, 180_000);

  it('refuses to start with a folder that is not a captioner', () => {
    expect(() => settingsFromEnv({ SALIENCY_CAPTIONER_DIR: join(work, 'nowhere') })).toThrow(/does not exist/);
    expect(settingsFromEnv({}).compute.captionerDir).toBeNull();
  });
});

// The ADAPTIVE assignment option: each next image is the one whose pooled map is least stable (lowest
// split-half CC of its kept participants; images with fewer than 2 first, then as BALANCED). On three
// OSIE images where everybody clicks one image at random (its map never settles) and the other two from
// real fixations, once each image has two people every new participant is sent to the random one until
// its quota is full; BALANCED takes them in turn. The stored stability of an image is the split-half CC
// that Image.humanAttention's agreement reports for the same people (another code path); bad terms are
// typed errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOsie } from '../../packages/core/src/index.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';
import { rng } from '../helpers/random.js';
import { clicksOf } from '../helpers/campaign-participants.js';

const osieDir = resolve(__dirname, '../../../shared/data/osie');
const OSIE = new Map(parseOsie(JSON.parse(readFileSync(resolve(osieDir, 'fixations.json'), 'utf8'))).map((o) => [o.file, o]));
const FILES = ['1020.jpg', '1021.jpg', '1022.jpg'];
/** Everybody clicks this one at random. */
const NOISY = '1021.jpg';
const KEY = 'campaign-adaptive-admin-key-0123456789';

describe('ADAPTIVE assignment', () => {
  let s: TestServer;
  const ids = new Map<string, string>();
  const files = new Map<string, string>();
  let now = Date.UTC(2026, 11, 3, 9, 0, 0);
  const admin = async (query: string, variables: Record<string, unknown>) => {
    const r = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ query, variables }) });
    return (await r.json()) as { data?: any; errors?: any[] };
  };

  beforeAll(async () => {
    const db = testDatabases().find((d) => d.provider === 'sqlite')!;
    s = await startTestServer(await db.url(), { SALIENCY_ANNOTATION_RATE: '0', SALIENCY_ANNOTATION_NEW_ANNOTATORS: '0', SALIENCY_RATE_LIMIT: '0', SALIENCY_ADMIN_KEY: KEY, SALIENCY_MODELS: 'squeezenet1.0' });
    s.server.services.annotations.clock = () => (now += 10_000);
    for (const f of FILES) {
      const r = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: readFileSync(resolve(osieDir, 'stimuli', f)).toString('base64') });
      ids.set(f, r.data!.uploadImage.id);
      files.set(r.data!.uploadImage.id, f);
    }
  }, 180_000);
  afterAll(() => s?.close());

  /** `n` one-image participants; returns the file each was given, in order. */
  async function run(campaignId: string, n: number, seed: number): Promise<string[]> {
    const order: string[] = [];
    for (let k = 0; k < n; k++) {
      const random = rng(seed + k);
      const { sessionToken, step } = await s.server.services.campaigns.startSession(campaignId, null);
      if (!step.annotation) break;
      const file = files.get(step.annotation.image.id)!;
      const { width, height } = step.annotation.image;
      const clicks = clicksOf(file === NOISY ? 'careless' : 'honest', OSIE.get(file)!.observers[k % 15], width, height, random, 8);
      await s.server.services.campaigns.submit(sessionToken, step.annotation.ticket, clicks, `client-${seed + k}`);
      order.push(file);
    }
    return order;
  }

  const create = (name: string, assignment?: string) => admin('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id assignment } }', {
    input: { name, images: FILES.map((f) => ({ imageId: ids.get(f) })), perImage: 6, perSession: 1, maxClicks: 8, minClicks: 2, refractoryMs: 100, ...(assignment ? { assignment } : {}) },
  });

  it('sends new participants to the least stable image until its quota is full', async () => {
    const made = await create('adaptive', 'ADAPTIVE');
    expect(made.errors).toBeUndefined();
    expect(made.data.createCampaign.assignment).toBe('ADAPTIVE');
    const id = made.data.createCampaign.id;
    // warm-up: no stability below 2 people, so the BALANCED order (fewest claimed, then the organiser's)
    expect(await run(id, 6, 100)).toEqual([...FILES, ...FILES]);
    const view = async () => (await admin('query($id: ID!) { campaign(id: $id) { images { image { id } accepted stability } } }', { id })).data.campaign.images as { image: { id: string }; accepted: number; stability: number }[];
    const warm = await view();
    const stability = (f: string) => warm.find((i) => i.image.id === ids.get(f))!.stability;
    console.log('adaptive: stability after 2 people each', FILES.map((f) => `${f} ${stability(f).toFixed(3)}`).join(', '));
    expect(stability(NOISY)).toBeLessThan(Math.min(...FILES.filter((f) => f !== NOISY).map(stability)));
    // the stored stability is Image.humanAttention's split-half CC for the same people
    for (const f of FILES) {
      const h = await s.gql('query($i: ID!) { image(id: $i) { humanAttention(source: CROWD) { annotators agreement { splitHalf { metric value } } } } }', { i: ids.get(f) });
      const splitHalf = h.data!.image.humanAttention.agreement.splitHalf.find((m: { metric: string }) => m.metric === 'cc').value;
      expect(h.data!.image.humanAttention.annotators).toBe(2);
      expect(stability(f)).toBeCloseTo(splitHalf, 6);
    }
    // then: the noisy image until its quota (6), then the less stable of the other two
    const next = await run(id, 6, 200);
    expect(next.slice(0, 4)).toEqual([NOISY, NOISY, NOISY, NOISY]);
    const after = await view();
    expect(after.find((i) => i.image.id === ids.get(NOISY))!.accepted).toBe(6);
    const others = FILES.filter((f) => f !== NOISY);
    const stableOf = (f: string, list: typeof after) => list.find((i) => i.image.id === ids.get(f))!.stability;
    // the fifth went to the least stable of the others as they stood then
    const least = others.reduce((a, b) => (stableOf(a, warm) <= stableOf(b, warm) ? a : b));
    expect(next[4]).toBe(least);
  });

  it('BALANCED (the default) takes the images in turn and stores no stability; an unknown policy is refused', async () => {
    const made = await create('balanced');
    expect(made.data.createCampaign.assignment).toBe('BALANCED');
    const id = made.data.createCampaign.id;
    expect(await run(id, 9, 300)).toEqual([...FILES, ...FILES, ...FILES]);
    const v = await admin('query($id: ID!) { campaign(id: $id) { images { stability } } }', { id });
    expect(v.data.campaign.images.map((i: { stability: number | null }) => i.stability)).toEqual([null, null, null]);
    const bad = await create('bad', 'RANDOM');
    expect(bad.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
  });
});

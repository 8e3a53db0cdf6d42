// explainBatch on SQLite (the zero-setup default): the items run on the server's own compute workers,
// the batch is polled with batchJob(id) until every item is stored, and the results are ordinary stored
// explanations — the ones `explain` of the same image and method returns (cached: true, same id). A
// second identical batch and an item run again (what a retried job does) store nothing new. Bad input
// is refused with typed errors, before anything is written. A batch left queued when a server stopped
// runs when the next server starts on the database. With faithfulness or caption the items store the
// heatmaps' reports or captions too, read back by Heatmap.faithfulness / Heatmap.caption.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPrismaClient } from '../../packages/api/src/storage/open.js';
import { runBatchItem } from '../../packages/api/src/batch/item.js';
import { CAPTION_UNITS } from '../../packages/api/src/server/cost.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';
import { batchFinished as finished } from '../support/batch-poll.js';

const root = resolve(__dirname, '../..');
const photos = ['cat.jpg', 'dog.jpg', 'horses.jpg'].map((f) => readFileSync(resolve(root, '../shared/data/images', f)));
const sqlite = testDatabases().find((d) => d.provider === 'sqlite')!;

const BATCH = `mutation($input: ExplainBatchInput!) { explainBatch(input: $input) { id state total done failed runner model } }`;

describe('explainBatch in-process (SQLite)', () => {
  let s: TestServer;
  let url = '';
  let ids: string[] = [];
  const counts = async () => {
    const { client } = createPrismaClient(url);
    try {
      return { batches: await client.batchJob.count(), items: await client.batchItem.count(), explanations: await client.explanation.count() };
    } finally {
      await client.$disconnect();
    }
  };

  beforeAll(async () => {
    url = await sqlite.url();
    s = await startTestServer(url, { SALIENCY_MODELS: 'squeezenet1.0', SALIENCY_MAX_BATCH_IMAGES: '3', SALIENCY_MAX_QUERY_COST: '2000', SALIENCY_WORKERS: '1', SALIENCY_HEAVY_WORKERS: '1' });
    for (const p of photos) {
      const r = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: p.toString('base64') });
      ids.push(r.data!.uploadImage.id);
    }
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    ids = [];
  });

  it('runs every image × method, as stored explanations that explain returns', async () => {
    const start = await s.gql(BATCH, { input: { imageIds: [...ids, ids[0]], methods: ['gradcam', 'eigencam'] } });
    expect(start.errors).toBeUndefined();
    const job = start.data!.explainBatch;
    expect(job).toMatchObject({ total: 6, runner: 'IN_PROCESS', model: 'squeezenet1.0' });
    expect(job.done + job.failed).toBeLessThanOrEqual(6);

    const b = await finished(s, job.id);
    expect(b).toMatchObject({ state: 'COMPLETED', total: 6, done: 6, failed: 0 });
    expect(b.finishedAt).not.toBeNull();
    // image-major, then method; each item one explanation of its one method
    expect(b.items.map((i: any) => [i.imageId, i.method, i.state])).toEqual(ids.flatMap((id) => [[id, 'gradcam', 'DONE'], [id, 'eigencam', 'DONE']]));
    for (const item of b.items) {
      expect(item.explanation.methods).toEqual([item.method]);
      const again = await s.gql('mutation($id: ID!, $m: String!) { explain(input: { imageId: $id, methods: [$m] }) { id cached } }', { id: item.imageId, m: item.method });
      expect(again.data!.explain).toEqual({ id: item.explanation.id, cached: true });
    }
    expect(await counts()).toEqual({ batches: 1, items: 6, explanations: 6 });

    // the same batch again: new items, no new explanation
    const second = await s.gql(BATCH, { input: { imageIds: ids, methods: ['eigencam', 'gradcam'] } });
    const b2 = await finished(s, second.data!.explainBatch.id);
    expect(b2).toMatchObject({ state: 'COMPLETED', done: 6 });
    expect(b2.items.map((i: any) => i.explanation.id).sort()).toEqual(b.items.map((i: any) => i.explanation.id).sort());
    expect(await counts()).toEqual({ batches: 2, items: 12, explanations: 6 });

    // an item run again (what a retried queue job does) finds its explanation and sets the same row
    const services = s.server.services;
    const item = b.items[3];
    const terms = (await services.batches.store.get(job.id))!.terms;
    const out = await runBatchItem(services.explain, services.storage, services.batches.store, { v: 1, batchId: job.id, position: 3, imageId: item.imageId, method: item.method, terms }, 'test');
    expect(out).toEqual({ ok: true, explanationId: item.explanation.id, cached: true });
    expect((await services.batches.store.item(job.id, 3))).toMatchObject({ state: 'DONE', explanationId: item.explanation.id });
    expect(await counts()).toEqual({ batches: 2, items: 12, explanations: 6 });
  }, 300_000);

  it('with faithfulness: every heatmap\'s report is computed and stored, and Heatmap.faithfulness reads it back', async () => {
    const start = await s.gql(`mutation($ids: [ID!]!) { explainBatch(input: { imageIds: $ids, methods: ["gradcam"], faithfulness: true }) { id faithfulness } }`, { ids: [ids[1]] });
    expect(start.errors).toBeUndefined();
    expect(start.data!.explainBatch.faithfulness).toBe(true);
    const b = await finished(s, start.data!.explainBatch.id);
    expect(b).toMatchObject({ state: 'COMPLETED', done: 1 });
    const r = await s.gql('query($id: ID!) { explanation(id: $id) { heatmaps { faithfulness(seed: 0) { cached deletion { auc } } } } }', { id: b.items[0].explanation.id });
    expect(r.errors).toBeUndefined();
    const f = r.data!.explanation.heatmaps[0].faithfulness;
    expect(f.cached).toBe(true);
    expect(Number.isFinite(f.deletion.auc)).toBe(true);
  }, 300_000);

  it('with caption: every heatmap\'s caption is stored with the human reference Heatmap.caption uses, and read back', async () => {
    const both = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: readFileSync(resolve(root, '../shared/data/images/both.png')).toString('base64') });
    const imageId = both.data!.uploadImage.id;
    // five observers' eye tracking: the caption has a human fact, keyed by the reference and its people
    const people = [[[60, 60], [70, 80]], [[65, 70]], [[50, 90], [80, 60]], [[170, 120]], [[180, 130], [160, 110]]];
    await s.server.services.storage.addAnnotations(people.map((points, i) => ({
      imageId, source: 'EYE_TRACKING' as const, annotator: `test:${i}`, task: 'FREE_VIEWING', classIndex: null, model: null,
      prompt: null, nonce: null, points: points.map(([x, y]) => ({ x, y })), durationMs: null,
    })));
    const start = await s.gql(`mutation($ids: [ID!]!) { explainBatch(input: { imageIds: $ids, methods: ["gradcam"], classes: [243], caption: true }) { id caption faithfulness } }`, { ids: [imageId] });
    expect(start.errors).toBeUndefined();
    expect(start.data!.explainBatch).toMatchObject({ caption: true, faithfulness: false });
    const b = await finished(s, start.data!.explainBatch.id);
    expect(b).toMatchObject({ state: 'COMPLETED', done: 1 });
    const CAPTION = 'query($id: ID!) { explanation(id: $id) { heatmaps { classIndex caption(seed: 0) { text cached facts { kind label main } } } } }';
    const r = await s.gql(CAPTION, { id: b.items[0].explanation.id });
    expect(r.errors).toBeUndefined();
    const stored = r.data!.explanation.heatmaps[0];
    expect(stored).toMatchObject({ classIndex: 243, caption: { cached: true } });
    expect(stored.caption.facts.find((f: any) => f.kind === 'object' && f.main)?.label).toBe('dog');
    expect(stored.caption.facts.map((f: any) => f.kind)).toContain('human');
    // the stored caption is the one the server computes afresh
    const { client } = createPrismaClient(url);
    try {
      expect((await client.heatmapResult.deleteMany({ where: { explanationId: b.items[0].explanation.id, kind: 'caption' } })).count).toBe(1);
    } finally {
      await client.$disconnect();
    }
    const fresh = (await s.gql(CAPTION, { id: b.items[0].explanation.id })).data!.explanation.heatmaps[0].caption;
    expect(fresh.cached).toBe(false);
    expect({ text: fresh.text, facts: fresh.facts }).toEqual({ text: stored.caption.text, facts: stored.caption.facts });
  }, 300_000);

  it('refuses bad input with typed errors and writes nothing', async () => {
    const before = await counts();
    const bad = async (input: Record<string, unknown>) => {
      const r = await s.gql(BATCH, { input });
      expect(r.data?.explainBatch ?? null).toBeNull();
      return r.errors![0];
    };
    const missing = 'f'.repeat(64);
    const e1 = await bad({ imageIds: [ids[0], missing, 'not-an-id'] });
    expect(e1.extensions).toMatchObject({ code: 'NOT_FOUND', imageIds: [missing, 'not-an-id'] });
    expect((await bad({ imageIds: ids, model: 'no-such-model' })).extensions?.code).toBe('UNKNOWN_MODEL');
    expect((await bad({ imageIds: ids, methods: ['gradcam', 'no-such-method'] })).extensions?.code).toBe('UNKNOWN_METHOD');
    expect((await bad({ imageIds: ids, layer: 'no/such/layer' })).extensions?.code).toBe('BAD_LAYER');
    expect((await bad({ imageIds: ids, topK: 0 })).extensions?.code).toBe('BAD_CLASS');
    expect((await bad({ imageIds: [] })).extensions?.code).toBe('BAD_REQUEST');
    const many = await bad({ imageIds: [...ids, missing] });
    expect(many.extensions).toMatchObject({ code: 'TOO_MANY_IMAGES', limit: 3, setting: 'SALIENCY_MAX_BATCH_IMAGES' });
    // the cost counts every image × method: Score-CAM and Ablation-CAM pass once per channel of fire9/concat (512) per image
    const costly = await s.gql(`mutation($ids: [ID!]!) { explainBatch(input: { imageIds: $ids, methods: ["scorecam", "ablationcam"] }) { id } }`, { ids });
    expect(costly.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxCost: 2000 });
    expect(costly.errors![0].extensions!.cost as number).toBeGreaterThan(3 * 2 * 512);
    // with caption: a caption more per image × method × class (topK 1), priced as Heatmap.caption
    const captioned = await s.gql(`mutation($ids: [ID!]!) { explainBatch(input: { imageIds: $ids, methods: ["scorecam", "ablationcam"], caption: true }) { id } }`, { ids });
    expect((captioned.errors![0].extensions!.cost as number) - (costly.errors![0].extensions!.cost as number)).toBe(3 * 2 * CAPTION_UNITS);
    expect(await counts()).toEqual(before);
    expect((await s.gql('{ batchJob(id: "no-such-batch") { id } }')).data!.batchJob).toBeNull();
  }, 300_000);

  it('a batch left queued by a server that stopped runs when the next one starts on the database', async () => {
    // a batch stored but not started: what a server stopped mid-batch leaves (its items in hand finish, the rest stay QUEUED)
    const { store } = s.server.services.batches;
    expect(await store.unfinished('IN_PROCESS')).toEqual([]); // every earlier batch finished
    const terms = { model: 'squeezenet1.0', layer: (await s.server.services.pool.get('squeezenet1.0')).defaultLayer, target: 'LOGIT' as const, eigenSmooth: false, topK: 2 };
    await store.create('left-over', terms, 'IN_PROCESS', ids.map((imageId, position) => ({ position, imageId, method: 'gradcam' })));
    await s.close();
    s = await startTestServer(url, { SALIENCY_MODELS: 'squeezenet1.0', SALIENCY_WORKERS: '1', SALIENCY_HEAVY_WORKERS: '1' });
    const b = await finished(s, 'left-over');
    expect(b).toMatchObject({ state: 'COMPLETED', total: 3, done: 3, failed: 0 });
    expect(b.items.every((i: any) => i.explanation.heatmaps.length === 2)).toBe(true);
  }, 300_000);
});

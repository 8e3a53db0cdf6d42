// explainBatch on PostgreSQL: the API replica queues one pg-boss job per image × method and runs none
// of them; a `saliency-explainer worker` process takes them and stores the explanations. They are the
// ones `explain` on the replica returns (same request key), with the maps an in-process (SQLite) batch
// computes, number for number; with faithfulness the worker stores the heatmaps' reports too, with
// caption their captions (with the server's human reference: the caption the replica computes). A job
// delivered twice stores nothing new; an item whose job keeps failing is parked and reported FAILED
// with the job's error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { createPrismaClient } from '../../packages/api/src/storage/open.js';
import { EXPLAIN_QUEUE, jobStates, openQueue } from '../../packages/api/src/queue/queue.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';
import { batchFinished } from '../support/batch-poll.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const ready = existsSync(resolve(root, 'packages/api/dist/batch/worker.js'));
const photos = ['cat.jpg', 'dog.jpg'].map((f) => readFileSync(resolve(root, '../shared/data/images', f)));
const postgres = testDatabases().find((d) => d.provider === 'postgresql')!;
const sqlite = testDatabases().find((d) => d.provider === 'sqlite')!;

const BATCH = `mutation($input: ExplainBatchInput!) { explainBatch(input: $input) { id state total done failed runner } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker { child: ChildProcess; log: string; exited: Promise<number | null> }
function startWorker(url: string): Worker {
  const child = spawn(process.execPath, [bin, 'worker', '--database-url', url, '--heartbeat', '1', '--stale-after', '5'], {
    cwd: root, env: { ...process.env, DATABASE_URL: '', SALIENCY_INTRA_OP_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const w: Worker = { child, log: '', exited: new Promise((r) => child.on('exit', (code) => r(code))) };
  child.stdout!.on('data', (d) => (w.log += d));
  child.stderr!.on('data', (d) => (w.log += d));
  return w;
}

async function upload(s: TestServer): Promise<string[]> {
  const ids: string[] = [];
  for (const p of photos) ids.push((await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: p.toString('base64') })).data!.uploadImage.id);
  return ids;
}

describe.skipIf(!ready || postgres.skipReason !== null)('explainBatch through the job queue (PostgreSQL)', () => {
  let url = '';
  let api: TestServer;
  let local: TestServer | undefined;
  let worker: Worker | undefined;
  let db: pg.Pool;
  const env = { SALIENCY_MODELS: 'squeezenet1.0', SALIENCY_WORKERS: '1', SALIENCY_HEAVY_WORKERS: '1', SALIENCY_INTRA_OP_THREADS: '1' };

  /** Stops the running worker (SIGTERM: it finishes its jobs in hand and exits 0). */
  const stopWorker = async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
    worker = undefined;
  };

  beforeAll(async () => {
    url = await postgres.url();
    db = new pg.Pool({ connectionString: url, max: 2 });
    api = await startTestServer(url, env);
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await local?.close();
    await api?.close();
    await db?.end();
  });

  it('queues one job per image × method; a worker stores them as explain would, with the in-process maps', async () => {
    const ids = await upload(api);
    const start = await api.gql(BATCH, { input: { imageIds: ids, methods: ['gradcam', 'eigencam'] } });
    expect(start.errors).toBeUndefined();
    const job = start.data!.explainBatch;
    expect(job).toMatchObject({ state: 'QUEUED', total: 4, done: 0, failed: 0, runner: 'QUEUE' });
    // the replica computes nothing: the four jobs wait for a worker
    const { rows } = await db.query<{ state: string; n: string }>(`SELECT state::text, count(*) AS n FROM pgboss.job WHERE name = $1 GROUP BY state`, [EXPLAIN_QUEUE]);
    expect(rows).toEqual([{ state: 'created', n: '4' }]);
    expect((await api.gql('{ health { queue { depth } } }')).data!.health.queue.depth).toBe(4);

    worker = startWorker(url);
    const b = await batchFinished(api, job.id);
    expect(b, worker.log).toMatchObject({ state: 'COMPLETED', done: 4, failed: 0 });
    expect(worker.log).toMatch(/explain-item/);
    for (const item of b.items) {
      const again = await api.gql('mutation($id: ID!, $m: String!) { explain(input: { imageId: $id, methods: [$m] }) { id cached } }', { id: item.imageId, m: item.method });
      expect(again.data!.explain).toEqual({ id: item.explanation.id, cached: true });
    }

    // the same batch in-process on SQLite: the same maps, number for number
    local = await startTestServer(await sqlite.url(), env);
    const localIds = await upload(local);
    expect(localIds).toEqual(ids);
    const lb = await batchFinished(local, (await local.gql(BATCH, { input: { imageIds: ids, methods: ['gradcam', 'eigencam'] } })).data!.explainBatch.id);
    expect(lb.runner).toBe('IN_PROCESS');
    const maps = async (s: TestServer, items: any[]) => Promise.all(items.map(async (i) =>
      (await s.gql('query($id: ID!) { explanation(id: $id) { heatmaps { method classIndex score raw } } }', { id: i.explanation.id })).data!.explanation.heatmaps));
    expect(await maps(local, lb.items)).toEqual(await maps(api, b.items));

    // a job delivered again (a retry after its worker stored the result) finds the stored explanation
    const { client } = createPrismaClient(url);
    try {
      const before = await client.explanation.count();
      const boss = await openQueue(url, { supervise: false });
      try {
        const item = await client.batchItem.findFirstOrThrow({ where: { batchId: job.id, position: 1 } });
        const terms = (await client.batchJob.findUniqueOrThrow({ where: { id: job.id } })).terms;
        const dup = (await boss.send(EXPLAIN_QUEUE, { v: 1, batchId: job.id, position: 1, imageId: item.imageId, method: item.method, terms }))!;
        let state;
        for (let i = 0; i < 2400 && state?.state !== 'completed'; i++) {
          [state] = await jobStates(db, EXPLAIN_QUEUE, [dup]);
          if (state?.state !== 'completed') await sleep(250);
        }
        expect(state).toMatchObject({ state: 'completed', output: { ok: true, cached: true, explanationId: item.explanationId } });
      } finally {
        await boss.stop({ graceful: false, wait: true, close: true });
      }
      expect(await client.explanation.count()).toBe(before);
      expect(await client.batchItem.findFirstOrThrow({ where: { batchId: job.id, position: 1 } })).toMatchObject({ state: 'DONE' });
    } finally {
      await client.$disconnect();
    }
  }, 600_000);

  it('with faithfulness, the worker stores every heatmap\'s report too', async () => {
    const ids = await upload(api);
    const start = await api.gql(BATCH, { input: { imageIds: [ids[0]], methods: ['gradcam'], classes: [281], faithfulness: true } });
    expect(start.errors).toBeUndefined();
    const b = await batchFinished(api, start.data!.explainBatch.id);
    expect(b, worker!.log).toMatchObject({ state: 'COMPLETED', done: 1 });
    const r = await api.gql('query($id: ID!) { explanation(id: $id) { heatmaps { classIndex faithfulness(seed: 0) { cached deletion { auc } } } } }', { id: b.items[0].explanation.id });
    expect(r.errors).toBeUndefined();
    expect(r.data!.explanation.heatmaps[0]).toMatchObject({ classIndex: 281, faithfulness: { cached: true } });
  }, 600_000);

  it('a worker SIGKILLed holding an item: another takes it, one explanation per item', async () => {
    await stopWorker();
    const ids = await upload(api);
    const { client } = createPrismaClient(url);
    try {
      const before = await client.explanation.count();
      // items not stored yet: another layer of the same model (a new request key)
      const start = await api.gql(BATCH, { input: { imageIds: ids, methods: ['gradcam', 'eigencam', 'layercam'], layer: 'fire8/concat_1' } });
      expect(start.errors, JSON.stringify(start.errors)).toBeUndefined();
      const pair = [startWorker(url), startWorker(url)];
      let killed: { pid: number; jobs: string[] } | undefined;
      for (let tries = 0; !killed && tries < 3000; tries++) {
        const { rows } = await db.query<{ pid: number; active: string[] }>(`SELECT pid, active FROM saliency_shared.worker WHERE stopped_on IS NULL AND cardinality(active) > 0`);
        const victim = rows.find((r) => pair.some((w) => w.child.pid === r.pid));
        if (victim) {
          pair.find((w) => w.child.pid === victim.pid)!.child.kill('SIGKILL');
          killed = { pid: victim.pid, jobs: victim.active };
        } else {
          await sleep(50);
        }
      }
      expect(killed, pair.map((w) => w.log).join('\n')).toBeDefined();
      const b = await batchFinished(api, start.data!.explainBatch.id);
      expect(b, pair.map((w) => w.log).join('\n')).toMatchObject({ state: 'COMPLETED', total: 6, done: 6, failed: 0 });
      expect(new Set(b.items.map((i: any) => i.explanation.id)).size).toBe(6);
      expect(await client.explanation.count()).toBe(before + 6);
      const { rows: dead } = await db.query<{ stop_reason: string }>(`SELECT stop_reason FROM saliency_shared.worker WHERE pid = $1`, [killed!.pid]);
      expect(dead[0].stop_reason).toMatch(/no heartbeat/);
      const { rows: retried } = await db.query<{ state: string; retry_count: number }>(
        `SELECT state::text, retry_count FROM pgboss.job WHERE id = ANY($1::uuid[]) UNION ALL SELECT state::text, retry_count FROM pgboss.archive WHERE id = ANY($1::uuid[])`, [killed!.jobs]);
      // the job it held was handed back by the reaper and completed by the other worker (unless it had just finished)
      expect(retried.every((r) => r.state === 'completed')).toBe(true);
      if (!retried.some((r) => r.retry_count >= 1)) console.warn('batch-queue.e2e: the killed worker finished its item just before the SIGKILL; the retry path was not exercised this time');
      worker = pair.find((w) => w.child.exitCode === null && w.child.signalCode === null);
    } finally {
      await client.$disconnect();
    }
  }, 600_000);

  it('a job taken by a process that stopped before recording it is handed back and done', async () => {
    await stopWorker();
    const ids = await upload(api);
    const job = (await api.gql(BATCH, { input: { imageIds: [ids[0]], methods: ['xgradcam'] } })).data!.explainBatch;
    // taken as a worker's pg-boss would, by something that then never says a word (a SIGKILL between
    // pg-boss's fetch and the worker's registry update)
    const boss = await openQueue(url, { supervise: false });
    let taken;
    try {
      [taken] = await boss.fetch<{ batchId: string }>(EXPLAIN_QUEUE);
    } finally {
      await boss.stop({ graceful: false, wait: true, close: true });
    }
    expect(taken!.data.batchId).toBe(job.id);
    worker = startWorker(url); // --stale-after 5: an active job no live worker lists for 5 s is failed, so retried
    const b = await batchFinished(api, job.id);
    expect(b, worker.log).toMatchObject({ state: 'COMPLETED', done: 1 });
    const [state] = await jobStates(db, EXPLAIN_QUEUE, [taken!.id]);
    expect(state).toMatchObject({ state: 'completed', retryCount: 1 });
    expect(worker.log).toMatch(/handed back to the queue/);
  }, 600_000);

  it('with caption, the worker stores every heatmap\'s caption with the server\'s human reference; the server computes the same afresh', async () => {
    const imageId = (await api.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: readFileSync(resolve(root, '../shared/data/images/both.png')).toString('base64') })).data!.uploadImage.id;
    // five observers' eye tracking: the caption has a human fact, keyed by the reference and its people
    const people = [[[60, 60], [70, 80]], [[65, 70]], [[50, 90], [80, 60]], [[170, 120]], [[180, 130], [160, 110]]];
    await api.server.services.storage.addAnnotations(people.map((points, i) => ({
      imageId, source: 'EYE_TRACKING' as const, annotator: `test:${i}`, task: 'FREE_VIEWING', classIndex: null, model: null,
      prompt: null, nonce: null, points: points.map(([x, y]) => ({ x, y })), durationMs: null,
    })));
    const start = await api.gql(`mutation($ids: [ID!]!) { explainBatch(input: { imageIds: $ids, methods: ["gradcam"], classes: [243], caption: true }) { id caption } }`, { ids: [imageId] });
    expect(start.errors).toBeUndefined();
    expect(start.data!.explainBatch.caption).toBe(true);
    const b = await batchFinished(api, start.data!.explainBatch.id);
    expect(b, worker!.log).toMatchObject({ state: 'COMPLETED', done: 1 });
    const id = b.items[0].explanation.id;
    const CAPTION = 'query($id: ID!) { explanation(id: $id) { heatmaps { classIndex caption(seed: 0) { text cached facts { kind label main } } } } }';
    const r = await api.gql(CAPTION, { id });
    expect(r.errors).toBeUndefined();
    const stored = r.data!.explanation.heatmaps[0];
    expect(stored).toMatchObject({ classIndex: 243, caption: { cached: true } });
    expect(stored.caption.facts.find((f: any) => f.kind === 'object' && f.main)?.label).toBe('dog');
    expect(stored.caption.facts.map((f: any) => f.kind)).toContain('human');
    // the replica, computing it afresh, gives the caption the worker stored
    expect((await db.query(`DELETE FROM "HeatmapResult" WHERE "explanationId" = $1 AND kind = 'caption'`, [id])).rowCount).toBe(1);
    const fresh = (await api.gql(CAPTION, { id })).data!.explanation.heatmaps[0].caption;
    expect(fresh.cached).toBe(false);
    expect({ text: fresh.text, facts: fresh.facts }).toEqual({ text: stored.caption.text, facts: stored.caption.facts });
  }, 600_000);

  it('an item whose job keeps failing is parked and reported FAILED with its error', async () => {
    await stopWorker();
    const ids = await upload(api);
    const job = (await api.gql(BATCH, { input: { imageIds: [ids[0]], methods: ['gradcam'] } })).data!.explainBatch;
    // a job this worker cannot run (a later format), retried once, one second apart
    await db.query(`UPDATE pgboss.job SET data = jsonb_set(data, '{v}', '2'), retry_limit = 1, retry_delay = 1 WHERE name = $1 AND data->>'batchId' = $2`, [EXPLAIN_QUEUE, job.id]);
    worker = startWorker(url);
    const b = await batchFinished(api, job.id);
    expect(b, worker.log).toMatchObject({ state: 'FAILED', total: 1, done: 0, failed: 1 });
    expect(b.items[0].error).toMatch(/job version 2/);
    // the item is marked before the handler throws; pg-boss records the job's failure just after
    let rows: { state: string; retry_count: number }[] = [];
    for (let i = 0; i < 400 && rows[0]?.state !== 'failed'; i++) {
      ({ rows } = await db.query<{ state: string; retry_count: number }>(`SELECT state::text, retry_count FROM pgboss.job WHERE name = $1 AND data->>'batchId' = $2`, [EXPLAIN_QUEUE, job.id]));
      if (rows[0]?.state !== 'failed') await sleep(50);
    }
    expect(rows).toEqual([{ state: 'failed', retry_count: 1 }]);
    expect((await api.gql('{ health { queue { failed } } }')).data!.health.queue.failed).toBe(1);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 600_000);

  it('an item whose job ended without its worker saying so (parked by the reaper, cancelled) is reported FAILED on the next poll', async () => {
    const ids = await upload(api);
    const job = (await api.gql(BATCH, { input: { imageIds: [ids[1]], methods: ['eigencam'] } })).data!.explainBatch;
    const boss = await openQueue(url, { supervise: false });
    try {
      const { rows } = await db.query<{ id: string }>(`SELECT id::text FROM pgboss.job WHERE name = $1 AND data->>'batchId' = $2`, [EXPLAIN_QUEUE, job.id]);
      await boss.cancel(EXPLAIN_QUEUE, rows.map((r) => r.id));
    } finally {
      await boss.stop({ graceful: false, wait: true, close: true });
    }
    const b = await batchFinished(api, job.id, 1);
    expect(b).toMatchObject({ state: 'FAILED', done: 0, failed: 1 });
    expect(b.items[0]).toMatchObject({ state: 'FAILED', explanation: null });
    expect(b.items[0].error).toMatch(/^cancelled/);
  }, 120_000);
});

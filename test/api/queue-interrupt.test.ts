// Ctrl-C in `eval --distributed` stores the images in flight whole, as the in-process run does: an image
// none of whose cells a worker has taken is cancelled, an image with a cell taken keeps its other cells
// queued and eval follows it to its end. The test is the worker (pg-boss fetch and complete), so the
// moment of the interrupt is exact: one cell of one image is in hand when eval is interrupted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type PgBoss from 'pg-boss';
import pg from 'pg';
import { evaluateDistributed, type EvalCellJob } from '../../packages/api/src/eval/distributed.js';
import type { ImageJob } from '../../packages/api/src/eval/evaluator.js';
import type { RunStats } from '../../packages/api/src/eval/report.js';
import { defaultFaithfulnessProtocol, defaultProtocol } from '../../packages/api/src/eval/protocol.js';
import { EVAL_QUEUE, ensureQueue, jobStates, openQueue } from '../../packages/api/src/queue/queue.js';
import { testDatabases } from '../support/databases.js';

const postgres = testDatabases().find((d) => d.provider === 'postgresql')!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An image's work: one model layer with one method, and the ceiling: two cells. */
const imageJob = (imageIndex: number): ImageJob => ({
  imageIndex, metrics: ['nss'], target: 'logit', ceiling: true, baselines: [],
  models: [{ id: 'squeezenet1.0', layers: [{ layer: 'L', methods: [{ method: 'gradcam', metrics: ['nss'] }] }] }],
});

const stats = (): RunStats => ({
  images: 3, unitsComputed: 0, unitsSkipped: 0, unitsLeft: 0, engineRuns: 0, failedImages: [], interrupted: false,
  time: { decode: 0, engine: 0, faithfulness: 0, reference: 0, maps: 0, ceiling: 0, baselines: 0, store: 0 },
});

describe.skipIf(postgres.skipReason !== null)('eval --distributed interrupted', () => {
  let url = '';
  let boss: PgBoss;
  let db: pg.Pool;
  beforeAll(async () => {
    url = await postgres.url();
    boss = await openQueue(url, { supervise: false });
    await ensureQueue(boss, EVAL_QUEUE);
    db = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true, close: true });
    await db?.end();
  });

  it('cancels the images not started and follows the one in flight until it is whole', async () => {
    const abort = new AbortController();
    const finished: string[] = [];
    const notes: string[] = [];
    const s = stats();
    const files = ['a.jpg', 'b.jpg', 'c.jpg'];
    const run = evaluateDistributed({
      databaseUrl: url, runId: 'run-1', dataset: 'osie', dataDir: '/nowhere', protocol: defaultProtocol('osie'), faithfulness: defaultFaithfulnessProtocol('osie'),
      keys: { alignment: 'p', faithfulness: 'f' } as never, batchSize: 8, maxImageBytes: 1, maxImagePixels: 1,
      models: [{ id: 'squeezenet1.0', bytes: new Uint8Array([1, 2, 3]) }],
      todo: files.map((file, i) => ({ file, units: 3, job: imageJob(i) })),
      policy: { retryLimit: 0, retryDelay: 1, expireInSeconds: 600 }, pollMs: 20, stats: s,
      finished: (f) => finished.push(f), signal: abort.signal, note: (t) => notes.push(t),
    });

    // take one cell (this test is the worker), then interrupt
    let first: PgBoss.Job<EvalCellJob> | undefined;
    for (let i = 0; i < 2000 && !first; i++) {
      [first] = await boss.fetch<EvalCellJob>(EVAL_QUEUE);
      if (!first) await sleep(20);
    }
    expect(first).toBeDefined();
    abort.abort();

    // eval cancels the other two images' four cells, and only those
    const all = async () => (await db.query<{ id: string; state: string; image: string }>(`SELECT id::text, state::text, data->>'image' AS image FROM pgboss.job WHERE name = $1`, [EVAL_QUEUE])).rows;
    let jobs = await all();
    for (let i = 0; i < 2000 && jobs.filter((j) => j.state === 'cancelled').length < 4; i++) {
      await sleep(20);
      jobs = await all();
    }
    const inFlight = first!.data.image;
    expect(jobs.filter((j) => j.state === 'cancelled').map((j) => j.image).sort()).toEqual(files.filter((f) => f !== inFlight).flatMap((f) => [f, f]));
    expect(jobs.filter((j) => j.image === inFlight).map((j) => j.state).sort()).toEqual(['active', 'created']);

    // the in-flight image's other cell is still there to take; both are completed and eval ends
    const [second] = await boss.fetch<EvalCellJob>(EVAL_QUEUE);
    expect(second.data.image).toBe(inFlight);
    expect((await boss.fetch<EvalCellJob>(EVAL_QUEUE)).length).toBe(0);
    const timings = { decode: 0, engine: 0, faithfulness: 0, reference: 0, maps: 0, ceiling: 0, baselines: 0, store: 0 };
    for (const j of [first!, second]) await boss.complete(EVAL_QUEUE, j.id, { ok: true, rows: 1, units: j.data.units, engineRuns: 1, timings, worker: 'test' });
    await run;

    expect(s.interrupted).toBe(true);
    expect(finished).toEqual([inFlight]);
    expect(s.unitsComputed).toBe(3); // the model cell's one unit and the ceiling cell's two
    expect(notes.some((n) => /2 images not started cancelled; waiting for the 1 in flight/.test(n))).toBe(true);
    const states = await jobStates(db, EVAL_QUEUE, jobs.map((j) => j.id));
    expect(states.map((x) => x.state).sort()).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled', 'completed', 'completed']);
  });
});

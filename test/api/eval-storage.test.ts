// Leaderboard storage on SQLite and PostgreSQL: runs, scores keyed idempotently (a second write of a
// key replaces it), a batch written whole or not at all, null scores, and the newest finished run.
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../packages/api/src/storage/open.js';
import { type EvalEntry, type NewEvalScore, type Storage } from '../../packages/api/src/storage/types.js';
import { testDatabases } from '../support/databases.js';

const opened: Storage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

const model: EvalEntry = { kind: 'model', model: 'squeezenet1.0', layer: 'fire9/concat_2', method: 'gradcam', target: 'LOGIT' };
const ceiling: EvalEntry = { kind: 'ceiling', model: 'human', layer: '', method: 'split-half', target: '' };

function score(entry: EvalEntry, image: string, metric: string, value: number | null, classIndex: number | null = null): NewEvalScore {
  return { ...entry, protocol: 'p1', dataset: 'osie', image, metric, value, classIndex };
}

const sortKey = (s: { image: string; method: string; metric: string }) => `${s.image}/${s.method}/${s.metric}`;

for (const db of testDatabases()) {
  describe.skipIf(db.skipReason !== null)(`eval storage on ${db.provider}`, () => {
    async function open(): Promise<Storage> {
      const s = await openStorage(await db.url());
      opened.push(s);
      return s;
    }

    it('stores a run and its scores; a second write of the same keys replaces them in one transaction', async () => {
      const s = await open();
      const run = await s.createEvalRun({ dataset: 'osie', protocol: 'p1', params: { metrics: ['nss', 'kl'], nested: { a: [1, 2] } }, images: ['1001.jpg', '1002.jpg'], entries: [model, ceiling] });
      expect(run).toMatchObject({ dataset: 'osie', protocol: 'p1', images: ['1001.jpg', '1002.jpg'], entries: [model, ceiling], finishedAt: null, wallMs: null, stats: null });
      expect(run.params).toEqual({ metrics: ['nss', 'kl'], nested: { a: [1, 2] } });
      await s.saveEvalScores(run.id, [
        score(model, '1001.jpg', 'nss', 1.25, 281), score(model, '1001.jpg', 'kl', null, 281),
        score(ceiling, '1001.jpg', 'nss', 3.5), score(ceiling, '1001.jpg', 'kl', 0.75),
      ]);
      const run2 = await s.createEvalRun({ dataset: 'osie', protocol: 'p1', params: {}, images: ['1001.jpg'], entries: [model] });
      // the model row of 1001.jpg again, nss only: replaced, kl kept; a new image added
      await s.saveEvalScores(run2.id, [score(model, '1001.jpg', 'nss', 1.5, 282), score(model, '1002.jpg', 'nss', 0.5, 7)]);
      const all = (await s.listEvalScores({ protocol: 'p1' })).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      expect(all.map((x) => [x.image, x.method, x.metric, x.value, x.classIndex, x.runId === run2.id ? 2 : 1])).toEqual([
        ['1001.jpg', 'gradcam', 'kl', null, 281, 1],
        ['1001.jpg', 'gradcam', 'nss', 1.5, 282, 2],
        ['1001.jpg', 'split-half', 'kl', 0.75, null, 1],
        ['1001.jpg', 'split-half', 'nss', 3.5, null, 1],
        ['1002.jpg', 'gradcam', 'nss', 0.5, 7, 2],
      ]);
      expect(all[0]).toMatchObject({ kind: 'model', model: 'squeezenet1.0', layer: 'fire9/concat_2', target: 'LOGIT', dataset: 'osie', protocol: 'p1' });
      expect((await s.listEvalScores({ protocol: 'p1', metric: 'kl' })).map((x) => x.value).sort()).toEqual([0.75, null]);
      expect(await s.listEvalScores({ protocol: 'other' })).toEqual([]);
      // float64 values round-trip exactly
      await s.saveEvalScores(run2.id, [score(model, '1003.jpg', 'cc', 0.1 + 0.2)]);
      expect((await s.listEvalScores({ protocol: 'p1', metric: 'cc' }))[0].value).toBe(0.1 + 0.2);
    });

    it('writes a batch whole or not at all, and checks it before writing', async () => {
      const s = await open();
      const run = await s.createEvalRun({ dataset: 'osie', protocol: 'p1', params: {}, images: ['a'], entries: [model] });
      await expect(s.saveEvalScores('no-such-run', [score(model, 'a', 'nss', 1)])).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(s.saveEvalScores(run.id, [score(model, 'a', 'nss', 1), score(model, 'a', 'nss', 2)])).rejects.toThrow(/twice/);
      await expect(s.saveEvalScores(run.id, [score(model, 'a', 'nss', 1), score(model, 'a', 'cc', Number.NaN)])).rejects.toThrow(RangeError);
      await expect(s.saveEvalScores(run.id, [{ ...score(model, 'a', 'nss', 1), kind: 'other' as 'model' }])).rejects.toThrow(TypeError);
      expect(await s.listEvalScores({ protocol: 'p1' })).toEqual([]);
      await s.saveEvalScores(run.id, []);
    });

    it('serves the newest finished run of a data set, else the newest one', async () => {
      const s = await open();
      expect(await s.latestEvalRun('osie')).toBeNull();
      const a = await s.createEvalRun({ dataset: 'osie', protocol: 'p1', params: {}, images: [], entries: [] });
      expect((await s.latestEvalRun('osie'))?.id).toBe(a.id);
      await new Promise((r) => setTimeout(r, 5));
      const b = await s.createEvalRun({ dataset: 'osie', protocol: 'p1', params: {}, images: [], entries: [] });
      expect((await s.latestEvalRun('osie'))?.id).toBe(b.id);
      const done = await s.finishEvalRun(a.id, { wallMs: 1234.5, stats: { engineRuns: 3 } });
      expect(done).toMatchObject({ id: a.id, wallMs: 1234.5, stats: { engineRuns: 3 } });
      expect(done.finishedAt).toBeInstanceOf(Date);
      expect((await s.latestEvalRun('osie'))?.id).toBe(a.id);
      expect(await s.latestEvalRun('mit1003')).toBeNull();
      expect(await s.getEvalRun('nope')).toBeNull();
      await expect(s.finishEvalRun('nope', { wallMs: 1, stats: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}

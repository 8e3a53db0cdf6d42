// Human-attention scoring in the server's worker thread (annotations/scoring.ts, compute/rpc-worker.ts):
// the same numbers as core on the calling thread, errors that come back as errors, and a worker that
// dies fails its requests and is replaced by the next call.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { alignToHuman, humanAgreement, humanMap, parseOsie, type FloatMap, type InputSpec } from '../../packages/core/src/index.js';
import { Scoring } from '../../packages/api/src/annotations/scoring.js';

const osie = parseOsie(JSON.parse(readFileSync(resolve(__dirname, '../../../shared/data/osie/fixations.json'), 'utf8')));
const item = osie[3];
const human = humanMap(item.observers, item.width, item.height, { maxSide: 200 });
const spec = { name: 'x', width: 32, height: 32, channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch' } as unknown as InputSpec;
const map: FloatMap = { width: 32, height: 32, values: Float32Array.from({ length: 1024 }, (_, i) => Math.exp(-(((i % 32) - 16) ** 2 + (Math.floor(i / 32) - 14) ** 2) / 60)) };

describe('Scoring in a worker thread', () => {
  const scoring = new Scoring();
  afterAll(() => scoring.close());

  it('gives the agreement and the alignment core gives on this thread, exactly', async () => {
    const options = { metrics: ['cc', 'nss', 'auc-judd', 'sim'], repetitions: 3, seed: 4 };
    expect(await scoring.agreement(human, options)).toEqual(humanAgreement(human, options));
    expect(await scoring.align(map, spec, human)).toEqual(alignToHuman(map, spec, human));
    expect(await scoring.align(map, spec, human, ['nss'])).toEqual(alignToHuman(map, spec, human, { metrics: ['nss'] }));
    expect(await scoring.agreement(humanMap([item.observers[0]], item.width, item.height), options)).toBeNull();
  });

  it('returns a computation’s error as an error, and keeps serving', async () => {
    await expect(scoring.align(map, spec, human, ['no-such-metric'])).rejects.toThrow(/no-such-metric/);
    expect((await scoring.align(map, spec, human, ['cc']))[0].value).toEqual(alignToHuman(map, spec, human, { metrics: ['cc'] })[0].value);
  });

  it('fails the requests of a worker that died and starts a new one for the next', async () => {
    const s = new Scoring();
    await s.align(map, spec, human, ['cc']);
    const worker = (s as unknown as { worker: { worker: { terminate(): Promise<number> } } }).worker.worker;
    const pending = s.agreement(human, { repetitions: 10 });
    await worker.terminate();
    await expect(pending).rejects.toThrow(/worker exited/);
    expect((await s.align(map, spec, human, ['cc']))[0].value).toBeCloseTo(alignToHuman(map, spec, human, { metrics: ['cc'] })[0].value!, 12);
    await s.close();
    await expect(s.align(map, spec, human)).rejects.toThrow(/closed/);
  });
});

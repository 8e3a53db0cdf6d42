// The campaign's quality computations off the main thread (campaigns/quality-runner.ts): the worker
// gives exactly the numbers of the inline computation (reliability curve and review, on an OSIE image
// with simulated participants), it computes them on another thread (the thread id it answers with),
// and the main thread's event loop turns while it does (a setImmediate scheduled before the call has
// run when the answer arrives; inline, the answer comes first). Mechanisms, not durations.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { parseOsie } from '../../packages/core/src/index.js';
import { QualityRunner } from '../../packages/api/src/campaigns/quality-runner.js';
import type { Person } from '../../packages/api/src/campaigns/quality.js';
import type { AnnotationRecord, ImageRecord } from '../../packages/api/src/storage/types.js';
import { rng } from '../helpers/random.js';
import { clicksOf, type Behaviour } from '../helpers/campaign-participants.js';

const osieDir = resolve(__dirname, '../../../shared/data/osie');
const osie = parseOsie(JSON.parse(readFileSync(resolve(osieDir, 'fixations.json'), 'utf8'))).slice(0, 2);
const frame = { sigmaFraction: 0.03, maxSide: 400 };

const images = new Map<string, ImageRecord>(osie.map((o) => [o.file, { id: o.file, width: o.width, height: o.height, format: 'jpeg', byteLength: 1, createdAt: new Date(0) } as ImageRecord]));

/** 12 participants (one careless, one one-spot) on both images, as stored annotations. */
function people(): Person[] {
  const out: Person[] = [];
  for (let k = 0; k < 12; k++) {
    const behaviour: Behaviour = k === 3 ? 'careless' : k === 7 ? 'one-spot' : 'honest';
    const random = rng(100 + k);
    for (const o of osie) {
      const clicks = clicksOf(behaviour, o.observers[k % o.observers.length], o.width, o.height, random, 8);
      const annotation = { id: `${k}-${o.file}`, imageId: o.file, source: 'CROWD', annotator: `a${k}`, task: 'DESCRIBE', classIndex: null, model: null, prompt: null, nonce: null, points: clicks, durationMs: null, createdAt: new Date(k) } as unknown as AnnotationRecord;
      out.push({ sessionId: `s${k}`, gold: false, annotation });
    }
  }
  return out;
}

/** Runs `fn` and says whether a setImmediate scheduled just before it had run by the time it answered. */
async function loopTurned<T>(fn: () => Promise<T>): Promise<{ value: T; turned: boolean }> {
  let immediate = false;
  setImmediate(() => {
    immediate = true;
  });
  let turned = false;
  const value = await fn().then((v) => {
    turned = immediate;
    return v;
  });
  return { value, turned };
}

describe('campaign quality in a worker thread', () => {
  const worker = new QualityRunner();
  const inline = new QualityRunner({ inline: true });
  afterAll(() => worker.close());

  it('the same curve and review as inline, computed on another thread while the main one keeps turning', async () => {
    const ps = people();
    const o = osie[0];
    const crowd = ps.filter((p) => p.annotation.imageId === o.file).map((p) => p.annotation.points.map((q) => ({ x: q.x - 0.5, y: q.y - 0.5 })));
    const image = images.get(o.file)!;

    const here = await loopTurned(() => inline.reliability(image, crowd, frame, o.observers));
    expect(inline.lastThreadId).toBe(threadId);
    expect(here.turned).toBe(false);
    const there = await loopTurned(() => worker.reliability(image, crowd, frame, o.observers));
    expect(worker.lastThreadId).not.toBe(threadId);
    expect(there.turned).toBe(true);
    expect(there.value).toEqual(here.value);
    expect(there.value).toHaveLength(crowd.length - 1);

    const reviewHere = await inline.review(ps, images, new Map(), frame);
    const reviewThere = await loopTurned(() => worker.review(ps, images, new Map(), frame));
    expect(reviewThere.turned).toBe(true);
    expect(reviewThere.value).toEqual(reviewHere);
    expect(reviewHere.map((e) => `${e.sessionId} ${e.rule}`)).toEqual(expect.arrayContaining(['s3 LOW_AGREEMENT', 's7 ONE_SPOT']));
  });

  it('a failure in the worker comes back as an error, and the worker serves the next call', async () => {
    const image = images.get(osie[0].file)!;
    await expect(worker.reliability({ ...image, width: -1 }, [[{ x: 1, y: 1 }], [{ x: 2, y: 2 }]], frame, null)).rejects.toThrow();
    const ok = await worker.reliability(image, [[{ x: 100, y: 100 }], [{ x: 120, y: 110 }]], frame, null);
    expect(ok).toHaveLength(1);
  });
});

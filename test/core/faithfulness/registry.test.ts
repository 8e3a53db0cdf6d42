// measureFaithfulness returns the CLI's object: every report field filled by exactly one registered
// measure, each equal to its measure computed alone; bad inputs are typed errors.
import { describe, expect, it } from 'vitest';
import {
  causalCurve, confidenceMeasures, faithfulnessMeasures, FaithfulnessError, measureFaithfulness, road, chwShape, getFaithfulnessMeasure,
} from '../../../packages/core/src/faithfulness/index.js';
import { linearModel, uniform } from './linear-model.js';

describe('measureFaithfulness', () => {
  const r = uniform(3);
  const shape = chwShape([3, 16, 16]);
  const w = Float32Array.from({ length: 768 }, () => r() * 0.2 - 0.1);
  const x = Float32Array.from({ length: 768 }, () => r() * 2 - 1);
  const map = { width: 16, height: 16, values: Float32Array.from({ length: 256 }, r) };
  const m = linearModel(w);

  it('fills each field once, with the values of the measures run alone', async () => {
    const fields = faithfulnessMeasures.flatMap((f) => f.fields).sort();
    expect(fields).toEqual(['averageDrop', 'camMult', 'deletion', 'increase', 'insertion', 'road']);
    const rep = await measureFaithfulness(m.score, x, [1, 3, 16, 16], map, 0, { seed: 4 });
    expect(Object.keys(rep).sort()).toEqual(fields);
    expect(rep.deletion).toEqual(await causalCurve(m.score, x, shape, map, 0, 'deletion'));
    expect(rep.insertion).toEqual(await causalCurve(m.score, x, shape, map, 0, 'insertion'));
    expect(rep.road).toEqual(await road(m.score, x, shape, map, 0, { seed: 4 }));
    const c = await confidenceMeasures(m.score, x, shape, map, 0);
    expect(rep.camMult).toEqual(c.camMult);
    expect(rep.averageDrop).toBe(c.averageDrop);
    expect(rep.increase).toBe(c.increase);
    expect(rep.deletion.scores).toHaveLength(3); // 256 pixels, step 128: 2 steps
    expect(JSON.parse(JSON.stringify(rep))).toEqual(rep);
  });

  it('rejects inputs and maps that do not fit, and unknown measures', async () => {
    await expect(measureFaithfulness(m.score, x.subarray(1), [1, 3, 16, 16], map, 0)).rejects.toBeInstanceOf(FaithfulnessError);
    await expect(measureFaithfulness(m.score, x, [2, 3, 16, 16], map, 0)).rejects.toThrow(/dims/);
    await expect(measureFaithfulness(m.score, x, [1, 3, 16, 16], { ...map, width: 8, height: 32 }, 0)).rejects.toThrow(/8×32/);
    expect(() => getFaithfulnessMeasure('nope')).toThrow(/deletion, insertion, road, confidence/);
  });
});

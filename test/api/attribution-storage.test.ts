// Pixel attributions in the API's storage and cost: the scaled float16 codec (every float16 value
// round-trips, rounding is to the nearest even), its error bound on real SqueezeNet attributions
// (signed [C, H, W], the raw channel sum and the display map), the stored bytes per map, a save / read
// round trip on each database, and the work units that IG's steps and SmoothGrad's samples cost.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { attributionOptionsFor, channelAbsSum, Explainer, getCamMethod, postprocess, preprocess, type ClassMap } from '../../packages/core/src/index.js';
import { loadManifestModel } from '../../packages/api/src/models/loader.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import {
  decodeScaledHalf, encodeScaledHalf, fromHalfBits, quantizeScaledHalf, toHalfBits,
} from '../../packages/api/src/storage/raw-map.js';
import { createPrismaClient } from '../../packages/api/src/storage/open.js';
import type { HeatmapRecord, NewExplanation } from '../../packages/api/src/storage/types.js';
import { createRequire } from 'node:module';
import type * as GraphQL from 'graphql';
import { explainUnits, operationCost, passOptions, type CostEnv } from '../../packages/api/src/server/cost.js';
import { checkAttributionOptions, ExplainRequestError } from '../../packages/api/src/compute/explain-service.js';
import { settingsFromEnv } from '../../packages/api/src/server/settings.js';
import { testDatabases } from '../support/databases.js';
import { openTestStorage } from '../support/open-storage.js';

const root = resolve(__dirname, '../..');
const U = 2 ** -11; // float16's unit roundoff

describe('scaled float16', () => {
  it('converts float16 bits exactly both ways and rounds to the nearest even', () => {
    for (let h = 0; h < 65536; h++) {
      const v = fromHalfBits(h);
      if (Number.isNaN(v)) continue;
      expect(toHalfBits(v)).toBe(h);
    }
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00); // the tie above the largest finite value rounds to infinity
    expect(toHalfBits(2 ** -24)).toBe(1); // the smallest subnormal
    expect(toHalfBits(2 ** -25)).toBe(0); // a tie between 0 and it: to the even 0
    expect(toHalfBits(3 * 2 ** -25)).toBe(2); // a tie between 1 and 2 subnormal steps: to the even 2
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // ties to even
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toHalfBits(0.1)).toBe(0x2e66);
    // every midpoint between two neighbouring float16 values (exact in float32): below it → the lower,
    // above it → the upper, on it → the even one
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    const step = (x: number, d: number) => ((f[0] = x), (u[0] += d), f[0]);
    for (let h = 0; h < 0x7bff; h++) {
      const mid = (fromHalfBits(h) + fromHalfBits(h + 1)) / 2;
      expect(Math.fround(mid)).toBe(mid);
      expect(toHalfBits(step(mid, -1))).toBe(h);
      expect(toHalfBits(step(mid, 1))).toBe(h + 1);
      expect(toHalfBits(mid)).toBe(h % 2 === 0 ? h : h + 1);
      expect(toHalfBits(-mid)).toBe((h % 2 === 0 ? h : h + 1) | 0x8000);
    }
  });

  it('stores 2 bytes a value, keeps ±scale exact, zero maps as zeros, and re-encodes its own output to the same bytes', () => {
    const v = Float32Array.from([0.5, -3.25, 1e-9, 0, 3.25, -1e-3]);
    const e = encodeScaledHalf(v);
    expect(e.bytes.byteLength).toBe(12);
    expect(e.scale).toBe(3.25);
    const d = decodeScaledHalf(e.bytes, v.length, e.scale)!;
    expect([d[1], d[4]]).toEqual([-3.25, 3.25]);
    expect(Math.abs(d[0] - 0.5)).toBeLessThanOrEqual(U * 0.5); // 0.5 / 3.25 is not a float16
    const again = encodeScaledHalf(d);
    expect(again.scale).toBe(e.scale);
    expect(Buffer.from(again.bytes).equals(Buffer.from(e.bytes))).toBe(true);
    expect(Array.from(quantizeScaledHalf(new Float32Array(4)))).toEqual([0, 0, 0, 0]);
    expect(decodeScaledHalf(e.bytes, 5, e.scale)).toBeNull();
    expect(() => encodeScaledHalf(Float32Array.from([1, Infinity]))).toThrow(RangeError);
  });

  describe('on SqueezeNet\'s attributions of dog.jpg', () => {
    let maps: ClassMap[];
    beforeAll(async () => {
      const m = loadManifestModel(resolve(root, 'models'), 'squeezenet1.0');
      const engine = await Explainer.create(ort, m.bytes, m.spec, m.labels);
      try {
        const photo = readFileSync(resolve(root, '../shared/data/images/dog.jpg'));
        const x = preprocess((await decodeImage(photo, 1e8)).image, m.spec.input);
        maps = (await engine.explain(x, { methods: ['saliency', 'inputxgradient', 'integratedgradients', 'guidedbackprop'], attribution: { steps: 16 } })).maps;
      } finally {
        await engine.release();
      }
    }, 180_000);

    it('keeps every value within 2^-11 of itself plus 2^-25 of the scale; raw and the display map follow', () => {
      const report: string[] = [];
      for (const m of maps) {
        const a = m.attribution!;
        const { bytes, scale } = encodeScaledHalf(a.values);
        expect(bytes.byteLength).toBe(2 * 3 * 224 * 224); // 301,056 bytes, against 602,112 as float32
        const back = decodeScaledHalf(bytes, a.values.length, scale)!;
        let worst = 0;
        a.values.forEach((v, i) => {
          const err = Math.abs(back[i] - v);
          // float16 rounding of v / scale, plus float32 rounding of the division and of h · scale
          const bound = U * Math.abs(v) + 2 ** -25 * scale + 2 ** -23 * Math.abs(v);
          if (err > bound) throw new Error(`${m.method}: value ${i} ${v} → ${back[i]} (error ${err} > ${bound})`);
          worst = Math.max(worst, err / scale);
        });
        expect(worst).toBeLessThanOrEqual(2 ** -12 + 2 ** -23); // |v / scale| ≤ 1: half a float16 step is at most 2^-12
        // the raw map (Σ_c |a|) summed from the decoded values, and the display map made from it
        const raw = channelAbsSum({ ...a, values: back }).values;
        const rawMax = m.raw.values.reduce((a, v) => Math.max(a, v), 0);
        let rawWorst = 0;
        raw.forEach((v, i) => (rawWorst = Math.max(rawWorst, Math.abs(v - m.raw.values[i]))));
        expect(rawWorst / rawMax).toBeLessThanOrEqual(U + 2 ** -21);
        const shown = postprocess(raw, 224, 224, 224, 224).map.values;
        let mapWorst = 0;
        shown.forEach((v, i) => (mapWorst = Math.max(mapWorst, Math.abs(v - m.map.values[i]))));
        expect(mapWorst).toBeLessThan(1e-3);
        report.push(`${m.method}: value ${worst.toExponential(2)} of scale, raw ${(rawWorst / rawMax).toExponential(2)} of max, map ${mapWorst.toExponential(2)}`);
      }
      console.log(`scaled float16 on dog.jpg: ${report.join('; ')}`);
    });

    for (const db of testDatabases()) {
      it.skipIf(db.skipReason !== null)(`saves and reads back an IG map on ${db.provider}: the decoded float16 values, raw their channel sum, the delta, the options`, async () => {
        const url = await db.url();
        const storage = await openTestStorage(url);
        const bytes = randomBytes(64);
        const image = { id: createHash('sha256').update(bytes).digest('hex'), width: 2, height: 3, format: 'png', byteLength: 64 };
        await storage.putImage(image, bytes);
        const ig = maps.find((m) => m.method === 'integratedgradients')!;
        const cam: HeatmapRecord = { method: 'gradcam', classIndex: 1, label: 'one', score: 0.25, width: 13, height: 13, raw: Float32Array.from({ length: 169 }, (_, i) => i / 3) };
        const pixel: HeatmapRecord = {
          method: 'integratedgradients', classIndex: ig.classIndex, label: ig.label, score: 0.5, width: 224, height: 224,
          raw: ig.raw.values, attribution: { channels: 3, values: ig.attribution!.values }, convergenceDelta: ig.convergenceDelta!,
        };
        const e: NewExplanation = {
          requestKey: randomBytes(32).toString('hex'), imageId: image.id,
          model: { id: 'squeezenet1.0', task: 'classification', inputWidth: 224, inputHeight: 224, numClasses: 1000 },
          layer: 'fire9/concat', target: 'LOGIT', methods: ['gradcam', 'integratedgradients'], predictions: [],
          attributionOptions: attributionOptionsFor(['gradcam', 'integratedgradients'], { steps: 16 }) as Record<string, string | number>,
          heatmaps: [cam, pixel], computeMs: 1,
        };
        const saved = await storage.saveExplanation(e);
        const read = (await storage.getExplanation(saved.id))!;
        const values = quantizeScaledHalf(ig.attribution!.values);
        for (const r of [saved, read]) {
          expect(r.attributionOptions).toEqual({ steps: 16, integration: 'gausslegendre' });
          expect(Array.from(r.heatmaps[0].raw)).toEqual(Array.from(cam.raw));
          expect(r.heatmaps[0].attribution).toBeUndefined();
          const h = r.heatmaps[1];
          expect(h.convergenceDelta).toBe(ig.convergenceDelta);
          expect(h.attribution!.channels).toBe(3);
          expect(Buffer.from(h.attribution!.values.buffer).equals(Buffer.from(values.buffer))).toBe(true);
          expect(Array.from(h.raw)).toEqual(Array.from(channelAbsSum({ channels: 3, width: 224, height: 224, values }).values));
        }
        // what the database holds: 2 bytes a value and the encoding's columns
        const { client } = createPrismaClient(url);
        try {
          const rows = await client.heatmap.findMany({ where: { explanationId: saved.id }, orderBy: { position: 'asc' } });
          expect(rows.map((r) => [r.encoding, r.channels, r.raw.byteLength])).toEqual([['f32', 1, 169 * 4], ['f16s', 3, 301_056]]);
          expect(rows[1].scale).toBe(ig.attribution!.values.reduce((a, v) => Math.max(a, Math.abs(v)), 0));
        } finally {
          await client.$disconnect();
        }
      }, 60_000);
    }
  });
});

describe('attribution options in the API', () => {
  const limits = settingsFromEnv({}).limits;
  const m = (...ids: string[]) => ids.map((id) => getCamMethod(id));

  it('cost 3 units per IG step or SmoothGrad sample and class (IG: one more forward), counted as asked up to core\'s 10,000', () => {
    expect(explainUnits(m('integratedgradients'), 1, 512)).toBeCloseTo(1 + 0.1 + 1 + 3 * 50, 10);
    expect(explainUnits(m('integratedgradients'), 2, 512, { steps: 200 })).toBeCloseTo(1 + 0.2 + 1 + 3 * 400, 10);
    expect(explainUnits(m('smoothgrad'), 1, 512, { samples: 8 })).toBeCloseTo(1 + 0.1 + 3 * 8, 10);
    expect(explainUnits(m('saliency', 'gradcam'), 1, 512, { steps: 1e6 })).toBeCloseTo(1 + 0.2 + 3 + 2, 10);
    expect(explainUnits(m('integratedgradients'), 1, 512, passOptions({ steps: 1e6 }))).toBeCloseTo(1 + 0.1 + 1 + 3 * 10_000, 10);
    // values explain refuses count as the default
    expect(passOptions({ steps: 2.5, samples: -1, integration: 'simpson' as never })).toEqual({ steps: undefined, samples: undefined, integration: undefined });
  });

  it('in a query: steps × classes cost work units before anything runs; raw and attribution bytes at the input size', async () => {
    // the copy of graphql the server code takes (see server/cost.ts)
    const { buildSchema, parse, Kind } = createRequire(import.meta.url)('graphql') as typeof GraphQL;
    const schema = buildSchema(readFileSync(resolve(root, 'packages/api/schema.graphql'), 'utf8'));
    const env: CostEnv = { limits, maxInputSide: 224, modelCount: 1, model: async () => ({ inputSide: 224, layer: () => ({ channels: 512, cells: 169 }) }) };
    const cost = (query: string, variables?: Record<string, unknown>) => {
      const doc = parse(query);
      return operationCost(schema, doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as GraphQL.OperationDefinitionNode, [], variables, env);
    };
    const Q = 'mutation($a: AttributionInput, $k: Int) { explain(input: { imageId: "x", methods: ["integratedgradients"], topK: $k, attribution: $a }) { id } }';
    expect((await cost(Q, { a: { steps: 100 }, k: 2 })).units).toBeCloseTo(1 + 0.2 + 1 + 3 * 200 + 0.001, 6);
    expect((await cost(Q, { a: { steps: 1_000_000 } })).units).toBeGreaterThan(limits.maxQueryCost);
    expect((await cost(Q, { a: { steps: 400 }, k: 5 })).units).toBeGreaterThan(limits.maxQueryCost);
    expect((await cost(Q, {})).units).toBeLessThan(limits.maxQueryCost / 20); // the default 50 steps, top 1: 152 units
    const bytes = (await cost('mutation { explain(input: { imageId: "x", methods: ["saliency"] }) { heatmaps { raw attribution { values } } } }')).bytes;
    expect(bytes).toBeGreaterThanOrEqual((1 + 3) * 224 * 224 * 20);
  });

  it('are checked against the named limits (BAD_ATTRIBUTION_OPTION, with the option, the limit and the setting)', () => {
    const service = { ...limits, maxImagePixels: 1 };
    expect(checkAttributionOptions(undefined, service)).toEqual({ steps: 50, integration: 'gausslegendre', samples: 50, noise: 0.15, seed: 0 });
    const refused = (o: object) => {
      try {
        checkAttributionOptions(o, service);
      } catch (e) {
        expect(e).toBeInstanceOf(ExplainRequestError);
        return { code: (e as ExplainRequestError).code, ...(e as ExplainRequestError).extra };
      }
      throw new Error(`${JSON.stringify(o)} was accepted`);
    };
    expect(refused({ steps: 501 })).toEqual({ code: 'BAD_ATTRIBUTION_OPTION', option: 'steps', limit: 500, setting: 'SALIENCY_MAX_IG_STEPS' });
    expect(refused({ samples: 501 })).toEqual({ code: 'BAD_ATTRIBUTION_OPTION', option: 'samples', limit: 500, setting: 'SALIENCY_MAX_SMOOTHGRAD_SAMPLES' });
    expect(refused({ noise: 1.5 })).toEqual({ code: 'BAD_ATTRIBUTION_OPTION', option: 'noise', limit: 1, setting: 'SALIENCY_MAX_SMOOTHGRAD_NOISE' });
    expect(refused({ noise: -0.1 })).toMatchObject({ code: 'BAD_ATTRIBUTION_OPTION', option: 'noise' });
    expect(refused({ steps: 0 })).toMatchObject({ code: 'BAD_ATTRIBUTION_OPTION', option: 'steps' });
    expect(refused({ steps: 1, integration: 'riemann_trapezoid' })).toMatchObject({ code: 'BAD_ATTRIBUTION_OPTION', option: 'steps' });
    expect(refused({ seed: -1 })).toMatchObject({ code: 'BAD_ATTRIBUTION_OPTION', option: 'seed' });
    expect(checkAttributionOptions({ steps: 500, samples: 500, noise: 1 }, service)).toMatchObject({ steps: 500, samples: 500, noise: 1 });
  });

  it('the limits are settings: SALIENCY_MAX_IG_STEPS, SALIENCY_MAX_SMOOTHGRAD_SAMPLES, SALIENCY_MAX_SMOOTHGRAD_NOISE', () => {
    expect([limits.maxIgSteps, limits.maxSmoothGradSamples, limits.maxSmoothGradNoise]).toEqual([500, 500, 1]);
    const l = settingsFromEnv({ SALIENCY_MAX_IG_STEPS: '64', SALIENCY_MAX_SMOOTHGRAD_SAMPLES: '32', SALIENCY_MAX_SMOOTHGRAD_NOISE: '0.5' }).limits;
    expect([l.maxIgSteps, l.maxSmoothGradSamples, l.maxSmoothGradNoise]).toEqual([64, 32, 0.5]);
    expect(() => settingsFromEnv({ SALIENCY_MAX_IG_STEPS: '20000' })).toThrow(/at most 10000/);
    expect(() => settingsFromEnv({ SALIENCY_MAX_SMOOTHGRAD_SAMPLES: '2.5' })).toThrow(/positive integer/);
  });

  it('key what the methods read, and only that', () => {
    expect(attributionOptionsFor(['gradcam', 'saliency'], { steps: 8, samples: 3 })).toEqual({});
    expect(attributionOptionsFor(['integratedgradients'], { steps: 8, samples: 3 })).toEqual({ steps: 8, integration: 'gausslegendre' });
    expect(attributionOptionsFor(['smoothgrad', 'integratedgradients'], {})).toEqual({ steps: 50, integration: 'gausslegendre', samples: 50, noise: 0.15, seed: 0 });
  });
});

afterAll(() => undefined);

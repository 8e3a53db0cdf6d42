// Units of the hardening (issue 10) without a server: the cost estimate on the real schema with a
// fake model (what legitimate queries cost, what the repros cost, how lists and scopes
// multiply), the client address behind trusted proxies, the CORS policy, the settings' parsing, and
// when a response counts as failed as a whole.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import type * as GraphQL from 'graphql';
import { getCamMethod } from '../../packages/core/src/index.js';
import { explainUnits, operationCost, RAW_CELLS_BOUND, requestedMethods, storedRawCellsBound, type CostEnv } from '../../packages/api/src/server/cost.js';
import { clientAddressOf } from '../../packages/api/src/server/client-address.js';
import { corsPolicy } from '../../packages/api/src/server/cors.js';
import { failedAsAWhole } from '../../packages/api/src/server/http-status.js';
import { hasFragmentCycle } from '../../packages/api/src/server/limits.js';
import { settingsFromEnv, trustProxy } from '../../packages/api/src/server/settings.js';

// the copy of graphql the server code takes (see server/cost.ts)
const { buildSchema, parse, Kind } = createRequire(import.meta.url)('graphql') as typeof GraphQL;
const schema = buildSchema(readFileSync(resolve(__dirname, '../../packages/api/schema.graphql'), 'utf8'));
const limits = settingsFromEnv({}).limits;
/** A SqueezeNet-like model: 224 px input, 512 channels of 13 × 13 at the layer. */
const env: CostEnv = {
  limits,
  maxInputSide: 224,
  modelCount: 2,
  async model(id) {
    return id === 'nope' ? null : { inputSide: 224, layer: () => ({ channels: 512, cells: 169 }) };
  },
};

async function cost(query: string, variables?: Record<string, unknown>) {
  const doc = parse(query);
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as GraphQL.OperationDefinitionNode;
  const fragments = doc.definitions.filter((d): d is GraphQL.FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  return operationCost(schema, op, fragments, variables, env);
}

describe('query cost in work units', () => {
  it('an explain costs one forward pass, a shared head-gradient row per class, a pass per channel for Score-CAM / Ablation-CAM', () => {
    const m = (...ids: string[]) => ids.map((id) => getCamMethod(id));
    expect(explainUnits(m('gradcam'), 1, 512)).toBeCloseTo(1 + 2 + 0.1, 10);
    // gradient CAMs share one head-gradient run: two of them cost one run
    expect(explainUnits(m('gradcam', 'layercam'), 3, 512)).toBeCloseTo(1 + 2 * 3 + 0.1 * 6, 10);
    expect(explainUnits(m('scorecam'), 5, 512)).toBeCloseTo(1 + 512 + 0.1 * 5, 10);
    expect(explainUnits(m('scorecam', 'ablationcam'), 1, 512)).toBeCloseTo(1 + 1024 + 0.2, 10);
    // aliases count once, unknown names nothing (refused before any work)
    expect(requestedMethods(['gradcam', 'grad-cam', 'magic']).map((x) => x.id)).toEqual(['gradcam']);
  });

  it('legitimate queries fit the default limit; the issue\'s repros do not', async () => {
    const readme = await cost('mutation { explain(input: { imageId: "x", methods: ["gradcam", "scorecam"], topK: 2, target: PROBABILITY }) { id heatmaps { method raw png(overlay: true, size: 448) } } }');
    expect(readme.units).toBeLessThan(limits.maxQueryCost);
    expect(readme.bytes).toBeLessThan(limits.maxResponseBytes);
    const widget = await cost('mutation { explain(input: { image: "…", methods: ["gradcam"], topK: 5 }) { predictions { label score } heatmaps { method classIndex label score width height raw } } }');
    expect(widget.units).toBeLessThan(20);
    const pngs = await cost(`mutation { explain(input: { imageId: "x", methods: ["gradcam", "gradcam++", "xgradcam", "layercam", "hirescam", "eigencam", "eigengradcam", "gradcam-elementwise"], topK: 10 }) { heatmaps { png(size: 2048, overlay: true) } } }`);
    expect(pngs.units).toBeGreaterThan(80 * 100); // 80 overlays of 2048² at 65,536 px a unit: 128 each
    expect(pngs.bytes).toBeGreaterThan(limits.maxResponseBytes);
    const aliases = await cost(`mutation { ${Array.from({ length: 24 }, (_, k) => `e${k}: explain(input: { imageId: "x", methods: ["scorecam", "ablationcam"], classes: [${k}] }) { id }`).join(' ')} }`);
    expect(aliases.units).toBeGreaterThan(24 * 1024);
  });

  it('lists multiply by their real sizes: connection edges by first, stored heatmaps by the bound or first', async () => {
    const one = await cost('{ explanations(first: 1) { edges { node { heatmaps { alignment { reference } } } } } }');
    const ten = await cost('{ explanations(first: 10) { edges { node { heatmaps { alignment { reference } } } } } }');
    expect(ten.units / one.units).toBeCloseTo(10, 0);
    const bound = limits.maxMethods * limits.maxTopK;
    const all = await cost('{ explanations(first: 1) { edges { node { heatmaps { png } } } } }');
    const three = await cost('{ explanations(first: 1) { edges { node { heatmaps(first: 3) { png } } } } }');
    const oneClass = await cost('{ explanations(first: 1) { edges { node { heatmaps(method: "gradcam", classIndex: 2) { png } } } } }');
    const png224 = (224 * 224) / limits.pngPixelsPerUnit;
    expect(all.units).toBeGreaterThan(bound * png224);
    expect(three.units).toBeLessThan(3 * png224 + 1);
    expect(oneClass.units).toBeLessThan(png224 + 1);
    // a page far over SALIENCY_MAX_PAGE_SIZE counts at the page size (the field refuses it, BAD_REQUEST)
    const huge = await cost('{ explanations(first: 100000) { totalCount } }');
    expect(huge.units).toBeLessThan(1);
  });

  it('stored maps are priced by their real grid: one explanation by its own extent, lists by the largest served input', async () => {
    const rawOf = (r: { bytes: number }) => r.bytes;
    // a stored YOLOX explanation: 12 box maps on the 416 × 416 letterboxed input
    const stored = { ...env, maxInputSide: 416, storedHeatmaps: async (id: string) => (id === 'yolox' ? { heatmaps: 12, rawCells: 416 * 416 } : { heatmaps: 0, rawCells: 0 }) };
    const doc = (q: string) => {
      const d = parse(q);
      return operationCost(schema, d.definitions[0] as GraphQL.OperationDefinitionNode, [], undefined, stored);
    };
    const one = await doc('{ explanation(id: "yolox") { heatmaps { raw } } }');
    expect(rawOf(one)).toBeGreaterThanOrEqual(12 * 416 * 416 * 20);
    // the same query on the old bound (a 64 × 64 layer) would have been priced 42 times too low
    expect(rawOf(one)).toBeGreaterThan(40 * 12 * RAW_CELLS_BOUND * 20);
    expect(rawOf(await doc('{ explanation(id: "none") { heatmaps { raw } } }'))).toBeLessThan(1000);
    // a list of stored explanations: any of them may be a detector's, so every map is bounded by 416²
    const list = await doc('{ explanations(first: 2) { edges { node { heatmaps(first: 1) { raw } } } } }');
    expect(rawOf(list)).toBeGreaterThanOrEqual(2 * 416 * 416 * 20);
    expect(storedRawCellsBound({ maxInputSide: 416 })).toBe(416 * 416);
    expect(storedRawCellsBound({ maxInputSide: 32 })).toBe(RAW_CELLS_BOUND);
  });

  it('variables, fragments and @skip are followed', async () => {
    const q = 'mutation($m: [String!], $skip: Boolean!) { explain(input: { imageId: "x", methods: $m }) { ...H } } fragment H on Explanation { heatmaps { png(size: 2048) @skip(if: $skip) } }';
    const skipped = await cost(q, { m: ['scorecam'], skip: true });
    const rendered = await cost(q, { m: ['scorecam'], skip: false });
    expect(skipped.units).toBeCloseTo(1 + 512 + 0.1, 1);
    expect(rendered.units - skipped.units).toBeCloseTo((2048 * 2048) / limits.pngPixelsPerUnit, 1);
    // variables that do not fit their types cost nothing here: execution refuses them first
    expect(await cost('query($n: Int) { explanations(first: $n) { totalCount } }', { n: 'many' })).toEqual({ units: 0, bytes: 0 });
  });

  it('finds fragment cycles (for the depth rule, which would recurse forever)', () => {
    expect(hasFragmentCycle(parse('{ a { ...A } } fragment A on T { ...B } fragment B on T { x ...A }'))).toBe(true);
    expect(hasFragmentCycle(parse('{ a { ...A } } fragment A on T { b { ...A } }'))).toBe(true);
    expect(hasFragmentCycle(parse('{ a { ...A ...B } } fragment A on T { ...B } fragment B on T { x }'))).toBe(false);
  });
});

describe('compute settings', () => {
  it('SALIENCY_PERTURBATION_BATCH: unset leaves each model its measured size (the engine\'s engineBatchSize), set overrides it', () => {
    expect(settingsFromEnv({}).compute.perturbationBatchSize).toBeUndefined();
    expect(settingsFromEnv({ SALIENCY_PERTURBATION_BATCH: '4' }).compute.perturbationBatchSize).toBe(4);
  });
});

describe('the client address', () => {
  const req = (socket: string, xff?: string) => ({ socket: { remoteAddress: socket }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

  it('is the socket\'s unless a proxy is trusted; X-Forwarded-For alone changes nothing', () => {
    const of = clientAddressOf(trustProxy(undefined));
    expect(of(req('::ffff:10.1.2.3', '1.2.3.4'))).toBe('10.1.2.3');
  });

  it('behind N proxies: the N-th address from the right', () => {
    const one = clientAddressOf(trustProxy('1'));
    expect(one(req('10.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
    // a client writing its own X-Forwarded-For only adds entries further left
    expect(one(req('10.0.0.1', 'spoofed, 203.0.113.7'))).toBe('203.0.113.7');
    const two = clientAddressOf(trustProxy('2'));
    expect(two(req('10.0.0.1', '198.51.100.1, 203.0.113.7'))).toBe('198.51.100.1');
    // fewer hops than proxies: the leftmost
    expect(two(req('10.0.0.1'))).toBe('10.0.0.1');
  });

  it('with a list of proxies: the first address from the right that is not one of them', () => {
    const of = clientAddressOf(trustProxy('10.0.0.0/8, 192.168.1.5'));
    expect(of(req('10.0.0.1', '198.51.100.1, 192.168.1.5'))).toBe('198.51.100.1');
    expect(of(req('10.9.9.9', 'spoofed, 198.51.100.2, 10.1.1.1'))).toBe('198.51.100.2');
    // a direct client (not a trusted proxy) cannot claim another address
    expect(of(req('203.0.113.9', '1.2.3.4'))).toBe('203.0.113.9');
  });

  it('settings: off, a hop count, or addresses and subnets; anything else stops the server', () => {
    expect(trustProxy('false')).toEqual({ kind: 'none' });
    expect(trustProxy('2')).toEqual({ kind: 'hops', hops: 2 });
    expect(trustProxy('10.0.0.0/8,::1')).toEqual({ kind: 'list', addresses: ['10.0.0.0/8', '::1'] });
    expect(() => trustProxy('yes-please')).toThrow(/SALIENCY_TRUST_PROXY/);
    expect(() => settingsFromEnv({ SALIENCY_TRUST_PROXY: '10.0.0.0/8/2' })).toThrow(/SALIENCY_TRUST_PROXY/);
  });
});

describe('CORS', () => {
  it('by default only pages served from this machine; * or a list opens it; none closes it', () => {
    const local = corsPolicy(settingsFromEnv({}).corsOrigins);
    for (const o of ['http://localhost:5173', 'http://127.0.0.1:8000', 'https://localhost', 'http://[::1]:3000']) expect(local(o)).toBe(o);
    for (const o of ['https://evil.example', 'http://localhost.evil.example', 'http://127.0.0.1.nip.io']) expect(local(o)).toBeNull();
    expect(corsPolicy(['*'])('https://anyone.example')).toBe('*');
    const listed = corsPolicy(['https://example.org', 'local']);
    expect(listed('https://example.org')).toBe('https://example.org');
    expect(listed('http://localhost:1')).toBe('http://localhost:1');
    expect(listed('https://example.com')).toBeNull();
    expect(corsPolicy(['none'])('http://localhost:1')).toBeNull();
  });
});

describe('HTTP status of a response', () => {
  it('failed as a whole: no data, or every root field null with an error at or under it', () => {
    expect(failedAsAWhole(null, [{ path: ['explain'] }])).toBe(true);
    expect(failedAsAWhole(undefined, [{}])).toBe(true);
    expect(failedAsAWhole({ explanation: null }, [{ path: ['explanation', 'heatmaps', 0, 'png'] }])).toBe(true);
    // another root field answered: partial success stays 200
    expect(failedAsAWhole({ explanation: null, image: { id: 'x' } }, [{ path: ['explanation'] }])).toBe(false);
    // a null without an error is an answer (an unknown id)
    expect(failedAsAWhole({ explanation: null, image: null }, [{ path: ['explanation'] }])).toBe(false);
  });
});

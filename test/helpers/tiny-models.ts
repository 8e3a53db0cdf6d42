// Tiny ONNX classifiers built in tests, and a finite-difference check of their head gradients.
// A tiny model maps x [N, C, H, W] → the ops under test → Flatten → Gemm → logits [N, classes];
// the batch is symbolic so that all the perturbed inputs of a finite-difference check run as one batch.
import { expect } from 'vitest';
import {
  DataType, encodeModel, makeFloatTensor, makeInt64Tensor, makeNode, makeValueInfo,
  type AttrValue, type ModelProto, type NodeProto, type TensorProto,
} from '../../packages/core/src/onnx/proto.js';
import { ModelAnalysis } from '../../packages/core/src/onnx/analysis.js';
import { buildForwardModel, buildHeadModels, GRADIENTS, SEEDS } from '../../packages/core/src/autodiff/compile.js';
import { ort, rng, randn } from './ort.js';

export class TinyBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private n = 0;
  readonly random: () => number;

  constructor(seed = 1) {
    this.random = rng(seed);
  }

  /** A float initializer, random normal × scale unless values are given. */
  weight(dims: number[], scale = 0.5, values?: ArrayLike<number>): string {
    const name = `w${this.n++}`;
    const count = dims.reduce((a, b) => a * b, 1);
    this.initializers.push(makeFloatTensor(name, dims, values ?? randn(count, this.random, scale)));
    return name;
  }

  /** A float scalar initializer. */
  scalar(v: number): string {
    return this.weight([], 0, [v]);
  }

  /** A float tensor made by a Constant node (not an initializer). */
  constant(dims: number[], values: ArrayLike<number>): string {
    const out = `c${this.n++}`;
    this.nodes.push(makeNode('Constant', [], [out], { value: makeFloatTensor('', dims, values) }, `constant_${this.n}`));
    return out;
  }

  ints(values: number[]): string {
    const name = `i${this.n++}`;
    this.initializers.push(makeInt64Tensor(name, [values.length], values));
    return name;
  }

  /** Adds a node named `<optype>_<k>`; returns its first output. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outputs = 1): string {
    return this.opAll(opType, inputs, attrs, outputs)[0];
  }

  opAll(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, () => `t${this.n++}`);
    this.nodes.push(makeNode(opType, inputs, outs, attrs, `${opType.toLowerCase()}_${this.n}`));
    return outs;
  }
}

export interface TinyModel {
  model: ModelProto;
  bytes: Uint8Array;
  /** [1, C, H, W] */
  inputShape: number[];
  classes: number;
}

/**
 * A model from explicit parts: graph input 'x' [N, ...input[1:]] (symbolic batch), the given nodes
 * and initializers, and one float output (dims unknown when `outputDims` is null).
 */
export function tinyModel(spec: {
  input: readonly number[];
  nodes: NodeProto[];
  initializers?: TensorProto[];
  output: string;
  outputDims?: (number | string)[] | null;
  /** Element type of the output (default FLOAT). */
  outputType?: number;
  opset?: number;
}): ModelProto {
  const { outputDims = null, outputType = DataType.FLOAT } = spec;
  const out = outputDims ? makeValueInfo(spec.output, outputType, outputDims) : { name: spec.output, type: { tensorType: { elemType: outputType } } };
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: 'tiny',
      node: spec.nodes,
      initializer: spec.initializers ?? [],
      input: [makeValueInfo('x', DataType.FLOAT, ['N', ...spec.input.slice(1)])],
      output: [out],
    },
  } as ModelProto;
}

export interface TinyOptions {
  classes?: number;
  opset?: number;
  seed?: number;
  /** Append a Softmax after the logits (the analysis must then find the logits before it). */
  softmax?: boolean;
  /** Classifier as MatMul without bias instead of Gemm (for opsets < 7, where ONNX Runtime has no Gemm). */
  matmulHead?: boolean;
}

/**
 * Build a classifier around `body` (which maps 'x' to a tensor of any rank ≥ 2). The size of the
 * flattened body output is found by running it once. `input` is [C, H, W] (no batch).
 */
export async function tinyClassifier(input: number[], body: (b: TinyBuilder, x: string) => string, opts: TinyOptions = {}): Promise<TinyModel> {
  const classes = opts.classes ?? 3;
  const opset = opts.opset ?? 17;
  const probe = new TinyBuilder(opts.seed ?? 1);
  const probeOut = body(probe, 'x');
  const s = await ort.InferenceSession.create(encodeModel(tinyModel({ input: [1, ...input], nodes: probe.nodes, initializers: probe.initializers, output: probeOut, opset })));
  const n = input.reduce((a, b) => a * b, 1);
  const res = await s.run({ x: new ort.Tensor('float32', new Float32Array(n), [1, ...input]) });
  const features = res[probeOut].dims.slice(1).reduce((a, b) => a * b, 1);
  await s.release();

  const b = new TinyBuilder(opts.seed ?? 1);
  const y = body(b, 'x');
  const flat = b.op('Flatten', [y], { axis: 1 });
  if (opts.matmulHead) {
    b.nodes.push(makeNode('MatMul', [flat, b.weight([features, classes], 1 / Math.sqrt(features))], ['logits'], {}, 'classifier'));
  } else {
    const W = b.weight([classes, features], 1 / Math.sqrt(features));
    const B = b.weight([classes], 0.1);
    b.nodes.push(makeNode('Gemm', [flat, W, B], ['logits'], { transB: 1 }, 'classifier'));
  }
  let output = 'logits';
  if (opts.softmax) {
    b.nodes.push(makeNode('Softmax', ['logits'], ['probs'], { axis: opset < 13 ? 1 : -1 }, 'softmax'));
    output = 'probs';
  }
  const model = tinyModel({ input: [1, ...input], nodes: b.nodes, initializers: b.initializers, output, outputDims: ['N', classes], opset });
  return { model, bytes: encodeModel(model), inputShape: [1, ...input], classes };
}

// ---------- inputs away from kinks ----------

/** Move every value within `margin` of a kink to kink ± margin (keeping its side). */
export function awayFrom(x: Float32Array, kinks: number[], margin: number): Float32Array {
  const out = Float32Array.from(x);
  for (let i = 0; i < out.length; i++) {
    for (const k of kinks) {
      const d = out[i] - k;
      if (Math.abs(d) < margin) out[i] = k + (d >= 0 ? margin : -margin);
    }
  }
  return out;
}

/** n distinct values, pairwise ≥ `spacing` apart, centred on 0, in random order. */
export function spaced(n: number, r: () => number, spacing = 0.05): Float32Array {
  const v = Array.from({ length: n }, (_, i) => (i - (n - 1) / 2) * spacing);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return Float32Array.from(v);
}

// ---------- head gradients ----------

/** A TinyModel around an explicit graph (x [1, ...input[1:]] → … → `output` [N, classes]). */
export function tinyFromBuilder(b: TinyBuilder, input: number[], output: string, classes: number, opset = 17): TinyModel {
  const model = tinyModel({ input, nodes: b.nodes, initializers: b.initializers, output, outputDims: ['N', classes], opset });
  return { model, bytes: encodeModel(model), inputShape: input, classes };
}

/** The head gradient d(seeds·logits)/dx at x (layer = the model input), [K, ...x dims]. */
export async function inputHeadGradient(tiny: TinyModel, x: Float32Array, seeds: Float32Array): Promise<Float32Array> {
  const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
  const head = buildHeadModels(analysis, 'x');
  const s = await ort.InferenceSession.create(encodeModel(head.gradient));
  const out = await s.run({ x: new ort.Tensor('float32', x, tiny.inputShape), [SEEDS]: new ort.Tensor('float32', seeds, [seeds.length / analysis.numClasses, analysis.numClasses]) });
  await s.release();
  return out[GRADIENTS].data as Float32Array;
}

// ---------- finite-difference check of a head gradient ----------

export interface FdOptions {
  /** Target layer (default the model input 'x'); side inputs are computed by the forward model. */
  layer?: string;
  /** Model input value (default random normal). */
  x?: Float32Array;
  /** Step, absolute (default 1e-2 · rms of the layer value). */
  h?: number;
  /** Seed rows (default 2, random normal). */
  K?: number;
  /** Explicit seeds [K, classes] (K is then seeds.length / classes). */
  seeds?: Float32Array;
  seed?: number;
  /** At most this many positions (default all of them up to 300, else a random sample). */
  positions?: number;
  /**
   * 'forbid' (default): the inputs were built away from kinks, every position must match.
   * 'skip': positions whose one-sided slopes differ (a kink within ±h) are skipped.
   */
  kinks?: 'forbid' | 'skip';
  /** Relative tolerance on the gradient entry (default 2e-3). */
  rtol?: number;
}

export interface FdReport {
  checked: number;
  skipped: number;
  /** Worst |fd − g| / tolerance over the checked positions (≤ 1 passes). */
  worst: number;
  /** Same along random directions (one per seed row), <g, v> vs the directional difference. */
  worstDirectional: number;
  gmax: number;
  grads: Float32Array;
  layerValue: Float32Array;
  failures: string[];
}

const U32 = 2 ** -24; // float32 unit roundoff

/**
 * Compare the head gradient d(seeds·logits)/d(layer) with central differences of seeds·logits:
 * per position (x ± h·e_i) and along one random direction per seed row. Float32 logits carry a
 * rounding of a few ulp of their magnitude, so a difference quotient is trusted to
 * ~8u·Σ_c|s_c|(|L_c|+1)/h; a gradient entry (itself float32) to 1e-5 of the largest one.
 */
export async function checkHeadGradient(tiny: TinyModel, opts: FdOptions = {}): Promise<FdReport> {
  const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
  const layer = opts.layer ?? 'x';
  const head = buildHeadModels(analysis, layer);
  const r = rng(opts.seed ?? 11);
  const nx = tiny.inputShape.reduce((a, b) => a * b, 1);
  const x = opts.x ?? randn(nx, r, 1);
  expect(x.length).toBe(nx);
  // the layer value and side inputs, from the (compiled) forward model
  const fwd = await ort.InferenceSession.create(encodeModel(buildForwardModel(analysis, [layer, ...head.sideInputs])));
  const fo = await fwd.run({ x: new ort.Tensor('float32', x, tiny.inputShape) });
  await fwd.release();
  // the compiled (normalised) forward model computes what the original model computes
  if (analysis.logits === analysis.output) {
    const orig = await ort.InferenceSession.create(tiny.bytes);
    const oo = (await orig.run({ x: new ort.Tensor('float32', x, tiny.inputShape) }))[analysis.output].data as Float32Array;
    await orig.release();
    const fl = fo[analysis.logits].data as Float32Array;
    for (let c = 0; c < oo.length; c++) expect(Math.abs(fl[c] - oo[c])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(oo[c])));
  }
  const A = fo[layer];
  const layerValue = A.data as Float32Array;
  const side: Record<string, ort.Tensor> = {};
  for (const t of head.sideInputs) side[t] = fo[t];
  const n = layerValue.length;
  const C = analysis.numClasses;
  const K = opts.seeds ? opts.seeds.length / C : (opts.K ?? 2);
  const seeds = opts.seeds ?? randn(K * C, r, 1);
  const gs = await ort.InferenceSession.create(encodeModel(head.gradient));
  const go = await gs.run({ [layer]: A, ...side, [SEEDS]: new ort.Tensor('float32', seeds, [K, C]) });
  await gs.release();
  const grads = go[GRADIENTS].data as Float32Array;
  expect(go[GRADIENTS].dims).toEqual([K, ...A.dims.slice(1)]);
  // the head's logits are the model's logits
  const headLogits = go[gs.outputNames.find((o) => o !== GRADIENTS)!].data as Float32Array;
  const modelLogits = fo[analysis.logits].data as Float32Array;
  for (let c = 0; c < C; c++) expect(Math.abs(headLogits[c] - modelLogits[c])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(modelLogits[c])));

  let ss = 0;
  for (const v of layerValue) ss += v * v;
  const h = opts.h ?? 1e-2 * Math.max(Math.sqrt(ss / n), 1e-2);
  const all = Array.from({ length: n }, (_, i) => i);
  const maxPos = opts.positions ?? 300;
  let pos = all;
  if (n > maxPos) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    pos = all.slice(0, maxPos).sort((a, b) => a - b);
  }
  // random directions with entries in [-1, 1]
  const dirs = Array.from({ length: K }, () => Float32Array.from({ length: n }, () => 2 * r() - 1));
  // rows: center, then (+h, −h) per position, then (+h, −h) per direction
  const rows = 1 + 2 * pos.length + 2 * K;
  const batch = new Float32Array(rows * n);
  for (let j = 0; j < rows; j++) batch.set(layerValue, j * n);
  pos.forEach((i, j) => {
    batch[(1 + 2 * j) * n + i] += h;
    batch[(2 + 2 * j) * n + i] -= h;
  });
  dirs.forEach((v, k) => {
    const up = (1 + 2 * pos.length + 2 * k) * n;
    for (let i = 0; i < n; i++) {
      batch[up + i] += h * v[i];
      batch[up + n + i] -= h * v[i];
    }
  });
  const hs = await ort.InferenceSession.create(encodeModel(head.forward));
  const ho = await hs.run({ [layer]: new ort.Tensor('float32', batch, [rows, ...A.dims.slice(1)]), ...side });
  await hs.release();
  const L = ho[hs.outputNames[0]].data as Float32Array;
  for (let c = 0; c < C; c++) expect(Math.abs(L[c] - modelLogits[c])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(modelLogits[c])));
  const f = (row: number, k: number) => {
    let s = 0;
    for (let c = 0; c < C; c++) s += seeds[k * C + c] * L[row * C + c];
    return s;
  };
  const noise = (k: number, ...rowsUsed: number[]) => {
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.abs(seeds[k * C + c]) * (Math.max(...rowsUsed.map((q) => Math.abs(L[q * C + c]))) + 1);
    return (8 * U32 * s) / h;
  };
  const rtol = opts.rtol ?? 2e-3;
  let gmax = 0;
  for (const v of grads) gmax = Math.max(gmax, Math.abs(v));
  const report: FdReport = { checked: 0, skipped: 0, worst: 0, worstDirectional: 0, gmax, grads, layerValue, failures: [] };
  for (let k = 0; k < K; k++) {
    pos.forEach((i, j) => {
      const [up, down] = [1 + 2 * j, 2 + 2 * j];
      const f0 = f(0, k);
      const fwdSlope = (f(up, k) - f0) / h;
      const bwdSlope = (f0 - f(down, k)) / h;
      const fd = (f(up, k) - f(down, k)) / (2 * h);
      const g = grads[k * n + i];
      const atol = noise(k, 0, up, down) + 1e-5 * gmax;
      const kink = Math.abs(fwdSlope - bwdSlope) > 4 * atol + 0.05 * Math.abs(fd);
      if (kink && opts.kinks === 'skip') {
        report.skipped++;
        return;
      }
      const err = Math.abs(fd - g) / (atol + rtol * Math.abs(g));
      if (err > 1) report.failures.push(`k=${k} i=${i}: gradient ${g}, central difference ${fd} (slopes ${fwdSlope} / ${bwdSlope}, tol ${atol + rtol * Math.abs(g)})`);
      report.worst = Math.max(report.worst, err);
      report.checked++;
    });
    const up = 1 + 2 * pos.length + 2 * k;
    const fd = (f(up, k) - f(up + 1, k)) / (2 * h);
    let an = 0;
    let mag = 0;
    for (let i = 0; i < n; i++) {
      an += grads[k * n + i] * dirs[k][i];
      mag += Math.abs(grads[k * n + i] * dirs[k][i]);
    }
    const err = Math.abs(fd - an) / (noise(k, 0, up, up + 1) + rtol * mag + 1e-5 * gmax * Math.sqrt(n));
    if (err > 1 && opts.kinks !== 'skip') report.failures.push(`k=${k} direction: <g, v> = ${an}, central difference ${fd}`);
    if (opts.kinks !== 'skip') report.worstDirectional = Math.max(report.worstDirectional, err);
  }
  return report;
}

/** checkHeadGradient, then: every checked position (and direction) within tolerance, a non-zero gradient. */
export async function expectGradientMatches(tiny: TinyModel, opts: FdOptions = {}): Promise<FdReport> {
  const rep = await checkHeadGradient(tiny, opts);
  if (process.env.DEBUG_FD) console.log(`worst ${rep.worst.toFixed(3)} directional ${rep.worstDirectional.toFixed(3)} checked ${rep.checked} skipped ${rep.skipped} gmax ${rep.gmax}`);
  expect(rep.failures.slice(0, 5)).toEqual([]);
  expect(rep.gmax).toBeGreaterThan(0);
  if (opts.kinks === 'skip') expect(rep.checked).toBeGreaterThanOrEqual(0.7 * (rep.checked + rep.skipped));
  return rep;
}

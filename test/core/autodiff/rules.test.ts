// Every backward rule against central finite differences, on tiny models built here: the input
// gradient d(seed·logits)/dx of each model is compared entry by entry with (f(x+h) − f(x−h))/2h.
import { describe, it, expect } from 'vitest';
import { ModelAnalysis } from '../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels, buildInputGradientModel, GRADIENTS, SEEDS } from '../../../packages/core/src/autodiff/compile.js';
import { UnsupportedOpError } from '../../../packages/core/src/autodiff/types.js';
import { encodeModel } from '../../../packages/core/src/onnx/proto.js';
import { tinyClassifier, type TinyBuilder, type TinyModel } from '../../helpers/tiny-models.js';
import { ort, randn, rng } from '../../helpers/ort.js';

const K = 2;

interface Check {
  checked: number;
  skipped: number;
  worst: number;
}

/** Our gradient vs central differences at every input entry (kinks within ±h are skipped). */
async function checkGradient(tiny: TinyModel, opts: { h?: number; x?: Float32Array; seed?: number } = {}): Promise<Check> {
  const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', output: 'logits', inputShape: tiny.inputShape });
  const gradModel = await ort.InferenceSession.create(encodeModel(buildInputGradientModel(analysis)));
  const plain = await ort.InferenceSession.create(tiny.bytes);
  const n = tiny.inputShape.reduce((a, b) => a * b, 1);
  const r = rng(opts.seed ?? 11);
  const x = opts.x ?? randn(n, r, 1);
  const seeds = randn(K * tiny.classes, r, 1);
  const g = (await gradModel.run({
    x: new ort.Tensor('float32', x, tiny.inputShape),
    [SEEDS]: new ort.Tensor('float32', seeds, [K, tiny.classes]),
  }))[GRADIENTS].data as Float32Array;
  expect(g.length).toBe(K * n);
  const h = opts.h ?? 1e-2;
  // 3 points per entry (−h, 0, +h) in one batch
  const batch = new Float32Array(3 * n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) {
      const row = batch.subarray((3 * i + j) * n, (3 * i + j + 1) * n);
      row.set(x);
      row[i] += (j - 1) * h;
    }
  }
  const logits = (await plain.run({ x: new ort.Tensor('float32', batch, [3 * n, ...tiny.inputShape.slice(1)]) })).logits.data as Float32Array;
  const C = tiny.classes;
  // float64 sums of float32 logits
  const f = (row: number, k: number) => { let s = 0; for (let c = 0; c < C; c++) s += seeds[k * C + c] * logits[row * C + c]; return s; };
  let gmax = 0;
  for (const v of g) gmax = Math.max(gmax, Math.abs(v));
  const res: Check = { checked: 0, skipped: 0, worst: 0 };
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < n; i++) {
      const [lo, mid, hi] = [f(3 * i, k), f(3 * i + 1, k), f(3 * i + 2, k)];
      const fwd = (hi - mid) / h;
      const bwd = (mid - lo) / h;
      // float32 logits of magnitude ~1 carry ~1e-7 rounding: ~1e-7/h in a difference quotient
      const noise = 1e-4 * gmax + 2e-6 * (1 + Math.abs(mid)) / h;
      if (Math.abs(fwd - bwd) > 5 * noise + 1e-2 * Math.abs(fwd + bwd)) {
        res.skipped++; // a kink (ReLU, max, clip) between x − h and x + h
        continue;
      }
      const fd = (hi - lo) / (2 * h);
      const err = Math.abs(fd - g[k * n + i]) / (noise + 2e-3 * Math.abs(fd));
      if (process.env.DEBUG_FD && err > 1) console.log({ k, i, fd, g: g[k * n + i], fwd, bwd, noise });
      res.worst = Math.max(res.worst, err);
      res.checked++;
    }
  }
  await gradModel.release();
  await plain.release();
  return res;
}

async function expectMatches(tiny: TinyModel, opts?: Parameters<typeof checkGradient>[1]): Promise<void> {
  const r = await checkGradient(tiny, opts);
  expect(r.worst, `worst error ${r.worst.toFixed(2)} of tolerance`).toBeLessThanOrEqual(1);
  expect(r.checked).toBeGreaterThan(0.8 * (r.checked + r.skipped));
}

type Body = (b: TinyBuilder, x: string) => string;
const cases: [string, number[], Body, { opset?: number; h?: number }?][] = [
  // convolutions
  ['Conv 3×3', [2, 5, 5], (b, x) => b.op('Conv', [x, b.weight([3, 2, 3, 3]), b.weight([3])], { kernel_shape: [3, 3] })],
  ['Conv strided, asymmetric pads, no bias', [2, 6, 7], (b, x) => b.op('Conv', [x, b.weight([3, 2, 3, 2])], { strides: [2, 2], pads: [1, 0, 0, 1] })],
  ['Conv dilated', [1, 7, 7], (b, x) => b.op('Conv', [x, b.weight([2, 1, 3, 3])], { dilations: [2, 2], pads: [1, 1, 1, 1] })],
  ['Conv grouped', [4, 5, 5], (b, x) => b.op('Conv', [x, b.weight([6, 2, 3, 3]), b.weight([6])], { group: 2, pads: [1, 1, 1, 1] })],
  ['Conv depthwise stride 2', [3, 6, 6], (b, x) => b.op('Conv', [x, b.weight([3, 1, 3, 3])], { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] })],
  ['Conv auto_pad SAME_UPPER', [2, 5, 5], (b, x) => b.op('Conv', [x, b.weight([2, 2, 2, 2])], { auto_pad: 'SAME_UPPER', strides: [2, 2] })],
  ['Conv 1×1', [3, 4, 4], (b, x) => b.op('Conv', [x, b.weight([2, 3, 1, 1]), b.weight([2])])],
  // activations
  ['Relu', [2, 4, 4], (b, x) => b.op('Relu', [x])],
  ['Clip (min/max inputs)', [2, 4, 4], (b, x) => b.op('Clip', [x, b.weight([], 0, [-0.5]), b.weight([], 0, [0.7])])],
  ['Clip min only', [2, 4, 4], (b, x) => b.op('Clip', [x, b.weight([], 0, [0])])],
  ['LeakyRelu', [2, 4, 4], (b, x) => b.op('LeakyRelu', [x], { alpha: { float: 0.1 } })],
  ['Sigmoid', [2, 4, 4], (b, x) => b.op('Sigmoid', [x])],
  ['Tanh', [2, 4, 4], (b, x) => b.op('Tanh', [x])],
  ['HardSigmoid', [2, 4, 4], (b, x) => b.op('HardSigmoid', [x], { alpha: { float: 0.25 }, beta: { float: 0.5 } })],
  ['HardSwish', [2, 4, 4], (b, x) => b.op('HardSwish', [x])],
  // arithmetic with broadcasting
  ['Mul by per-channel weight', [3, 4, 4], (b, x) => b.op('Mul', [x, b.weight([3, 1, 1])])],
  ['Mul of two variables (x·x)', [2, 3, 3], (b, x) => b.op('Mul', [x, x])],
  ['Add scalar and Sub from a weight', [2, 3, 3], (b, x) => b.op('Sub', [b.weight([1, 3]), b.op('Add', [x, b.weight([], 0, [0.3])])])],
  ['Div by weight and of weight by variable', [2, 3, 3], (b, x) => b.op('Div', [b.op('Div', [x, b.weight([2, 1, 1], 0, [2, -4])]), b.op('Add', [b.op('Sigmoid', [x]), b.weight([], 0, [1])])])],
  ['Add broadcast of a pooled variable (SE block)', [4, 3, 3], (b, x) => b.op('Mul', [x, b.op('Sigmoid', [b.op('GlobalAveragePool', [x])])])],
  ['Sum of three', [2, 3, 3], (b, x) => b.op('Sum', [x, b.op('Tanh', [x]), b.weight([2, 1, 1])])],
  ['BatchNormalization', [3, 4, 4], (b, x) => b.op('BatchNormalization', [x, b.weight([3]), b.weight([3]), b.weight([3]), b.weight([3], 0, [0.5, 1, 2])])],
  // pools
  ['MaxPool 2×2 s2', [2, 6, 6], (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] })],
  ['MaxPool 3×3 s2 overlapping, pads', [2, 7, 7], (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })],
  ['MaxPool ceil_mode', [2, 6, 6], (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })],
  ['AveragePool count_include_pad 0', [2, 5, 5], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })],
  ['AveragePool count_include_pad 1', [2, 5, 5], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 })],
  ['AveragePool ceil_mode', [2, 6, 6], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })],
  ['GlobalAveragePool', [3, 4, 5], (b, x) => b.op('GlobalAveragePool', [b.op('Mul', [x, x])])],
  ['GlobalMaxPool', [3, 4, 4], (b, x) => b.op('GlobalMaxPool', [x])],
  // shape ops
  ['Reshape', [2, 4, 4], (b, x) => b.op('Tanh', [b.op('Reshape', [x, b.ints([0, 4, 2, 4])])])],
  ['Squeeze / Unsqueeze', [1, 4, 4], (b, x) => b.op('Unsqueeze', [b.op('Tanh', [b.op('Squeeze', [x, b.ints([1])])]), b.ints([1])])],
  ['Transpose', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Transpose', [x], { perm: [0, 3, 1, 2] }), b.weight([4, 1, 1])])],
  ['Concat of three incl. the same tensor twice', [2, 3, 3], (b, x) => b.op('Concat', [x, b.op('Tanh', [x]), x], { axis: 1 })],
  ['Pad constant', [2, 3, 3], (b, x) => b.op('Mul', [b.op('Pad', [x, b.ints([0, 0, 1, 2, 0, 0, 2, 1])]), b.weight([2, 6, 6])])],
  ['Flatten + MatMul + Gemm transB 0, alpha/beta', [2, 3, 3], (b, x) => {
    const f = b.op('Flatten', [x], { axis: 1 });
    const m = b.op('MatMul', [f, b.weight([18, 7])]);
    return b.op('Gemm', [m, b.weight([7, 5]), b.weight([5])], { alpha: { float: 0.7 }, beta: { float: 2 } });
  }],
  ['Dropout and Identity', [2, 3, 3], (b, x) => b.op('Identity', [b.op('Dropout', [b.op('Tanh', [x])])])],
  ['Softmax and LogSoftmax over channels', [3, 2, 2], (b, x) => b.op('Add', [b.op('Softmax', [x], { axis: 1 }), b.op('LogSoftmax', [x], { axis: 1 })])],
  // old opsets, rewritten to opset 17 before differentiation
  ['opset 11: Clip attrs become inputs via normalisation', [2, 3, 3], (b, x) => b.op('Squeeze', [b.op('Unsqueeze', [b.op('Clip', [x, b.weight([], 0, [-0.3]), b.weight([], 0, [0.4])]), ], { axes: [0] })], { axes: [0] }), { opset: 11 }],
  ['opset 9: Clip with attributes', [2, 3, 3], (b, x) => b.op('Clip', [x], { min: { float: -0.4 }, max: { float: 0.6 } }), { opset: 9 }],
  ['opset 11: Pad with pads input, Softmax on 2-D', [2, 3, 3], (b, x) => b.op('Softmax', [b.op('Flatten', [b.op('Pad', [x, b.ints([0, 0, 1, 1, 0, 0, 1, 1])])], { axis: 1 })], { axis: 1 }), { opset: 11 }],
  ['opset 7: Dropout with ratio attr, Softmax of 4-D (coerced to 2-D)', [2, 2, 2], (b, x) => b.op('Softmax', [b.op('Dropout', [x], { ratio: { float: 0.5 } })], { axis: 1 }), { opset: 7 }],
];

describe('backward rules vs central differences (tiny models)', () => {
  for (const [name, input, body, opts] of cases) {
    it(name, async () => {
      const tiny = await tinyClassifier(input, body, { opset: opts?.opset });
      await expectMatches(tiny, { h: opts?.h });
    });
  }

  it('MaxPool sends the gradient of a tie to the first maximum, as ONNX Runtime picks it', async () => {
    const tiny = await tinyClassifier([1, 2, 2], (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2] }), { classes: 1 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', output: 'logits', inputShape: tiny.inputShape });
    const s = await ort.InferenceSession.create(encodeModel(buildInputGradientModel(analysis)));
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 3, 3, 2]), [1, 1, 2, 2]), [SEEDS]: new ort.Tensor('float32', Float32Array.of(1), [1, 1]) });
    const g = Array.from(out[GRADIENTS].data as Float32Array);
    expect(g[0]).toBe(0);
    expect(g[2]).toBe(0);
    expect(g[3]).toBe(0);
    expect(g[1]).not.toBe(0); // the first of the two 3s in scan order
  });

  it('ReLU and Clip give 0 at their boundaries, as PyTorch does', async () => {
    const tiny = await tinyClassifier([1, 1, 4], (b, x) => b.op('Add', [b.op('Relu', [x]), b.op('Clip', [x, b.weight([], 0, [-1]), b.weight([], 0, [1])])]), { classes: 1 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', output: 'logits', inputShape: tiny.inputShape });
    const s = await ort.InferenceSession.create(encodeModel(buildInputGradientModel(analysis)));
    const W = tiny.model.graph!.initializer!.find((t) => t.dims!.length === 2)!;
    const w = new Float32Array(new Uint8Array(W.rawData!).slice().buffer);
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([0, 1, -1, 0.5]), [1, 1, 1, 4]), [SEEDS]: new ort.Tensor('float32', Float32Array.of(1), [1, 1]) });
    const g = Array.from(out[GRADIENTS].data as Float32Array);
    // x = 0: relu' = 0, clip' = 1; x = 1: relu' = 1, clip' = 0 (at the bound); x = −1: both 0; x = .5: both 1
    expect(g[0]).toBeCloseTo(w[0], 6);
    expect(g[1]).toBeCloseTo(w[1], 6);
    expect(g[2]).toBe(0);
    expect(g[3]).toBeCloseTo(2 * w[3], 6);
  });

  it('a head gradient from an inner layer with a side input (skip connection) matches differences too', async () => {
    // x → conv a → relu r;  out = conv(r) + a  (a is needed by the head but also before r)
    const tiny = await tinyClassifier([2, 5, 5], (b, x) => {
      const a = b.op('Conv', [x, b.weight([3, 2, 3, 3])], { pads: [1, 1, 1, 1] });
      const r = b.op('Relu', [a]);
      return b.op('Add', [b.op('Conv', [r, b.weight([3, 3, 3, 3])], { pads: [1, 1, 1, 1] }), a]);
    });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', output: 'logits', inputShape: tiny.inputShape });
    const layer = tiny.model.graph!.node![1].output![0]; // r
    const head = buildHeadModels(analysis, layer);
    expect(head.sideInputs.length).toBe(1);
    const gs = await ort.InferenceSession.create(encodeModel(head.gradient));
    const hs = await ort.InferenceSession.create(encodeModel(head.forward));
    const r = rng(5);
    const A = randn(3 * 25, r, 1);
    const side = randn(3 * 25, r, 1);
    const seeds = randn(K * 3, r, 1);
    const g = (await gs.run({ [layer]: new ort.Tensor('float32', A, [1, 3, 5, 5]), [head.sideInputs[0]]: new ort.Tensor('float32', side, [1, 3, 5, 5]), [SEEDS]: new ort.Tensor('float32', seeds, [K, 3]) }))[GRADIENTS].data as Float32Array;
    const h = 1e-2;
    const n = A.length;
    const batch = new Float32Array(2 * n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) {
      const row = batch.subarray((2 * i + j) * n, (2 * i + j + 1) * n);
      row.set(A);
      row[i] += j ? h : -h;
    }
    const out = await hs.run({ [layer]: new ort.Tensor('float32', batch, [2 * n, 3, 5, 5]), [head.sideInputs[0]]: new ort.Tensor('float32', side, [1, 3, 5, 5]) }); // side tensors broadcast over the batch
    const logits = out[hs.outputNames[0]].data as Float32Array;
    for (let k = 0; k < K; k++) for (let i = 0; i < n; i++) {
      let fd = 0;
      for (let c = 0; c < 3; c++) fd += seeds[k * 3 + c] * (logits[(2 * i + 1) * 3 + c] - logits[2 * i * 3 + c]);
      fd /= 2 * h;
      expect(Math.abs(fd - g[k * n + i])).toBeLessThan(2e-3 + 1e-2 * Math.abs(fd));
    }
  });

  it('K seed rows give the K single-seed gradients stacked', async () => {
    const tiny = await tinyClassifier([2, 4, 4], (b, x) => b.op('Relu', [b.op('Conv', [x, b.weight([3, 2, 3, 3])], { pads: [1, 1, 1, 1] })]), { classes: 4 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', output: 'logits', inputShape: tiny.inputShape });
    const s = await ort.InferenceSession.create(encodeModel(buildInputGradientModel(analysis)));
    const x = randn(32, rng(3), 1);
    const seeds = randn(3 * 4, rng(4), 1);
    const run = async (sd: Float32Array, k: number) => (await s.run({ x: new ort.Tensor('float32', x, [1, 2, 4, 4]), [SEEDS]: new ort.Tensor('float32', sd, [k, 4]) }))[GRADIENTS].data as Float32Array;
    const all = await run(seeds, 3);
    for (let k = 0; k < 3; k++) {
      const one = await run(seeds.slice(k * 4, k * 4 + 4), 1);
      one.forEach((v, i) => expect(Math.abs(v - all[k * 32 + i])).toBeLessThan(1e-6));
    }
  });

  it('an op without a rule fails with an error naming the op and the node', async () => {
    const tiny = await tinyClassifier([2, 3, 3], (b, x) => b.op('Erf', [x]));
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', output: 'logits', inputShape: tiny.inputShape });
    expect(() => buildInputGradientModel(analysis)).toThrow(UnsupportedOpError);
    expect(() => buildInputGradientModel(analysis)).toThrow(/Erf.*erf_|erf_.*Erf/);
  });
});

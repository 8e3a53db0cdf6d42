// Backward rules added for object detectors (YOLOX and other YOLO exports) vs central differences on
// tiny ONNX models: Slice (steps 1, 2, −1, several axes, YOLOX's Focus stem), Split, Resize (nearest
// with every rounding and coordinate mode, linear up and down), Exp, and the patterns YOLOX builds
// from existing rules (SiLU = x·sigmoid(x) with both factors on the path, SPP's stride-1 MaxPools).
import { describe, it, expect } from 'vitest';
import { expectGradientMatches, inputHeadGradient, tinyClassifier, type TinyBuilder } from '../../../helpers/tiny-models.js';
import { randn, rng } from '../../../helpers/ort.js';
import { ModelAnalysis } from '../../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels } from '../../../../packages/core/src/autodiff/compile.js';
import { UnsupportedOpError } from '../../../../packages/core/src/autodiff/types.js';
import { resizeMatrix } from '../../../../packages/core/src/autodiff/rules/resize.js';

type Body = (b: TinyBuilder, x: string) => string;
const tanh = (b: TinyBuilder, t: string) => b.op('Tanh', [t]);
/** Exporters write INT64_MAX as 'to the end'; any end past the axis means the same. */
const END = 2 ** 40;

/** Slice with constant starts/ends/axes/steps inputs. */
const slice = (b: TinyBuilder, x: string, starts: number[], ends: number[], axes: number[], steps?: number[]) =>
  b.op('Slice', [x, b.ints(starts), b.ints(ends), b.ints(axes), ...(steps ? [b.ints(steps)] : [])]);

/** Resize of x by constant scales [1, 1, sh, sw] (or to constant sizes), with attributes. */
const resize = (b: TinyBuilder, x: string, attrs: Record<string, string>, scales?: number[], sizes?: number[]) => {
  return b.op('Resize', [x, '', scales ? b.weight([4], 0, scales) : '', ...(sizes ? [b.ints(sizes)] : [])], attrs);
};

const sliceCases: [string, number[], Body][] = [
  ['Slice step 1 on the width (middle part)', [2, 4, 5], (b, x) => tanh(b, slice(b, x, [1], [4], [3]))],
  ['Slice step 1, negative start and end to INT64_MAX (axes −1)', [2, 4, 5], (b, x) => tanh(b, slice(b, x, [-3], [END], [-1]))],
  ['Slice step 2 on height and width (YOLOX Focus: every second pixel from 0 and from 1)', [2, 4, 6], (b, x) => {
    const tl = slice(b, slice(b, x, [0], [END], [2], [2]), [0], [END], [3], [2]);
    const br = slice(b, slice(b, x, [1], [END], [2], [2]), [1], [END], [3], [2]);
    const bl = slice(b, slice(b, x, [1], [END], [2], [2]), [0], [END], [3], [2]);
    return tanh(b, b.op('Concat', [tl, bl, br], { axis: 1 }));
  }],
  ['Slice step 3 from 1 on two axes in one node', [2, 7, 5], (b, x) => tanh(b, slice(b, x, [1, 0], [7, 5], [2, 3], [3, 2]))],
  ['Slice step −1 (reversal) on the width', [2, 3, 5], (b, x) => b.op('Mul', [slice(b, x, [-1], [-END], [3], [-1]), b.weight([2, 3, 5])])],
  ['Slice step −2 from 4 on the height, channels 1..2', [3, 6, 3], (b, x) => tanh(b, slice(b, x, [4, 1], [0, 3], [2, 1], [-2, 1]))],
  ['Slice of channels (step 1) read twice', [4, 3, 3], (b, x) => { const s = slice(b, x, [1], [3], [1]); return b.op('Mul', [s, tanh(b, s)]); }],
];

const splitCases: [string, number[], Body][] = [
  ['Split on channels, sizes input', [5, 3, 3], (b, x) => {
    const [p, q] = b.opAll('Split', [x, b.ints([2, 3])], { axis: 1 }, 2);
    return b.op('Concat', [tanh(b, q), b.op('Mul', [p, b.weight([2, 1, 1])])], { axis: 1 });
  }],
  ['Split equal thirds on the width, the middle part unused', [2, 3, 6], (b, x) => {
    const [p, , r] = b.opAll('Split', [x], { axis: -1 }, 3);
    return b.op('Add', [tanh(b, p), b.op('Mul', [r, b.weight([2, 3, 2])])]);
  }],
];

const nearest = (transform: string, rounding: string) => ({ mode: 'nearest', coordinate_transformation_mode: transform, nearest_mode: rounding });
const resizeCases: [string, number[], Body][] = [
  ['Resize nearest ×2, asymmetric, floor (YOLOX / PyTorch upsample)', [2, 3, 4], (b, x) => tanh(b, resize(b, x, nearest('asymmetric', 'floor'), [1, 1, 2, 2]))],
  ['Resize nearest ×1.5 half_pixel round_prefer_floor', [2, 4, 4], (b, x) => tanh(b, resize(b, x, nearest('half_pixel', 'round_prefer_floor'), [1, 1, 1.5, 1.5]))],
  ['Resize nearest ×(2.5, 1.75) align_corners round_prefer_ceil', [2, 3, 4], (b, x) => tanh(b, resize(b, x, nearest('align_corners', 'round_prefer_ceil'), [1, 1, 2.5, 1.75]))],
  ['Resize nearest ×0.5 (downscale) tf_half_pixel_for_nn ceil', [2, 6, 6], (b, x) => tanh(b, resize(b, x, nearest('tf_half_pixel_for_nn', 'ceil'), [1, 1, 0.5, 0.5]))],
  ['Resize nearest ×3 pytorch_half_pixel floor', [1, 3, 2], (b, x) => tanh(b, resize(b, x, nearest('pytorch_half_pixel', 'floor'), [1, 1, 3, 3]))],
  ['Resize linear ×2 half_pixel', [2, 3, 4], (b, x) => tanh(b, resize(b, x, { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, [1, 1, 2, 2]))],
  ['Resize linear ×(7/4, 3/5) align_corners', [2, 4, 5], (b, x) => tanh(b, resize(b, x, { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, [1, 1, 7 / 4, 3 / 5]))],
  ['Resize linear ×0.6 asymmetric (downscale)', [2, 5, 5], (b, x) => tanh(b, resize(b, x, { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }, [1, 1, 0.6, 0.6]))],
  ['Resize linear ×1.7 pytorch_half_pixel', [1, 3, 4], (b, x) => tanh(b, resize(b, x, { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, [1, 1, 1.7, 1.7]))],
  ['Resize with an empty roi constant (YOLOX\'s export)', [2, 3, 3], (b, x) => tanh(b, b.op('Resize', [x, b.weight([0], 0, []), b.weight([4], 0, [1, 1, 2, 2])],
    nearest('asymmetric', 'floor')))],
];

const otherCases: [string, number[], Body][] = [
  ['Exp', [2, 3, 3], (b, x) => b.op('Exp', [b.op('Mul', [x, b.scalar(0.5)])])],
  ['SiLU x·sigmoid(x) (both factors on the path)', [2, 3, 3], (b, x) => { const c = b.op('Conv', [x, b.weight([3, 2, 1, 1])]); return b.op('Mul', [c, b.op('Sigmoid', [c])]); }],
  ['YOLOX neck: SiLU, nearest ×2 upsample, concat with the finer map', [2, 6, 6], (b, x) => {
    const c = b.op('Conv', [x, b.weight([2, 2, 3, 3])], { pads: [1, 1, 1, 1], strides: [2, 2] });
    const s = b.op('Mul', [c, b.op('Sigmoid', [c])]);
    const up = resize(b, s, nearest('asymmetric', 'floor'), [1, 1, 2, 2]);
    return tanh(b, b.op('Concat', [up, x], { axis: 1 }));
  }],
];

describe('detector op rules vs central differences', () => {
  for (const [name, input, body] of [...sliceCases, ...splitCases, ...resizeCases, ...otherCases]) {
    it(name, async () => {
      const tiny = await tinyClassifier(input, body, { seed: 5 });
      await expectGradientMatches(tiny, { h: 1e-2 });
    });
  }

  it('YOLOX SPP: stride-1 MaxPools 5, 9, 13 (pads 2, 4, 6) concatenated with their input', async () => {
    const tiny = await tinyClassifier([2, 7, 7], (b, x) => {
      const p = (k: number) => b.op('MaxPool', [x], { kernel_shape: [k, k], pads: [k >> 1, k >> 1, k >> 1, k >> 1], strides: [1, 1] });
      return b.op('Mul', [b.op('Concat', [x, p(5), p(9), p(13)], { axis: 1 }), b.weight([8, 1, 1])]);
    }, { seed: 5 });
    await expectGradientMatches(tiny, { h: 1e-3, kinks: 'skip' });
  });
});

describe('Resize to constant sizes', () => {
  // a sizes input fixes the batch too, so the batched finite differences cannot run it; under
  // align_corners the sampling depends on the lengths only, so the sizes form must give exactly the
  // gradient of the scales form checked above
  for (const mode of ['nearest', 'linear']) {
    it(`${mode}: sizes [1, 2, 7, 3] and scales [1, 1, 7/4, 3/5] give the same head gradient`, async () => {
      const attrs = { mode, coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' };
      const x = randn(40, rng(3), 1);
      const seeds = randn(6, rng(4), 1);
      const bySizes = await inputHeadGradient(await tinyClassifier([2, 4, 5], (b, t) => tanh(b, resize(b, t, attrs, undefined, [1, 2, 7, 3])), { seed: 5 }), x, seeds);
      const byScales = await inputHeadGradient(await tinyClassifier([2, 4, 5], (b, t) => tanh(b, resize(b, t, attrs, [1, 1, 7 / 4, 3 / 5])), { seed: 5 }), x, seeds);
      expect(Array.from(bySizes)).toEqual(Array.from(byScales));
      expect(Math.max(...Array.from(bySizes, Math.abs))).toBeGreaterThan(0);
    });
  }
});

describe('Resize sampling matrices', () => {
  it('nearest asymmetric floor ×2 repeats each source twice; linear rows sum to 1', () => {
    const m = resizeMatrix('nearest', 'asymmetric', 'floor', 2, 3, 6);
    const picked = Array.from({ length: 6 }, (_, o) => [0, 1, 2].find((i) => m[o * 3 + i] === 1));
    expect(picked).toEqual([0, 0, 1, 1, 2, 2]);
    const l = resizeMatrix('linear', 'half_pixel', '', 2, 4, 8);
    for (let o = 0; o < 8; o++) expect(l.slice(o * 4, o * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    // half-pixel ×2: output 0 and 7 clamp to the edges, output 1 = 0.75·x0 + 0.25·x1
    expect(Array.from(l.slice(0, 4))).toEqual([1, 0, 0, 0]);
    expect(Array.from(l.slice(4, 8))).toEqual([0.75, 0.25, 0, 0]);
  });
});

describe('detector op rules, refusals', () => {
  const refused: [string, number[], Body, RegExp][] = [
    ['Resize cubic', [2, 3, 3], (b, x) => resize(b, x, { mode: 'cubic' }, [1, 1, 2, 2]), /Resize.*cubic/],
    ['Resize of the channels', [2, 3, 3], (b, x) => resize(b, x, { mode: 'nearest' }, [1, 2, 1, 1]), /Resize.*channel/],
    ['Split of the batch', [2, 3, 3], (b, x) => b.opAll('Split', [x], { axis: 0 }, 1)[0], /Split.*batch/],
  ];
  for (const [name, input, body, message] of refused) {
    it(name, async () => {
      const tiny = await tinyClassifier(input, body, { seed: 9 });
      const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
      expect(() => buildHeadModels(analysis, 'x')).toThrow(UnsupportedOpError);
      expect(() => buildHeadModels(analysis, 'x')).toThrow(message);
    });
  }
});

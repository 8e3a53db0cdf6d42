// ModelAnalysis on the real models: logits tensor, class count, default target layer, layer checks.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModelAnalysis, ModelAnalysisError } from '../../packages/core/src/onnx/analysis.js';

const shared = resolve(__dirname, '../../../shared/models');
// expected values from each model's own description in ../shared/models/*/model.json
const cases = [
  { file: 'squeezenet1.0/model-fp16.onnx', logits: 'pool10_1', layer: 'fire9/concat_2', layerShape: [1, 512, 13, 13], classes: 1000 },
  { file: 'squeezenet1.0/model-fp32.onnx', logits: 'pool10_1', layer: 'fire9/concat_2', layerShape: [1, 512, 13, 13], classes: 1000 },
  { file: 'mobilenet_v1_0.75/model.onnx', logits: 'logits', layer: 'conv_pw_13_relu', layerShape: [1, 768, 7, 7], classes: 1000 },
  { file: 'fixtures/resnet18.onnx', logits: 'logits', layer: '/layer4/layer4.1/relu_1/Relu_output_0', layerShape: [1, 512, 7, 7], classes: 1000 },
  { file: 'fixtures/mobilenet_v2.onnx', logits: 'logits', layer: '/features/features.18/features.18.2/Clip_output_0', layerShape: [1, 1280, 7, 7], classes: 1000 },
  { file: 'fixtures/vgg11_w8.onnx', logits: 'logits', layer: '/features/features.20/MaxPool_output_0', layerShape: [1, 64, 7, 7], classes: 1000 },
  { file: 'cifar10-tiny/model.onnx', logits: 'modelOutput', layer: undefined, layerShape: undefined, classes: 10 },
];

describe.skipIf(!existsSync(shared))('ModelAnalysis on the manifest models', () => {
  for (const c of cases) {
    it(c.file, () => {
      const a = new ModelAnalysis(readFileSync(resolve(shared, c.file)));
      expect(a.logits).toBe(c.logits);
      expect(a.numClasses).toBe(c.classes);
      expect(a.inputShape[0]).toBe(1);
      if (c.layer) {
        expect(a.defaultLayer()).toBe(c.layer);
        expect(a.checkLayer(c.layer)).toEqual(c.layerShape);
      }
      expect(a.candidateLayers()).toContain(a.defaultLayer());
    });
  }

  it('rejects layers that are not 4-D feature maps on the path to the logits', () => {
    const a = new ModelAnalysis(readFileSync(resolve(shared, 'squeezenet1.0/model-fp16.onnx')));
    expect(() => a.checkLayer('nope')).toThrow(ModelAnalysisError);
    expect(() => a.checkLayer('pool10_1')).toThrow(/1×1 map/);
    expect(() => a.checkLayer('conv1_w_0')).toThrow(/constant/);
    expect(() => a.checkLayer('softmaxout_1')).toThrow(ModelAnalysisError);
  });

  it('cifar10-tiny: the default layer is the last conv block before the flatten', () => {
    const a = new ModelAnalysis(readFileSync(resolve(shared, 'cifar10-tiny/model.onnx')));
    const layer = a.defaultLayer();
    const s = a.checkLayer(layer);
    expect(s.length).toBe(4);
    // the producer is the last ReLU; the next node flattens it
    expect(a.graph.producer.get(layer)?.opType).toBe('Relu');
    expect(a.graph.consumers.get(layer)?.[0].opType).toBe('Reshape');
  });
});

// What a classifier graph looks like to us: its normalised (fp32, opset-17) form, every
// tensor's static shape, the class-score tensor and the candidate / default target layers.
import { type ModelProto, decodeModel, valueInfoDims, attrInts } from './proto.js';
import { GraphIndex } from './graph.js';
import { normalizeModel } from './normalize.js';
import { inferShapes, type Shape } from './shapes.js';

export class ModelAnalysisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelAnalysisError';
  }
}

export interface AnalysisOptions {
  /** Graph input name (the first real input when omitted). */
  input?: string;
  /** Input shape; the graph's own with a batch of 1 when omitted. */
  inputShape?: number[];
  /** Graph output name (the first when omitted). */
  output?: string;
  /** Class-score tensor; found automatically (the input of a final Softmax, else the output). */
  logits?: string;
  /**
   * false: fp16/fp64 weights are not cast to fp32 (most of an fp16 model's analysis time): an analysis
   * for the graph's structure and shapes only, which compileGraph refuses. Default true.
   */
  weights?: boolean;
}

export class ModelAnalysis {
  readonly model: ModelProto;
  readonly graph: GraphIndex;
  readonly shapes: Map<string, Shape>;
  readonly input: string;
  readonly inputShape: number[];
  readonly output: string;
  readonly logits: string;
  readonly numClasses: number;
  /** Whether the weights are in the fp32 form graphs are compiled from (AnalysisOptions.weights). */
  readonly weights: boolean;

  constructor(source: Uint8Array | ModelProto, opts: AnalysisOptions = {}) {
    const original = source instanceof Uint8Array ? decodeModel(source) : source;
    if (!original.graph) throw new ModelAnalysisError('the ONNX file has no graph');
    this.weights = opts.weights ?? true;
    this.model = normalizeModel(original, { castWeights: this.weights });
    this.graph = new GraphIndex(this.model.graph!);
    const g = this.graph;
    this.input = opts.input ?? g.inputs[0];
    if (!g.inputs.includes(this.input)) {
      throw new ModelAnalysisError(`input '${this.input}' is not a graph input (inputs: ${g.inputs.join(', ')})`);
    }
    const vi = (this.model.graph!.input ?? []).find((v) => v.name === this.input)!;
    const declared = valueInfoDims(vi) ?? [];
    this.inputShape = opts.inputShape ?? declared.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? 1 : NaN));
    if (this.inputShape.some((d) => !Number.isFinite(d))) {
      throw new ModelAnalysisError(`input '${this.input}' has symbolic dims [${declared}]: give the input size`);
    }
    this.inputShape[0] = 1;
    this.shapes = inferShapes(g, { [this.input]: this.inputShape });
    this.output = opts.output ?? g.outputs[0];
    this.logits = opts.logits ?? this.findLogits();
    const ls = this.shapeOf(this.logits);
    this.numClasses = ls.slice(1).reduce((a, b) => a * b, 1);
  }

  shapeOf(name: string): Shape {
    const s = this.shapes.get(name);
    if (!s) throw new ModelAnalysisError(`no tensor named '${name}' in the graph`);
    return s;
  }

  /** The input of the final Softmax (walking back over Reshape/Flatten/Identity), else the output. */
  private findLogits(): string {
    let t = this.output;
    for (;;) {
      const p = this.graph.producer.get(t);
      if (!p) return this.output;
      if (p.opType === 'Softmax') {
        // an old-opset Softmax was rewritten as Flatten → Softmax → Reshape (normalize.ts)
        const inner = this.graph.producer.get(p.input![0]);
        return inner?.opType === 'Flatten' && p.input![0].startsWith('__norm_') ? inner.input![0] : p.input![0];
      }
      if (['Reshape', 'Flatten', 'Identity', 'Squeeze'].includes(p.opType ?? '')) {
        t = p.input![0];
        continue;
      }
      return this.output;
    }
  }

  /** 4-D tensors with a spatial extent > 1 from which the logits can be reached, in graph order. */
  candidateLayers(): string[] {
    const needed = new Set(this.graph.ancestorsOf([this.logits]).flatMap((n) => n.output ?? []));
    const out: string[] = [];
    for (const n of this.graph.nodes) {
      for (const o of n.output ?? []) {
        const s = this.shapes.get(o);
        if (o && needed.has(o) && s?.length === 4 && s[2] * s[3] > 1 && !this.graph.isConstant(o)) out.push(o);
      }
    }
    return out;
  }

  /**
   * The last feature map before the classifier collapses space (the input of the global pool /
   * flatten nearest to the logits), skipping no-op nodes such as a 1×1 AveragePool or Dropout.
   */
  defaultLayer(): string {
    const candidates = new Set(this.candidateLayers());
    const ancestors = this.graph.ancestorsOf([this.logits]);
    for (let k = ancestors.length - 1; k >= 0; k--) {
      const n = ancestors[k];
      let t = n.input?.[0];
      if (!t || !candidates.has(t)) continue;
      const outShape = this.shapes.get(n.output![0]);
      const collapses = !outShape || outShape.length < 4 || outShape[2] * outShape[3] === 1;
      if (!collapses) continue;
      // a classifier applied per position before the pooling (SqueezeNet's conv10 + ReLU, the
      // "CAM" layout): the feature map is the input of that classifier
      const s = this.shapes.get(t)!;
      if (s[1] === this.numClasses) {
        let p = this.graph.producer.get(t);
        while (p && ['Relu', 'Clip', 'Identity'].includes(p.opType ?? '')) p = this.graph.producer.get(p.input![0]);
        if (p?.opType === 'Conv' && candidates.has(p.input![0])) t = p.input![0];
      }
      // step back over a pooling that leaves values unchanged (VGG's 1×1 adaptive average pool)
      for (;;) {
        const p = this.graph.producer.get(t);
        const trivialPool = p?.opType === 'AveragePool' && (attrInts(p, 'kernel_shape') ?? []).every((v) => v === 1)
          && (attrInts(p, 'strides') ?? [1]).every((v) => v === 1) && (attrInts(p, 'pads') ?? [0]).every((v) => v === 0);
        if (p && trivialPool && candidates.has(p.input![0])) t = p.input![0];
        else break;
      }
      return t;
    }
    const all = [...candidates];
    if (all.length === 0) throw new ModelAnalysisError('the graph has no 4-D feature map to explain');
    return all[all.length - 1];
  }

  /** Check that `layer` can be a target layer; returns its shape [1, C, h, w]. */
  checkLayer(layer: string): Shape {
    const s = this.shapes.get(layer);
    if (!s) throw new ModelAnalysisError(`no tensor named '${layer}' in the graph`);
    if (this.graph.isConstant(layer)) throw new ModelAnalysisError(`'${layer}' is a constant (weights), not a feature map`);
    if (s.length !== 4) throw new ModelAnalysisError(`layer '${layer}' has shape [${s}], not a 4-D feature map`);
    if (s[2] * s[3] === 1) throw new ModelAnalysisError(`layer '${layer}' has shape [${s}]: a 1×1 map has nothing to localise`);
    const down = this.graph.downstreamOf([layer]);
    if (!down.has(this.logits)) throw new ModelAnalysisError(`the logits '${this.logits}' do not depend on layer '${layer}'`);
    return s;
  }
}

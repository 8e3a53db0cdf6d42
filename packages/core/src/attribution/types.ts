// Types of the pixel-attribution methods: gradients of a class score with respect to the input
// pixels (Simonyan et al. 2014) and the methods built on them, with Captum 0.8's definitions.
import type { CamTarget, MethodDescriptor } from '../cam/types.js';
import type { GradientRules } from '../autodiff/rules/variants.js';

export type { GradientRules };

/** Integrated Gradients' quadrature: Captum's 'gausslegendre' (its default) or 'riemann_trapezoid'. */
export type IntegrationRule = 'gausslegendre' | 'riemann_trapezoid';
export const INTEGRATION_RULES: readonly IntegrationRule[] = ['gausslegendre', 'riemann_trapezoid'];

export interface AttributionOptions {
  /** Integrated Gradients: points on the path from the baseline (Captum's n_steps; default 50). */
  steps?: number;
  /** Integrated Gradients: the quadrature (default 'gausslegendre'). */
  integration?: IntegrationRule;
  /** SmoothGrad: noisy samples (default 50). */
  samples?: number;
  /** SmoothGrad: noise σ as a fraction of the input's max − min (default 0.15, Smilkov et al.). */
  noise?: number;
  /** SmoothGrad: seed of the noise (default 0). */
  seed?: number;
}

export const ATTRIBUTION_DEFAULTS: Readonly<Required<AttributionOptions>> = {
  steps: 50, integration: 'gausslegendre', samples: 50, noise: 0.15, seed: 0,
};

/** Largest number of IG steps or SmoothGrad samples accepted (each is a backward pass). */
export const MAX_ATTRIBUTION_PASSES = 10_000;

export class AttributionOptionsError extends RangeError {
  constructor(readonly option: keyof AttributionOptions, message: string) {
    super(message);
    this.name = 'AttributionOptionsError';
  }
}

/** The options with defaults filled in; throws AttributionOptionsError for a value out of range. */
export function resolveAttributionOptions(o: AttributionOptions = {}): Required<AttributionOptions> {
  const r = { ...ATTRIBUTION_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as Required<AttributionOptions>;
  const count = (k: 'steps' | 'samples', min: number) => {
    const v = r[k];
    if (!Number.isInteger(v) || v < min || v > MAX_ATTRIBUTION_PASSES) {
      throw new AttributionOptionsError(k, `${k} must be an integer in ${min}..${MAX_ATTRIBUTION_PASSES}, not ${v}`);
    }
  };
  count('steps', r.integration === 'riemann_trapezoid' ? 2 : 1);
  count('samples', 1);
  if (!INTEGRATION_RULES.includes(r.integration)) {
    throw new AttributionOptionsError('integration', `integration must be one of ${INTEGRATION_RULES.join(', ')}, not '${r.integration}'`);
  }
  if (!(Number.isFinite(r.noise) && r.noise >= 0)) throw new AttributionOptionsError('noise', `noise must be a number ≥ 0, not ${r.noise}`);
  if (!Number.isInteger(r.seed)) throw new AttributionOptionsError('seed', `seed must be an integer, not ${r.seed}`);
  return r;
}

/** The options each pixel method reads (the others read none). */
export const METHOD_ATTRIBUTION_OPTIONS: Readonly<Record<string, readonly (keyof AttributionOptions)[]>> = {
  integratedgradients: ['steps', 'integration'],
  smoothgrad: ['samples', 'noise', 'seed'],
};

/**
 * The resolved options (defaults filled in, checked as resolveAttributionOptions does) that `methods`
 * read, in a fixed key order; {} when none of them reads any. Two requests whose methods would give
 * the same maps get the same object, so it can key stored and cached results.
 */
export function attributionOptionsFor(methods: readonly string[], o: AttributionOptions = {}): Partial<Required<AttributionOptions>> {
  const r = resolveAttributionOptions(o);
  const used = new Set(methods.flatMap((m) => METHOD_ATTRIBUTION_OPTIONS[m] ?? []));
  const out: Partial<Record<keyof AttributionOptions, unknown>> = {};
  for (const k of Object.keys(ATTRIBUTION_DEFAULTS) as (keyof AttributionOptions)[]) if (used.has(k)) out[k] = r[k];
  return out as Partial<Required<AttributionOptions>>;
}

/** A signed attribution per input channel, [C, H, W] row-major, in the model's input frame. */
export interface AttributionMap {
  channels: number;
  width: number;
  height: number;
  values: Float32Array;
}

/** One target's attribution: [C·H·W] values, and the convergence delta where the method has one (IG). */
export interface Attribution {
  values: Float32Array;
  convergenceDelta?: number;
}

/** Everything an attribution method may use. */
export interface AttributionContext {
  /** Preprocessed input [1, C, H, W]. */
  input: Float32Array;
  inputDims: readonly [number, number, number, number];
  targets: CamTarget[];
  /** Logits of the input [numClasses]. */
  logits: Float32Array;
  numClasses: number;
  /**
   * d score / d input with the given ReLU rule. `batch` holds n inputs [n, C, H, W]; either one
   * target per row (n = targets.length) or one input for any number of targets (n = 1). Returns
   * [targets.length, C, H, W]. One call is one batched run of the compiled input-gradient model.
   */
  inputGradients(rules: GradientRules, batch: Float32Array, n: number, targets: readonly CamTarget[]): Promise<Float32Array>;
  /** The full model on a batch of inputs [n, C, H, W] → logits [n, numClasses]. */
  forwardInputs(batch: Float32Array, n: number): Promise<Float32Array>;
  /** Rows per inputGradients / forwardInputs call when a method makes many (IG steps, SmoothGrad samples). */
  batchSize: number;
  options: Required<AttributionOptions>;
  /** Grad-CAM of each target at the target layer, signed and unscaled, [h·w] each (Guided Grad-CAM). */
  layerGradCam(): Promise<{ cams: Float32Array[]; height: number; width: number }>;
}

export interface AttributionMethod extends MethodDescriptor {
  kind: 'attribution';
  /** One attribution per target, [C·H·W] in the input frame. */
  compute(ctx: AttributionContext): Promise<Attribution[]>;
}

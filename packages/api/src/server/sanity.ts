// Query.sanityCheck: arguments checked before anything runs (image, model, methods, class, layer, the
// number of layers against the model's Conv/Gemm layers and SALIENCY_MAX_SANITY_LAYERS), then the
// cascading randomisation on an engine worker (compute/sanity-checks.ts), in the schema's shape.
import { getCamMethod, parametrisedLayers, PASS_THRESHOLD, UnknownModelError } from '@saliency-explainer/core';
import type { QuerySanityCheckArgs, SanityCheck } from '../generated/graphql.js';
import type { ApiContext } from './context.js';
import { checkAttributionOptions, ExplainRequestError } from '../compute/explain-service.js';
import { explainUnits, graphqlAttribution, requestedMethods, SANITY_COMPILE_UNITS } from './cost.js';
import { apiError } from './errors.js';

export async function sanityCheckOf(ctx: ApiContext, args: QuerySanityCheckArgs): Promise<SanityCheck> {
  const image = /^[0-9a-f]{64}$/.test(args.imageId) ? await ctx.storage.getImage(args.imageId) : null;
  if (!image) throw apiError('NOT_FOUND', `no image ${args.imageId}`);
  let served;
  try {
    served = await ctx.pool.get(args.model ?? undefined);
  } catch (e) {
    if (e instanceof UnknownModelError) throw apiError('UNKNOWN_MODEL', e.message);
    throw apiError('MODEL_UNAVAILABLE', `model '${args.model}' cannot be loaded: ${(e as Error).message}`);
  }
  const methods = [...new Set((args.methods?.length ? args.methods : ['gradcam']).map((m) => {
    try {
      return getCamMethod(m).id;
    } catch (e) {
      throw apiError('UNKNOWN_METHOD', (e as Error).message);
    }
  }))];
  if (methods.length > ctx.limits.maxMethods) throw apiError('BAD_REQUEST', `at most ${ctx.limits.maxMethods} methods (SALIENCY_MAX_METHODS)`);
  const c = args.classIndex;
  if (c != null && !(Number.isInteger(c) && c >= 0 && c < served.numClasses)) throw apiError('BAD_CLASS', `class ${c} is not in 0..${served.numClasses - 1}`);
  const layer = args.layer ?? served.defaultLayer;
  try {
    served.analysis.checkLayer(layer);
  } catch (e) {
    throw apiError('BAD_LAYER', (e as Error).message);
  }
  const available = parametrisedLayers(served.analysis.model).length;
  const most = Math.min(available, ctx.limits.maxSanityLayers);
  const layers = args.layers ?? 5;
  if (!(Number.isInteger(layers) && layers >= 1 && layers <= most)) {
    throw apiError('BAD_REQUEST', `layers must be in 1..${most} (the model has ${available} Conv/Gemm layers; SALIENCY_MAX_SANITY_LAYERS is ${ctx.limits.maxSanityLayers})`);
  }
  const seed = args.seed ?? 0;
  if (!(Number.isInteger(seed) && seed >= 0)) throw apiError('BAD_REQUEST', 'seed must be a non-negative integer');
  let attribution;
  try {
    attribution = checkAttributionOptions(graphqlAttribution(args.attribution), ctx.limits);
  } catch (e) {
    if (e instanceof ExplainRequestError) throw apiError(e.code, e.message, e.extra);
    throw e;
  }
  const channels = served.analysis.shapeOf(layer)[1] ?? 0;
  const units = (layers + 1) * (SANITY_COMPILE_UNITS + explainUnits(requestedMethods(methods), 1, channels, attribution));
  const r = await ctx.sanity.check(ctx.client, image, { model: served.spec.id, methods, classIndex: c ?? undefined, layer, layers, seed, attribution }, units);
  return {
    model: served.spec.id,
    classIndex: r.result.classIndex,
    label: served.labels[r.result.classIndex],
    layers: r.result.layers,
    curves: r.result.curves,
    passThreshold: PASS_THRESHOLD,
    computeMs: r.computeMs,
    cached: r.cached,
  };
}

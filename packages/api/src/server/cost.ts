// What a GraphQL operation will cost, estimated before anything runs: work units (one unit ≈ one
// forward pass of a served model at batch 1) and response bytes. COST_TABLE gives every field that
// computes, renders or multiplies its cost, one line each; the walk below multiplies through lists
// by their real sizes (`first`, the heatmaps an explain will make = methods × classes) and passes
// what a field knows (its model, its heatmap count) down to the fields under it. graphql-query-
// complexity's estimators cannot do that: they see a field's own arguments and its children's
// total, never the parent's arguments, and they are synchronous while a layer's channel count needs
// the model's analysis. Fields not in the table cost FIELD_UNITS and FIELD_BYTES.
import { createRequire } from 'node:module';
import type {
  FragmentDefinitionNode, GraphQLField, GraphQLNamedType, GraphQLSchema, OperationDefinitionNode, SelectionSetNode,
} from 'graphql';
import {
  camMethods, getCamMethod, INTEGRATION_RULES, MAX_ATTRIBUTION_PASSES, ROAD_PERCENTILES,
  type AttributionOptions, type IntegrationRule, type MethodDescriptor,
} from '@saliency-explainer/core';
import type { Limits } from './settings.js';

/**
 * graphql 16 has a CommonJS main and an ES-module `module` build: Node (and so Apollo Server) loads the
 * CommonJS one, bundlers and vitest the other, and graphql's instanceof checks refuse a schema made by
 * the other copy. Taking graphql through require gives the copy the schema was built with, everywhere.
 */
const {
  getArgumentValues, getDirectiveValues, getNamedType, getNullableType, getVariableValues, GraphQLIncludeDirective,
  GraphQLSkipDirective, isInterfaceType, isListType, isObjectType, Kind,
} = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** What the estimate needs to know about a served model. */
export interface ModelFacts {
  /** Longer side of the model's input (a heatmap PNG's default size). */
  inputSide: number;
  /** The target layer's channels and cells (the default layer when `layer` is absent or not the model's). */
  layer(layer?: string): { channels: number; cells: number };
}

export interface CostEnv {
  limits: Pick<Limits, 'maxPageSize' | 'maxPngSize' | 'pngPixelsPerUnit' | 'maxImageBytes' | 'maxTopK' | 'maxMethods'> & Partial<Pick<Limits, 'maxBatchImages'>>;
  /** Longest input side of the served models (PNGs of stored heatmaps, whose model is not known up front). */
  maxInputSide: number;
  /** A served model's facts (the default model when `id` is absent); null for an unknown model. */
  model(id?: string): Promise<ModelFacts | null>;
  /** Models served (Query.models). */
  modelCount: number;
  /** A served detector's facts; null (or absent) when `id` is no detector. */
  detector?(id: string): Promise<{ inputSide: number; inputCells: number; levels: number } | null>;
  /**
   * A stored explanation's heatmaps and the largest raw grid among them (Query.explanation's exact
   * extent); absent: the bounds (every served model's input cells, see storedRawCellsBound).
   */
  storedHeatmaps?(explanationId: string): Promise<{ heatmaps: number; rawCells: number }>;
}

export interface Cost {
  units: number;
  bytes: number;
}

/** What a field tells the fields below it. */
interface Scope {
  /** Heatmaps of an Explanation below: exact under explain, a bound elsewhere. */
  heatmaps: number;
  /** Longer input side of their model. */
  inputSide: number;
  /** Cells of one raw heatmap (the layer's h × w), or a bound. */
  rawCells: number;
  /** Items of the connection whose edges are below. */
  page: number;
}

interface FieldCost {
  /** Work units of the field itself (once per item of its parent). */
  units?: number;
  /** Response bytes of the field's own value. */
  bytes?: number;
  /** Items a list field returns: everything below it counts that many times. */
  items?: number;
  scope?: Partial<Scope>;
}

type Args = Record<string, any>;
type Rule = (args: Args, scope: Scope, env: CostEnv) => FieldCost | Promise<FieldCost>;

/** Work units of a field with no rule (a stored column), and its bytes in the response. */
export const FIELD_UNITS = 0.001;
export const FIELD_BYTES = 40;
/** A storage read that loads a row or a page. */
export const READ_UNITS = 0.05;
/** Items assumed for a list with no rule (small lists: predictions, methods, layers). */
export const LIST_ITEMS = 100;
/** Bound on a raw heatmap's cells when the layer is not known (a 64 × 64 layer). */
export const RAW_CELLS_BOUND = 4096;

/**
 * Bound on the raw grid of any stored heatmap (lists of stored explanations, whose models are not known
 * up front): a CAM's layer has at most its model's input cells, and pixel attributions and detector
 * maps are stored at the input grid itself (a YOLOX box map: 416 × 416), so the largest served input.
 */
export function storedRawCellsBound(env: Pick<CostEnv, 'maxInputSide'>): number {
  return Math.max(RAW_CELLS_BOUND, env.maxInputSide * env.maxInputSide);
}
/** Worst-case PNG bytes per pixel (incompressible RGB), and base64's growth of a data URL. */
export const PNG_BYTES_PER_PIXEL = 3;
const BASE64 = 4 / 3;

/** Work units of each kind of pass, per batch-1 row. */
export const PASS_UNITS = {
  /** a forward pass of the whole model */
  forward: 1,
  /** a forward pass of the head (target layer → logits); counted as a whole pass, the head's share is not known up front */
  headForward: 1,
  /** a backward row through the head (≈ twice its forward) */
  headBackward: 2,
  /** a forward and backward row through the whole network */
  inputBackward: 3,
  /** a CAM's own arithmetic and post-processing, per map */
  map: 0.1,
} as const;

/**
 * Work units of one explain request: one shared forward pass; then what each method says it runs
 * (core's MethodDescriptor.passes: Score-CAM a forward pass per channel, Ablation-CAM a head pass per
 * channel, both shared by all classes; gradient CAMs a head-gradient row per class, one run shared by
 * every gradient method; pixel attributions input-gradient rows), and the maps' own arithmetic.
 */
export function explainUnits(methods: readonly MethodDescriptor[], classes: number, channels: number, attribution?: AttributionOptions): number {
  let units = PASS_UNITS.forward + PASS_UNITS.map * methods.length * classes;
  let headBackward = 0;
  const options = passOptions(attribution);
  for (const m of methods) {
    const p = m.passes({ targets: classes, layerChannels: channels, attribution: options });
    units += PASS_UNITS.forward * p.forward + PASS_UNITS.headForward * p.headForward + PASS_UNITS.inputBackward * p.inputBackward;
    headBackward = Math.max(headBackward, p.headBackward);
  }
  return units + PASS_UNITS.headBackward * headBackward;
}

/**
 * Work units of a detector explain (compute/detector-service.ts) with `boxes` boxes: one forward pass
 * (it keeps the layers' activations); EigenCAM's projection per image; with any gradient method, one
 * head-gradient run per level the boxes sit on (a head forward each, at most `levels`) and a backward
 * row per box, shared by every gradient method; a map's arithmetic per method and box.
 */
export function detectorUnits(methods: readonly MethodDescriptor[], boxes: number, levels = 3): number {
  const gradient = methods.filter((m) => m.needsGradients).length;
  const runs = gradient ? Math.min(boxes, levels) : 0;
  const maps = (methods.length - gradient) + gradient * boxes;
  return PASS_UNITS.forward + runs * PASS_UNITS.headForward + (gradient ? boxes * PASS_UNITS.headBackward : 0) + PASS_UNITS.map * maps;
}

/**
 * The options that decide how many passes the pixel methods make (IG's steps, SmoothGrad's samples), as
 * the estimate counts them: a count that is a positive integer counts as given, up to core's
 * MAX_ATTRIBUTION_PASSES (10,000: 30,000 units a class, far over any sane SALIENCY_MAX_QUERY_COST), so
 * asking for 10^6 steps is refused as QUERY_TOO_COMPLEX before anything runs; anything else (a value
 * explain will refuse with BAD_ATTRIBUTION_OPTION) counts as the default.
 */
export function passOptions(o: AttributionOptions | undefined): AttributionOptions {
  const count = (v: unknown, min: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? Math.min(Math.max(v, min), MAX_ATTRIBUTION_PASSES) : undefined);
  const integration = INTEGRATION_RULES.includes(o?.integration as IntegrationRule) ? o!.integration : undefined;
  return { steps: count(o?.steps, integration === 'riemann_trapezoid' ? 2 : 1), integration, samples: count(o?.samples, 1) };
}

/** The methods of requested names: unknown names (refused by explain) cost nothing; aliases count once. */
export function requestedMethods(names: readonly string[]): MethodDescriptor[] {
  const seen = new Map<string, MethodDescriptor>();
  for (const n of names) {
    try {
      const m = getCamMethod(n);
      seen.set(m.id, m);
    } catch {
      // UNKNOWN_METHOD: refused before any work
    }
  }
  return [...seen.values()];
}

function png(size: unknown, overlay: unknown, fallback: number, env: CostEnv): FieldCost {
  const side = Math.min(typeof size === 'number' && size > 0 ? size : fallback, env.limits.maxPngSize);
  const pixels = side * side;
  return { units: (pixels * (overlay ? 2 : 1)) / env.limits.pngPixelsPerUnit, bytes: Math.ceil(pixels * PNG_BYTES_PER_PIXEL * BASE64) };
}

/** A connection's or list's page: `first` within 1..SALIENCY_MAX_PAGE_SIZE (beyond it the field refuses with BAD_REQUEST). */
const page = (first: unknown, fallback: number, env: CostEnv) =>
  Math.max(1, Math.min(typeof first === 'number' ? first : fallback, env.limits.maxPageSize));

async function explainCost(input: Args, env: CostEnv): Promise<FieldCost> {
  const detector = typeof input.model === 'string' ? await env.detector?.(input.model) : null;
  if (detector) {
    // a detector: cost per box (default: the best one); heatmaps: one per gradient method and box, one per image for EigenCAM
    const methods = requestedMethods((input.methods?.length ? input.methods : ['gradcam']).slice(0, env.limits.maxMethods));
    const boxes = Math.max(1, Math.min(input.boxes?.length ? new Set(input.boxes).size : 1, env.limits.maxTopK));
    const gradient = methods.filter((m) => m.needsGradients).length;
    return {
      units: detectorUnits(methods, boxes, detector.levels) + (typeof input.image === 'string' ? UPLOAD_UNITS : 0),
      scope: { heatmaps: methods.length - gradient + gradient * boxes, inputSide: detector.inputSide, rawCells: detector.inputCells },
    };
  }
  const facts = await env.model(input.model ?? undefined);
  const methods = requestedMethods((input.methods?.length ? input.methods : ['gradcam']).slice(0, env.limits.maxMethods));
  const classes = Math.max(1, Math.min(input.classes?.length ? new Set(input.classes).size : (input.topK ?? 1), env.limits.maxTopK));
  const layer = facts?.layer(input.layer ?? undefined) ?? { channels: 0, cells: RAW_CELLS_BOUND };
  const upload = typeof input.image === 'string' ? UPLOAD_UNITS : 0;
  const side = facts?.inputSide ?? env.maxInputSide;
  // a pixel method's raw map is at the input's resolution, its attribution has a plane per input channel
  const pixels = methods.some((m) => m.kind === 'attribution');
  return {
    units: explainUnits(methods, classes, layer.channels, graphqlAttribution(input.attribution)) + upload,
    scope: { heatmaps: methods.length * classes, inputSide: side, rawCells: pixels ? Math.max(layer.cells, side * side) : layer.cells },
  };
}

/**
 * explainBatch: every image × method is an explain of its own (one item, one stored explanation, its
 * own forward pass), so the batch costs the sum over its distinct images (at most
 * SALIENCY_MAX_BATCH_IMAGES: more is refused as TOO_MANY_IMAGES) of each method's explain cost, and
 * with `faithfulness` a report per heatmap (method × class), with `caption` a caption per heatmap
 * (CAPTION_UNITS, as Heatmap.caption).
 */
async function explainBatchCost(input: Args, env: CostEnv): Promise<FieldCost> {
  const ids = Array.isArray(input.imageIds) ? new Set(input.imageIds).size : 0;
  const images = Math.min(ids, env.limits.maxBatchImages ?? ids);
  const facts = await env.model(input.model ?? undefined);
  const methods = requestedMethods((input.methods?.length ? input.methods : ['gradcam']).slice(0, env.limits.maxMethods));
  const classes = Math.max(1, Math.min(input.classes?.length ? new Set(input.classes).size : (input.topK ?? 1), env.limits.maxTopK));
  const channels = facts?.layer(input.layer ?? undefined).channels ?? 0;
  const attribution = graphqlAttribution(input.attribution);
  const side = facts?.inputSide ?? env.maxInputSide;
  let perImage = 0;
  for (const m of methods) perImage += explainUnits([m], classes, channels, attribution) + (input.faithfulness ? classes * faithfulnessUnits(side) : 0)
    + (input.caption ? classes * CAPTION_UNITS : 0);
  return { units: images * perImage + READ_UNITS * images };
}

/** ExplainInput.attribution (the schema's enum for the rule) as core's options. */
export function graphqlAttribution(a: Args | null | undefined): AttributionOptions | undefined {
  if (!a) return undefined;
  const rule = a.integration === 'RIEMANN_TRAPEZOID' ? 'riemann_trapezoid' : a.integration === 'GAUSS_LEGENDRE' ? 'gausslegendre' : undefined;
  return { steps: a.steps ?? undefined, integration: rule, samples: a.samples ?? undefined, noise: a.noise ?? undefined, seed: a.seed ?? undefined };
}

/** Alignment metrics (an alignment's or agreement's score list). */
const METRICS = 9;

/** Decoding and checking an upload, storing it. */
export const UPLOAD_UNITS = 1;

/**
 * A faithfulness report of one heatmap on a model with input side `side`: deletion and insertion
 * (side / 8 steps + 1 evaluations each, core's default step of width × 8 pixels), ROAD (one evaluation
 * per percentile and order, each after a sparse solve of about a forward pass's CPU), the confidence
 * measures (two evaluations). Charged in full though a stored report is read back for nothing: the
 * estimate cannot know.
 */
export function faithfulnessUnits(side: number): number {
  const causal = 2 * (Math.ceil(side / 8) + 1);
  const road = 2 * ROAD_PERCENTILES.length * 2;
  return PASS_UNITS.forward * (causal + road + 2);
}

/**
 * A caption of one heatmap: the detector (about three forward passes of a small classifier), the
 * class probabilities, the crop, deletion and control inputs, and — when the image has people's
 * attention and their agreement is not cached — the human ceiling (HumanAttention.agreement's cost).
 */
export const CAPTION_UNITS = 3 + 1 + 3 + 50;

/** Compiling a model's sessions again (a sanity check's step), in work units. */
export const SANITY_COMPILE_UNITS = 20;

/**
 * Every field that computes, renders or multiplies: `Type.field` → its cost. A new computing field
 * (a caption, a faithfulness report, a sanity check) is one more line here.
 */
export const COST_TABLE: Record<string, Rule> = {
  'Mutation.explain': (a, _s, env) => explainCost(a.input ?? {}, env),
  'Mutation.explainBatch': (a, _s, env) => explainBatchCost(a.input ?? {}, env),
  'Query.batchJob': () => ({ units: 2 * READ_UNITS }),
  'BatchJob.items': (a, _s, env) => ({ units: READ_UNITS, items: page(a.first, 20, env) }),
  'BatchItem.explanation': (_a, _s, env) => ({ units: READ_UNITS, scope: { heatmaps: env.limits.maxTopK } }),
  'Mutation.uploadImage': () => ({ units: UPLOAD_UNITS }),
  'Mutation.startAnnotation': () => ({ units: READ_UNITS }),
  'Mutation.submitAnnotation': () => ({ units: 2 * READ_UNITS }),
  'Query.image': () => ({ units: READ_UNITS }),
  'Query.explanation': async (a, _s, env) => ({
    units: 2 * READ_UNITS,
    scope: env.storedHeatmaps && typeof a.id === 'string' ? await env.storedHeatmaps(a.id) : {},
  }),
  'Query.explanations': (a, _s, env) => ({ units: READ_UNITS, scope: { page: page(a.first, 20, env) } }),
  'ExplanationConnection.edges': (_a, s) => ({ items: s.page }),
  'Query.models': (_a, _s, env) => ({ items: env.modelCount }),
  'Query.methods': () => ({ items: camMethods.length }),
  'Query.leaderboard': () => ({ units: 5, items: 1 }),
  'Query.sanityCheck': async (a, _s, env) => {
    const facts = await env.model(a.model ?? undefined);
    const methods = requestedMethods((a.methods?.length ? a.methods : ['gradcam']).slice(0, env.limits.maxMethods));
    const steps = Math.max(1, typeof a.layers === 'number' ? a.layers : 5) + 1;
    return { units: steps * (SANITY_COMPILE_UNITS + explainUnits(methods, 1, facts?.layer(a.layer ?? undefined).channels ?? 0, graphqlAttribution(a.attribution))) };
  },
  'Image.explanations': (a, _s, env) => ({ units: READ_UNITS, scope: { page: page(a.first, 20, env) } }),
  'Image.annotations': (a, _s, env) => ({ units: READ_UNITS, scope: { page: page(a.first, 20, env) } }),
  'AnnotationConnection.edges': (_a, s) => ({ items: s.page }),
  'Image.dataUrl': (_a, _s, env) => ({ units: READ_UNITS, bytes: Math.ceil(env.limits.maxImageBytes * BASE64) }),
  'Image.humanAttention': () => ({ units: 3 }),
  'Explanation.image': () => ({ units: READ_UNITS }),
  'Explanation.heatmaps': (a, s, env) => {
    const { maxMethods, maxTopK } = env.limits;
    const bound = Math.min(s.heatmaps, a.method != null && a.classIndex != null ? 1 : a.method != null ? maxTopK : a.classIndex != null ? maxMethods : s.heatmaps);
    return { items: Math.max(0, Math.min(bound, typeof a.first === 'number' && a.first >= 1 ? a.first : bound)) };
  },
  'Heatmap.png': (a, s, env) => png(a.size, a.overlay, s.inputSide, env),
  'Heatmap.raw': (_a, s) => ({ bytes: s.rawCells * 20 }),
  // a pixel attribution's [C, H, W] values (RGB), ~20 bytes each as JSON; null for CAMs
  'Heatmap.attribution': (_a, s) => ({ bytes: 3 * s.rawCells * 20 }),
  'Heatmap.alignment': () => ({ units: 5 }),
  'Heatmap.faithfulness': (_a, s) => ({ units: faithfulnessUnits(s.inputSide) }),
  'Heatmap.caption': () => ({ units: CAPTION_UNITS }),
  'Explanation.caption': () => ({ units: CAPTION_UNITS + READ_UNITS }),
  'Caption.facts': () => ({ items: 20 }),
  'CausalCurve.scores': (_a, s) => ({ items: Math.ceil(s.inputSide / 8) + 1 }),
  'CausalCurve.logits': (_a, s) => ({ items: Math.ceil(s.inputSide / 8) + 1 }),
  'Alignment.scores': () => ({ items: METRICS }),
  'HumanAgreement.splitHalf': () => ({ items: METRICS }),
  'HumanAgreement.leaveOneOut': () => ({ items: METRICS }),
  'Explanation.predictions': (_a, _s, env) => ({ items: Math.max(5, env.limits.maxTopK) }),
  'HumanAttention.agreement': () => ({ units: 50 }),
  'HumanAttention.png': (a, _s, env) => png(a.size, a.overlay, env.limits.maxPngSize, env),
  'HumanAttention.points': () => ({ items: 1000 }),
  'Model.labels': (a) => ({ bytes: 40 * Math.max(0, typeof a.first === 'number' ? a.first : 1000) }),
  'EvalRun.images': (a) => ({ bytes: 40 * Math.max(0, typeof a.first === 'number' ? a.first : 100) }),
  'Annotation.image': () => ({ units: READ_UNITS }),
};

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  env: CostEnv;
}

function included(node: { directives?: readonly unknown[] }, w: Walk): boolean {
  const n = node as Parameters<typeof getDirectiveValues>[1];
  if (getDirectiveValues(GraphQLSkipDirective, n, w.variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, n, w.variables)?.if !== false;
}

async function selectionCost(set: SelectionSetNode, type: GraphQLNamedType, scope: Scope, w: Walk, active: Set<string>): Promise<Cost> {
  const total: Cost = { units: 0, bytes: 0 };
  const add = (c: Cost, times = 1) => {
    total.units += c.units * times;
    total.bytes += c.bytes * times;
  };
  for (const sel of set.selections) {
    if (!included(sel, w)) continue;
    if (sel.kind === Kind.INLINE_FRAGMENT) {
      const t = sel.typeCondition ? w.schema.getType(sel.typeCondition.name.value) ?? type : type;
      add(await selectionCost(sel.selectionSet, t, scope, w, active));
    } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
      const f = w.fragments.get(sel.name.value);
      if (!f || active.has(f.name.value)) continue; // validation refuses unknown fragments and cycles
      active.add(f.name.value);
      add(await selectionCost(f.selectionSet, w.schema.getType(f.typeCondition.name.value) ?? type, scope, w, active));
      active.delete(f.name.value);
    } else {
      const fields = isObjectType(type) || isInterfaceType(type) ? type.getFields() : {};
      const field = fields[sel.name.value] as GraphQLField<unknown, unknown> | undefined;
      if (!field) {
        add({ units: FIELD_UNITS, bytes: FIELD_BYTES }); // __typename and friends
        continue;
      }
      let args: Args;
      try {
        args = getArgumentValues(field, sel, w.variables);
      } catch {
        args = {}; // a bad argument is refused by execution before the field runs
      }
      const rule = COST_TABLE[`${type.name}.${field.name}`];
      const own = rule ? await rule(args, scope, w.env) : {};
      const named = getNamedType(field.type);
      const items = own.items ?? (isListType(getNullableType(field.type)) ? LIST_ITEMS : 1);
      add({ units: own.units ?? FIELD_UNITS, bytes: (own.bytes ?? 0) + FIELD_BYTES });
      if (sel.selectionSet) add(await selectionCost(sel.selectionSet, named, { ...scope, ...own.scope }, w, active), items);
      else if (own.bytes === undefined) add({ units: 0, bytes: FIELD_BYTES }, items - 1);
    }
  }
  return total;
}

/**
 * The estimated cost of one operation. Variables that do not fit their types cost nothing here:
 * execution refuses them (BAD_USER_INPUT) before any resolver runs.
 */
export async function operationCost(
  schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: readonly FragmentDefinitionNode[],
  rawVariables: Record<string, unknown> | undefined, env: CostEnv,
): Promise<Cost> {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if ('errors' in coerced && coerced.errors) return { units: 0, bytes: 0 };
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'query' ? schema.getQueryType() : schema.getSubscriptionType();
  if (!root) return { units: 0, bytes: 0 };
  const { maxMethods, maxTopK } = env.limits;
  const scope: Scope = { heatmaps: maxMethods * maxTopK, inputSide: env.maxInputSide, rawCells: storedRawCellsBound(env), page: 1 };
  const w: Walk = { schema, fragments: new Map(fragments.map((f) => [f.name.value, f])), variables: coerced.coerced, env };
  return selectionCost(operation.selectionSet, root, scope, w, new Set());
}

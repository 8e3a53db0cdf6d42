// The remote engine: the saliency-explainer GraphQL API computes the raw maps; the widget renders
// them exactly as it renders local ones (core's postprocess and overlay). Captions and faithfulness
// reports are asked of the stored heatmap (by its explanation's id), which the server computes once.
import type { Caption, FaithfulnessReport } from '@saliency-explainer/core';
import { asWidgetError, WidgetError } from '../errors.js';
import { toDataUrl, type LoadedImage } from '../image/load-image.js';
import { postGraphQL } from '../net/graphql.js';
import { fetchCaption, fetchFaithfulness } from './remote-measures.js';
import type { CaptionRequest, Engine, EngineResult, ExplainQuery, MeasureRequest, ModelView } from './types.js';

const EXPLAIN = `mutation Explain($input: ExplainInput!) {
  explain(input: $input) {
    id
    layer
    image { id }
    model { id inputWidth inputHeight }
    predictions { classIndex label score }
    heatmaps { method classIndex label score width height raw }
  }
}`;

interface ExplainResponse {
  id: string;
  layer: string;
  image: { id: string };
  model: { id: string; inputWidth: number; inputHeight: number };
  predictions: { classIndex: number; label: string; score: number }[];
  heatmaps: { method: string; classIndex: number; label: string; score: number; width: number; height: number; raw: number[] }[];
}

export class RemoteEngine implements Engine {
  readonly backend = 'server' as const;
  /** Images already stored by this API: later requests send the id, not the bytes. */
  private readonly imageIds = new WeakMap<LoadedImage, string>();
  /** The stored explanation holding each map, by image and `${method}|${classIndex}`. */
  private readonly explanations = new WeakMap<LoadedImage, Map<string, string>>();

  /**
   * @param api the GraphQL endpoint
   * @param model a model id of that server (its default when undefined)
   * @param view how the model crops the image, when known from a manifest (else: stretched to its input size)
   */
  constructor(readonly api: string, readonly model: string | undefined, private readonly view?: ModelView) {}

  async explain(image: LoadedImage, query: ExplainQuery): Promise<EngineResult> {
    const known = this.imageIds.get(image);
    const input: Record<string, unknown> = {
      ...(known ? { imageId: known } : { image: await toDataUrl(image.blob) }),
      methods: query.methods,
      ...(query.classes?.length ? { classes: query.classes } : { topK: query.topK ?? 1 }),
    };
    if (this.model) input.model = this.model;
    if (query.layer) input.layer = query.layer;
    const { explain: r } = await postGraphQL<{ explain: ExplainResponse }>(this.api, EXPLAIN, { input });
    this.imageIds.set(image, r.image.id);
    let ids = this.explanations.get(image);
    if (!ids) this.explanations.set(image, (ids = new Map()));
    for (const h of r.heatmaps) ids.set(`${h.method}|${h.classIndex}`, r.id);
    return {
      backend: 'server',
      model: r.model.id,
      layer: r.layer,
      view: this.view ?? { width: r.model.inputWidth, height: r.model.inputHeight, resize: 'stretch' },
      predictions: r.predictions.map((p) => ({ index: p.classIndex, label: p.label, score: p.score })),
      maps: r.heatmaps.map((h) => ({
        method: h.method,
        classIndex: h.classIndex,
        label: h.label,
        score: h.score,
        raw: { width: h.width, height: h.height, values: Float32Array.from(h.raw) },
      })),
    };
  }

  private explanationOf(image: LoadedImage, request: MeasureRequest): string {
    const id = this.explanations.get(image)?.get(`${request.method}|${request.classIndex}`);
    if (!id) throw new WidgetError('BAD_CLASS', `the server has not explained class ${request.classIndex} with ${request.method} for this image`);
    return id;
  }

  async caption(image: LoadedImage, request: CaptionRequest): Promise<Caption> {
    try {
      return await fetchCaption(this.api, this.explanationOf(image, request), request.method, request.classIndex);
    } catch (e) {
      throw asWidgetError(e, 'CAPTION_FAILED');
    }
  }

  async faithfulness(image: LoadedImage, request: MeasureRequest): Promise<FaithfulnessReport> {
    try {
      return await fetchFaithfulness(this.api, this.explanationOf(image, request), request.method, request.classIndex);
    } catch (e) {
      throw asWidgetError(e, 'FAITHFULNESS_FAILED');
    }
  }
}

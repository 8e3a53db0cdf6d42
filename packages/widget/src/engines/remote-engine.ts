// The remote engine: the saliency-explainer GraphQL API computes the raw maps; the widget renders
// them exactly as it renders local ones (core's postprocess and overlay).
import { toDataUrl, type LoadedImage } from '../image/load-image.js';
import { postGraphQL } from '../net/graphql.js';
import type { Engine, EngineResult, ExplainQuery, ModelView } from './types.js';

const EXPLAIN = `mutation Explain($input: ExplainInput!) {
  explain(input: $input) {
    layer
    image { id }
    model { id inputWidth inputHeight }
    predictions { classIndex label score }
    heatmaps { method classIndex label score width height raw }
  }
}`;

interface ExplainResponse {
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
}

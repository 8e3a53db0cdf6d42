// What the query-cost estimate (server/cost.ts) needs to know about the served models: input sizes
// from the manifest, and a layer's channels and cells from the model's analysis (loaded on first
// use, as an explain of that model would load it anyway), and how many heatmaps a stored explanation
// has and its largest raw grid (one grouped query), so `explanation(id) { heatmaps { … } }` is priced
// exactly rather than by a bound.
import type { ModelPool } from '../compute/model-pool.js';
import type { Storage } from '../storage/types.js';
import type { CostEnv, ModelFacts } from './cost.js';
import type { Limits } from './settings.js';

export function costEnvOf(pool: ModelPool, limits: Limits, storage?: Pick<Storage, 'heatmapExtent'>): CostEnv {
  const maxInputSide = Math.max(...pool.ids.map((id) => {
    const { width, height } = pool.spec(id).input;
    return Math.max(width, height);
  }), ...pool.detectorIds.map((id) => {
    const { width, height } = pool.detectorSpec(id).input;
    return Math.max(width, height);
  }));
  return {
    limits,
    maxInputSide,
    modelCount: pool.ids.length + pool.detectorIds.length,
    ...(storage ? { storedHeatmaps: (id: string) => storage.heatmapExtent(id).then(({ count, rawCells }) => ({ heatmaps: count, rawCells })) } : {}),
    async detector(id: string) {
      if (!pool.isDetector(id)) return null;
      const { spec, defaultLayers } = await pool.detector(id);
      return { inputSide: Math.max(spec.input.width, spec.input.height), inputCells: spec.input.width * spec.input.height, levels: defaultLayers.length };
    },
    async model(id?: string): Promise<ModelFacts | null> {
      let served;
      try {
        served = await pool.get(id ?? pool.defaultId);
      } catch {
        return null; // unknown or unusable: explain refuses it before any work
      }
      const { analysis, defaultLayer, spec } = served;
      return {
        inputSide: Math.max(spec.input.width, spec.input.height),
        layer(layer?: string) {
          let name = layer ?? defaultLayer;
          try {
            analysis.checkLayer(name);
          } catch {
            name = defaultLayer; // BAD_LAYER before any work
          }
          const [, channels = 0, h = 1, w = 1] = analysis.shapeOf(name);
          return { channels, cells: h * w };
        },
      };
    },
  };
}

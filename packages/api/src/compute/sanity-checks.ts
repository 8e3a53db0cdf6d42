// Query.sanityCheck on the main thread: Adebayo et al.'s cascading randomisation of a served model for
// one stored image, run as a measure job on an engine worker through the fair queue (the worker
// compiles the model again per randomised layer), kept in memory by its arguments (it depends only on
// them: seeded weights, a stored image), with concurrent identical requests sharing one computation.
import { LRUCache } from 'lru-cache';
import { attributionOptionsFor, type AttributionOptions, type SanityResult } from '@saliency-explainer/core';
import type { ImageRecord, Storage } from '../storage/types.js';
import type { MeasureRunner } from './heatmap-results.js';

export interface SanityArgs {
  model: string;
  methods: string[];
  classIndex?: number;
  layer?: string;
  /** Randomised layers, top down. */
  layers: number;
  seed: number;
  /** The pixel attributions' options, resolved (explain-service's checkAttributionOptions). */
  attribution: Required<AttributionOptions>;
}

export interface SanityCheckResult {
  result: SanityResult;
  computeMs: number;
  cached: boolean;
}

/** Results kept in memory (a result is a few kilobytes). */
const KEPT = 256;

export class SanityChecks {
  private readonly done = new LRUCache<string, { result: SanityResult; computeMs: number }>({ max: KEPT });
  private readonly inFlight = new Map<string, Promise<{ result: SanityResult; computeMs: number }>>();

  constructor(private readonly storage: Storage, private readonly engine: MeasureRunner) {}

  async check(client: string, image: ImageRecord, args: SanityArgs, units: number): Promise<SanityCheckResult> {
    const key = JSON.stringify([image.id, args.model, [...args.methods].sort(), args.classIndex ?? null, args.layer ?? null, args.layers, args.seed,
      attributionOptionsFor(args.methods, args.attribution)]);
    const kept = this.done.get(key);
    if (kept) return { ...kept, cached: true };
    const running = this.inFlight.get(key);
    if (running) return { ...(await running), cached: true };
    const work = (async () => {
      const bytes = await this.storage.getImageBytes(image.id);
      if (!bytes) throw new Error(`the bytes of image ${image.id} are not stored`);
      const started = performance.now();
      const result = (await this.engine.measure(client, args.model, units, {
        what: 'sanity', bytes, classIndex: args.classIndex,
        options: { methods: args.methods, layer: args.layer, layers: args.layers, seed: args.seed, attribution: args.attribution },
      })) as SanityResult;
      const out = { result, computeMs: performance.now() - started };
      this.done.set(key, out);
      return out;
    })();
    this.inFlight.set(key, work);
    try {
      return { ...(await work), cached: false };
    } finally {
      this.inFlight.delete(key);
    }
  }
}

// The alignment badges' state (a Lit ReactiveController of <saliency-explainer>): per image, the
// human attention the API holds for it (looked up by sha256; none without api); per shown map, its
// scores against the best reference, as the API's Heatmap.alignment picks it: the crowd's clicks
// looking for the map's class, else the crowd's clicks describing the image, else eye tracking, else
// the predicted density; computed after the map is painted and announced with `saliency-alignment`;
// and the reference's human map as an optional overlay.
import type { AlignmentScore, FloatMap, HumanMap } from '@saliency-explainer/core';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ModelView } from '../engines/types.js';
import type { LoadedImage } from '../image/load-image.js';
import { fetchFindAttention, fetchHumanAttention, imageId, type AgreementScore, type HumanAttention } from './human-api.js';
import { alignHuman, alignPredicted, humanOverlay, humanReference, predictedReference, type ReferenceKind } from './scores.js';

/** The detail of a `saliency-alignment` event, and the element's `alignment` property. */
export interface AlignmentDetail {
  method: string;
  classIndex: number;
  /** CROWD (annotators' clicks), EYE_TRACKING (imported fixations) or PREDICTED (no human data). */
  reference: ReferenceKind;
  /** People behind a human reference; 0 for PREDICTED. */
  annotators: number;
  /** CROWD: FIND (people looked for this class) or DESCRIBE; null otherwise. */
  task: 'DESCRIBE' | 'FIND' | null;
  /** The class's label (what FIND annotators looked for). */
  label: string;
  scores: AlignmentScore[];
  /** How well the people agree with one another (split-half), for context; null when unknown. */
  agreement: AgreementScore[] | null;
}

export interface AlignmentInput {
  image: LoadedImage | null;
  /** The GraphQL endpoint (absolute), when the widget has one. */
  api: string | undefined;
  /** The model's view of the image (the final map's grid). */
  view: ModelView | null;
  /** The model that made the map (crowd clicks looking for a class are for one model's labels). */
  model: string | null;
  /** The shown map: its final values on the model's input grid. */
  map: { method: string; classIndex: number; label: string; map: FloatMap } | null;
}

const viewKey = (v: ModelView) => `${v.width}x${v.height}|${v.resize}|${v.resizeShorter ?? ''}`;

export class AlignmentController implements ReactiveController {
  /** The toggle: draw the human map instead of the model's. */
  showHuman = false;
  /** Scores of the shown map (null while computing or without a map). */
  current: AlignmentDetail | null = null;
  /** Why the scores could not be computed, when they could not. */
  failure: string | null = null;
  human: HumanAttention | null = null;

  private humanMap: HumanMap | null = null;
  /** The human map behind the current scores (the toggle draws it). */
  private shownHuman: HumanMap | null = null;
  /** The image's id on the API (its sha256), once known. */
  private imageKey: string | null = null;
  /** The crowd's clicks looking for a class, by `${model}|${classIndex}`. */
  private readonly finds = new Map<string, Promise<{ human: HumanAttention; map: HumanMap } | null>>();
  private source: { image: LoadedImage; api: string | undefined } | null = null;
  private humanReady: Promise<void> = Promise.resolve();
  private readonly predicted = new Map<string, FloatMap>();
  private readonly done = new Map<string, AlignmentDetail>();
  private readonly overlays = new WeakMap<HumanMap, Map<string, FloatMap>>();
  private pending = '';
  private run = 0;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Called after each render with what is shown; starts a lookup or a computation when that changed. */
  sync({ image, api, view, map, model }: AlignmentInput): void {
    if (!image) {
      if (this.source) this.clear();
      return;
    }
    if (!this.source || this.source.image !== image || this.source.api !== api) {
      this.clear();
      this.source = { image, api };
      this.humanReady = this.lookUp(image, api, this.run);
    }
    if (!map || !view) {
      this.pending = '';
      if (this.current) {
        this.current = null;
        this.host.requestUpdate();
      }
      return;
    }
    const key = `${map.method}|${map.classIndex}|${model ?? ''}|${viewKey(view)}`;
    if (key === this.pending) return;
    this.pending = key;
    void this.compute(key, map, view, model, this.run);
  }

  /** The human map over the displayed picture, when the toggle is on and the scores are against people. */
  overlay(width: number, height: number, view: ModelView | null): FloatMap | null {
    const human = this.showHuman ? this.shownHuman : null;
    if (!human) return null;
    const key = `${width}x${height}|${view ? viewKey(view) : ''}`;
    let byKey = this.overlays.get(human);
    if (!byKey) this.overlays.set(human, (byKey = new Map()));
    let o = byKey.get(key);
    if (!o) {
      o = humanOverlay(human, view, width, height);
      byKey.set(key, o);
    }
    return o;
  }

  /** Whether the current scores are against people (the toggle is offered). */
  get hasHuman(): boolean {
    return this.shownHuman !== null;
  }

  /**
   * The human reference a map of `classIndex` is scored against (as the badges pick it: the crowd's
   * clicks looking for the class, else describing the image, else eye tracking), once the image's
   * human data is looked up; null without any (or without api). Captions' human fact uses it.
   */
  async referenceFor(classIndex: number, model: string | null): Promise<{ map: HumanMap; source: 'CROWD' | 'EYE_TRACKING' } | null> {
    await this.humanReady;
    const find = await this.find(classIndex, model);
    if (find) return { map: find.map, source: find.human.source };
    return this.human && this.humanMap ? { map: this.humanMap, source: this.human.source } : null;
  }

  toggleHuman(on: boolean): void {
    this.showHuman = on && !!this.shownHuman;
    this.host.requestUpdate();
  }

  private clear(): void {
    this.run++;
    const shown = this.current !== null || this.failure !== null || this.human !== null;
    Object.assign(this, { current: null, failure: null, human: null, humanMap: null, shownHuman: null, imageKey: null, source: null, pending: '', showHuman: false });
    this.humanReady = Promise.resolve();
    this.predicted.clear();
    this.done.clear();
    this.finds.clear();
    if (shown) this.host.requestUpdate();
  }

  private async lookUp(image: LoadedImage, api: string | undefined, token: number): Promise<void> {
    if (!api) return;
    let human: HumanAttention | null = null;
    try {
      const id = await imageId(image.blob);
      if (token === this.run) this.imageKey = id;
      human = id ? await fetchHumanAttention(api, id) : null;
    } catch {
      // the API is down or refuses: the badges use the predicted density
      human = null;
    }
    if (token !== this.run || !human) return;
    this.human = human;
    this.humanMap = humanReference(human);
    this.host.requestUpdate();
  }

  /** The crowd's clicks looking for class `classIndex` of `model`, pooled; null when none (or no api). */
  private find(classIndex: number, model: string | null): Promise<{ human: HumanAttention; map: HumanMap } | null> {
    const api = this.source?.api;
    const id = this.imageKey;
    if (!api || !id || !model) return Promise.resolve(null);
    const key = `${model}|${classIndex}`;
    let f = this.finds.get(key);
    if (!f) {
      f = fetchFindAttention(api, id, classIndex, model)
        .then((human) => (human ? { human, map: humanReference(human) } : null))
        .catch(() => null); // the API is down or refuses: the next reference is used
      this.finds.set(key, f);
    }
    return f;
  }

  private async compute(key: string, map: { method: string; classIndex: number; label: string; map: FloatMap }, view: ModelView, model: string | null, token: number): Promise<void> {
    await this.humanReady;
    const find = await this.find(map.classIndex, model);
    // after the map is painted
    await new Promise((r) => setTimeout(r, 0));
    if (token !== this.run || key !== this.pending || !this.source) return;
    let detail = this.done.get(key);
    let human: HumanMap | null = null;
    try {
      const base = { method: map.method, classIndex: map.classIndex, label: map.label };
      const reference = find ?? (this.human && this.humanMap ? { human: this.human, map: this.humanMap } : null);
      human = reference?.map ?? null;
      if (!detail) {
        if (reference) {
          const h = reference.human;
          detail = { ...base, reference: h.source, task: h.task, annotators: h.annotators, scores: alignHuman(map.map, view, reference.map), agreement: h.agreement };
        } else {
          let density = this.predicted.get(viewKey(view));
          if (!density) {
            density = predictedReference(this.source.image.pixels, view);
            this.predicted.set(viewKey(view), density);
          }
          detail = { ...base, reference: 'PREDICTED', task: null, annotators: 0, scores: alignPredicted(map.map, density), agreement: null };
        }
        this.done.set(key, detail);
      }
    } catch (e) {
      this.current = null;
      this.failure = (e as Error).message;
      this.host.requestUpdate();
      return;
    }
    this.current = detail;
    this.shownHuman = human;
    if (!human) this.showHuman = false;
    this.failure = null;
    this.host.requestUpdate();
    this.host.dispatchEvent(new CustomEvent<AlignmentDetail>('saliency-alignment', { detail, bubbles: true, composed: true }));
  }
}

// The alignment badges' state (a Lit ReactiveController of <saliency-explainer>): per image, the
// human attention the API holds for it (looked up by sha256; none without api); per shown map, its
// scores against that, else against the predicted density, computed after the map is painted and
// announced with `saliency-alignment`; and the human map as an optional overlay.
import type { AlignmentScore, FloatMap, HumanMap } from '@saliency-explainer/core';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ModelView } from '../engines/types.js';
import type { LoadedImage } from '../image/load-image.js';
import { fetchHumanAttention, imageId, type AgreementScore, type HumanAttention } from './human-api.js';
import { alignHuman, alignPredicted, humanOverlay, humanReference, predictedReference, type ReferenceKind } from './scores.js';

/** The detail of a `saliency-alignment` event, and the element's `alignment` property. */
export interface AlignmentDetail {
  method: string;
  classIndex: number;
  /** CROWD (annotators' clicks), EYE_TRACKING (imported fixations) or PREDICTED (no human data). */
  reference: ReferenceKind;
  /** People behind a human reference; 0 for PREDICTED. */
  annotators: number;
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
  /** The shown map: its final values on the model's input grid. */
  map: { method: string; classIndex: number; map: FloatMap } | null;
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
  private source: { image: LoadedImage; api: string | undefined } | null = null;
  private humanReady: Promise<void> = Promise.resolve();
  private readonly predicted = new Map<string, FloatMap>();
  private readonly done = new Map<string, AlignmentDetail>();
  private readonly overlays = new Map<string, FloatMap>();
  private pending = '';
  private run = 0;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Called after each render with what is shown; starts a lookup or a computation when that changed. */
  sync({ image, api, view, map }: AlignmentInput): void {
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
    const key = `${map.method}|${map.classIndex}|${viewKey(view)}`;
    if (key === this.pending) return;
    this.pending = key;
    void this.compute(key, map, view, this.run);
  }

  /** The human map over the displayed picture, when the toggle is on and there is one. */
  overlay(width: number, height: number, view: ModelView | null): FloatMap | null {
    if (!this.showHuman || !this.humanMap) return null;
    const key = `${width}x${height}|${view ? viewKey(view) : ''}`;
    let o = this.overlays.get(key);
    if (!o) {
      o = humanOverlay(this.humanMap, view, width, height);
      this.overlays.set(key, o);
    }
    return o;
  }

  toggleHuman(on: boolean): void {
    this.showHuman = on && !!this.humanMap;
    this.host.requestUpdate();
  }

  private clear(): void {
    this.run++;
    const shown = this.current !== null || this.failure !== null || this.human !== null;
    Object.assign(this, { current: null, failure: null, human: null, humanMap: null, source: null, pending: '', showHuman: false });
    this.humanReady = Promise.resolve();
    this.predicted.clear();
    this.done.clear();
    this.overlays.clear();
    if (shown) this.host.requestUpdate();
  }

  private async lookUp(image: LoadedImage, api: string | undefined, token: number): Promise<void> {
    if (!api) return;
    let human: HumanAttention | null = null;
    try {
      const id = await imageId(image.blob);
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

  private async compute(key: string, map: { method: string; classIndex: number; map: FloatMap }, view: ModelView, token: number): Promise<void> {
    await this.humanReady;
    // after the map is painted
    await new Promise((r) => setTimeout(r, 0));
    if (token !== this.run || key !== this.pending || !this.source) return;
    let detail = this.done.get(key);
    try {
      if (!detail) {
        const base = { method: map.method, classIndex: map.classIndex };
        if (this.human && this.humanMap) {
          detail = { ...base, reference: this.human.source, annotators: this.human.annotators, scores: alignHuman(map.map, view, this.humanMap), agreement: this.human.agreement };
        } else {
          let density = this.predicted.get(viewKey(view));
          if (!density) {
            density = predictedReference(this.source.image.pixels, view);
            this.predicted.set(viewKey(view), density);
          }
          detail = { ...base, reference: 'PREDICTED', annotators: 0, scores: alignPredicted(map.map, density), agreement: null };
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
    this.failure = null;
    this.host.requestUpdate();
    this.host.dispatchEvent(new CustomEvent<AlignmentDetail>('saliency-alignment', { detail, bubbles: true, composed: true }));
  }
}

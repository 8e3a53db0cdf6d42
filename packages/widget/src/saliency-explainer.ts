// <saliency-explainer>: an image, a classifier's top predictions and the CAM heatmap of the selected
// class, computed in the browser (WebGPU or wasm) or by the saliency-explainer API; on request the
// map's caption and faithfulness report.
import { getCamMethod, type FloatMap, type HumanReference, type Prediction } from '@saliency-explainer/core';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { AlignmentController, type AlignmentDetail } from './alignment/alignment-controller.js';
import { alignmentStyles } from './alignment/alignment-styles.js';
import { alignmentView, referenceText } from './alignment/badges.js';
import { annotateStyles } from './annotate/annotate-styles.js';
import { annotateView } from './annotate/annotate-view.js';
import { AnnotationController, type AnnotationPhase, type AnnotationSubmittedDetail } from './annotate/annotation-controller.js';
import type { AnnotationTicket } from './annotate/campaign-api.js';
import { checkColormap, checkMethod, checkMode, checkTopK, clampOpacity, folderUrl, parseClasses } from './attributes.js';
import { captionStyles } from './caption/caption-styles.js';
import { captionNote, captionView } from './caption/caption-view.js';
import { describe } from './describe.js';
import { chooseEngine, type EngineConfig, type Fallback } from './engines/select.js';
import { checkEngineTimeout } from './engines/watchdog.js';
import type { Backend, Engine, EngineMap, EngineResult, ModelView } from './engines/types.js';
import { asWidgetError, type SaliencyErrorDetail, type WidgetError } from './errors.js';
import { reportCard, type HumanShare } from './faithfulness/report-card.js';
import { reportCardStyles } from './faithfulness/report-card-styles.js';
import { loadImage, type LoadedImage } from './image/load-image.js';
import { MeasuresController, type CaptionDetail, type FaithfulnessDetail } from './measures/measures-controller.js';
import { blend, defaultColormap, displayPixels, drawnMap, finalMap, mapForDisplay } from './render/heatmap.js';
import { badge, controls, errorBox, predictionsList, status, type Downloads } from './render/parts.js';
import { styles } from './styles.js';
import { TRANSFORMERS_MODULE, type CaptionerSource } from './engines/captioner-source.js';

/** A class map as the widget shows it: the raw map and the final map in [0, 1] at the model's input size. */
export interface ShownMap extends EngineMap {
  map: FloatMap;
  /** Where it was computed (on WebGPU, pixel attributions of a model with MaxPool are computed with wasm). */
  backend: Backend;
}

/** The detail of a `saliency-ready` event (fired after every computation: first result, method or class change). */
export interface SaliencyReadyDetail {
  backend: Backend;
  model: string;
  layer: string;
  method: string;
  predictions: Prediction[];
  /** The maps of `method` computed so far. */
  maps: ShownMap[];
  /** Backends tried before this one (mode="auto"), and why they were skipped. */
  fallbacks: Fallback[];
  /** Local engines: the model bytes came from Cache Storage (nothing downloaded). */
  modelFromCache?: boolean;
}

export type Phase = 'idle' | 'loading' | 'computing' | 'ready' | 'error';

/** In annotation mode, changing one of these starts a new session. */
const ANNOTATE_PROPERTIES = ['annotate', 'src', 'api', 'annotateTask', 'classIndex', 'model', 'maxClicks', 'timeLimit', 'ticket', 'campaignSession', 'practice'] as const;

const ANNOTATION_STATUS: Record<AnnotationPhase, Phase> = {
  idle: 'idle', loading: 'loading', ready: 'ready', annotating: 'ready', submitting: 'computing', done: 'ready', error: 'error',
};

/** Changing one of these starts over (image, engine, predictions). */
const RUN_PROPERTIES = ['src', 'model', 'modelSpec', 'mode', 'api', 'modelsBase', 'wasmPaths', 'engineTimeout', 'topK', 'classIndex', 'layer'] as const;

let instances = 0;

const mapKey = (method: string, classIndex: number) => `${method}|${classIndex}`;

/**
 * @summary Explains an image classifier's prediction with a Grad-CAM-family heatmap.
 * @fires saliency-ready - a result is shown; detail: SaliencyReadyDetail
 * @fires saliency-error - something failed; detail: { code, message }
 * @fires saliency-alignment - the shown map's alignment scores are ready; detail: AlignmentDetail
 * @fires saliency-caption - the shown map's caption is ready (attribute caption); detail: CaptionDetail
 * @fires saliency-faithfulness - the shown map's faithfulness report is ready (attribute faithfulness); detail: FaithfulnessDetail
 * @fires annotation-submitted - annotation mode: the clicks were stored; detail: { annotationId, clicks, campaignStep?, practice? }
 * @fires annotation-ticket-needed - annotation mode with a ticket property: it is spent or expired (a submission failed); set a new one (nextCampaignImage); detail: { reason }
 * @csspart badge - where the result was computed: WebGPU, wasm or server
 * @csspart canvas - the image with the heatmap overlay
 * @csspart status - the progress line over the image
 * @csspart progress - the progress bar
 * @csspart predictions - the list of top predictions (a listbox)
 * @csspart prediction - one prediction; the selected one also has part prediction-selected
 * @csspart controls - method picker and opacity slider
 * @csspart method - the method picker
 * @csspart opacity - the opacity slider
 * @csspart explanation - the plain-language sentence (aria-live); with caption, the caption
 * @csspart caption - with the caption attribute: the caption (the same element as explanation)
 * @csspart caption-number - a number of the caption (focusable; data-fact, data-field)
 * @csspart caption-note - what a caption number measures (shown on focus or hover)
 * @csspart report-card - with the faithfulness attribute: the shown map's faithfulness report
 * @csspart curves-toggle - the report card's Curves button (aria-expanded)
 * @csspart curves-chart - the deletion and insertion curves (SVG)
 * @csspart placeholder - the image well's text when there is no picture (no src, image unavailable)
 * @csspart error - the error box
 * @csspart retry - the error box's retry button
 * @csspart alignment - the alignment line: scores of the shown map against human attention (or a prediction)
 * @csspart alignment-score - one score badge (data-metric, data-value)
 * @csspart agreement - how well the people agree with one another
 * @csspart alignment-details - the disclosure with every score
 * @csspart human-toggle - the "Human attention" checkbox (overlay the human map instead of the model's)
 * @csspart annotate - annotation mode: the whole view
 * @csspart prompt - annotation mode: the task to do
 * @csspart crosshair - annotation mode: the keyboard crosshair (the bubble it would reveal)
 * @csspart annotate-controls - annotation mode: clicks left, countdown, Undo and Submit
 * @csspart clicks-left - annotation mode: "Clicks left N of M"
 * @csspart timer - annotation mode: the countdown
 * @csspart undo - annotation mode: Undo last click
 * @csspart submit - annotation mode: Submit
 * @csspart thanks - annotation mode: the thank-you note
 * @csspart again - annotation mode: Start again (the time ran out before any click)
 * @csspart start-card - annotation mode: the task's terms and the Start button, before the image is shown
 * @csspart start - annotation mode: the Start button (the blurred image and the clock start with it)
 * @cssprop --saliency-accent - selection, bars and sliders (#2563eb)
 * @cssprop --saliency-fg - text colour
 * @cssprop --saliency-muted - secondary text colour
 * @cssprop --saliency-bg - background
 * @cssprop --saliency-surface - image well and bar tracks
 * @cssprop --saliency-border - borders
 * @cssprop --saliency-error - error colour
 * @cssprop --saliency-radius - corner radius (8px)
 * @cssprop --saliency-focus-ring - focus outline colour
 * @cssprop --saliency-font - font shorthand
 * @cssprop --saliency-max-width - the element's largest width (760px)
 */
@customElement('saliency-explainer')
export class SaliencyExplainer extends LitElement {
  static override styles = [styles, alignmentStyles, annotateStyles, captionStyles, reportCardStyles];

  /** URL of the image to explain (fetched: another origin must allow CORS). */
  @property() src?: string;
  /** Text alternative of the image (default: its file name). */
  @property() alt?: string;
  /** A model id of the manifest (default: the manifest's or server's default), or the URL of an .onnx file with `model-spec`. */
  @property() model?: string;
  /**
   * For a model given by URL: its spec, as JSON text or the URL of a JSON file; without it, NAME.json or
   * model.json beside the model. Only the preprocessing is required ({"channelOrder","scale","mean","std"},
   * plus "labels": a list or a file's URL); the input's name and size and the output come from the graph.
   * A models/manifest.json entry or a ../shared/models model.json works as it is.
   */
  @property({ attribute: 'model-spec' }) modelSpec?: string;
  /** Method id: a CAM (gradcam, gradcam++, scorecam, …) or a pixel attribution (saliency, integratedgradients, smoothgrad, …). */
  @property({ reflect: true }) method = 'gradcam';
  /** How many of the most probable classes to explain and list (1-10). */
  @property({ attribute: 'top-k', type: Number }) topK = 3;
  /** Explain these class indices instead of the top-k ("243" or "243,282"); the first is shown. */
  @property({ attribute: 'class-index' }) classIndex?: string;
  /** Target layer (a 4-D tensor of the model); the model's default when empty. */
  @property() layer?: string;
  /** auto (WebGPU → wasm → api), webgpu, wasm, or remote. */
  @property({ reflect: true }) mode = 'auto';
  /** The saliency-explainer GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. No api: no remote engine. */
  @property() api?: string;
  /** Folder of manifest.json and files/ (default: /models/ at the api's origin, else at this script's origin). */
  @property({ attribute: 'models-base' }) modelsBase?: string;
  /** Folder of ONNX Runtime Web's .mjs and .wasm files (default: /ort/ at the api's origin, else at this script's origin). */
  @property({ attribute: 'wasm-paths' }) wasmPaths?: string;
  /** ms the local engine may take to start once the runtime and model are downloaded (default 60000; 0: no limit); past it ENGINE_TIMEOUT, and mode="auto" uses the API. */
  @property({ attribute: 'engine-timeout', type: Number }) engineTimeout?: number;
  /** jet, turbo, viridis, inferno or gray; unset: jet for CAMs, inferno for pixel attributions. */
  @property() colormap?: string;
  /** The heatmap's weight over the image, 0-1. */
  @property({ type: Number }) opacity = 0.5;
  /** Caption the shown map from measured facts (loads an object detector; a few more runs of the model per map). */
  @property({ type: Boolean, reflect: true }) caption = false;
  /**
   * Folder URL of a free-text captioner (an Optimum VisionEncoderDecoder ONNX export) whose description of
   * the salient crop the caption quotes, in wasm and webgpu mode; in remote mode the API's own captioner
   * setting applies. Loaded with transformers.js from `transformers-src`.
   */
  @property() captioner?: string;
  /** transformers.js's browser module (default: /transformers/transformers.min.js at the api's origin, else at this script's origin). */
  @property({ attribute: 'transformers-src' }) transformersSrc?: string;
  /** Show the shown map's faithfulness report card (deletion, insertion, ROAD: about 70 runs of the model per map). */
  @property({ type: Boolean, reflect: true }) faithfulness = false;
  /** Annotation mode (BubbleView): the annotator clicks a blurred image to reveal bubbles; the clicks go to `api`. No model runs. */
  @property({ type: Boolean, reflect: true }) annotate = false;
  /** Annotation task: describe (what does the image show) or find (the class `class-index`). */
  @property({ attribute: 'annotate-task' }) annotateTask = 'describe';
  /** Annotation mode: ask for at most this many clicks (the server may allow fewer). */
  @property({ attribute: 'max-clicks', type: Number }) maxClicks?: number;
  /** Annotation mode: ask for at most this many seconds (the server may allow less). */
  @property({ attribute: 'time-limit', type: Number }) timeLimit?: number;
  /**
   * Annotation mode: a ticket issued elsewhere — the `annotation` of startCampaignSession / nextCampaignImage
   * (or of startAnnotation), with the campaign's `minClicks` and `refractoryMs` — so the widget starts
   * no session of its own; `src` defaults to the ticket's `image.dataUrl`. A JavaScript property.
   */
  @property({ attribute: false }) ticket: AnnotationTicket | null = null;
  /** Annotation mode with `ticket`: the campaign session's token; the clicks go to submitCampaignAnnotation and annotation-submitted carries the next step. */
  @property({ attribute: 'campaign-session' }) campaignSession?: string;
  /** Annotation mode: a rehearsal on `src` — nothing is sent or stored (the terms of `ticket` when set, else max-clicks / time-limit). */
  @property({ type: Boolean }) practice = false;

  @state() private phase: Phase = 'idle';
  /** Downloads of this run that went to the network (cache hits never show), by what they fetch. */
  @state() private downloads: Downloads = {};
  @state() private error: WidgetError | null = null;
  /** The listed classes: the model's top predictions, then requested classes outside them. */
  @state() private predictions: Prediction[] = [];
  /** How many of `predictions` are the model's own top predictions (its ranking). */
  private topCount = 0;
  @state() private selected: number | null = null;
  @state() private picture: ImageData | null = null;
  @state() private result: (Omit<EngineResult, 'maps' | 'predictions'> & { fallbacks: Fallback[]; modelFromCache?: boolean }) | null = null;
  /** The report card's curves are shown. */
  @state() private curvesOpen = false;
  @query('canvas') private canvas!: HTMLCanvasElement | null;

  private readonly maps = new Map<string, ShownMap>();
  private readonly displayMaps = new Map<string, FloatMap>();
  /** The classes explained together with each map (one engine call): a caption's contrasts, as the API's. */
  private readonly groups = new Map<string, number[]>();
  private image: LoadedImage | null = null;
  private engine: Engine | null = null;
  private shownMethod = 'gradcam';
  private run = 0;
  private pictureVersion = 0;
  private drawn = '';
  private readonly idPrefix = `saliency-${++instances}-`;
  private readonly aligner = new AlignmentController(this);
  private readonly measures = new MeasuresController(this);
  private readonly annotation = new AnnotationController(this, () => ({
    src: this.src, api: this.api, task: this.annotateTask, classIndex: this.classIndex, model: this.model, maxClicks: this.maxClicks, timeLimit: this.timeLimit,
    ticket: this.ticket, campaignSession: this.campaignSession, practice: this.practice,
  }));

  /** Where the current result was computed (null before the first one). */
  get backend(): Backend | null {
    const shown = this.phase === 'ready' ? this.shownMap() : null;
    return shown?.backend ?? this.result?.backend ?? null;
  }

  /** idle (no src), loading, computing, ready or error (annotation mode: ready while annotating and once submitted). */
  get status(): Phase {
    return this.annotate ? ANNOTATION_STATUS[this.annotation.phase] : this.phase;
  }

  /** The last error, or null. */
  get lastError(): SaliencyErrorDetail | null {
    const error = this.annotate ? this.annotation.error : this.error;
    return error ? { code: error.code, message: error.message } : null;
  }

  /** Scores of the shown map against the image's human attention (else a predicted density); null until computed. */
  get alignment(): AlignmentDetail | null {
    return this.aligner.current;
  }

  /** The shown map's caption (attribute caption), once measured; else null. */
  get captionResult(): CaptionDetail | null {
    const c = this.measures.captions.current;
    if (c?.status !== 'ready' || !c.value) return null;
    const { sentences: _sentences, ...detail } = c.value;
    return detail;
  }

  /** The shown map's faithfulness report (attribute faithfulness), once measured; else null. */
  get faithfulnessResult(): FaithfulnessDetail | null {
    const r = this.measures.reports.current;
    return r?.status === 'ready' ? r.value : null;
  }

  /** The class whose map is shown. */
  get selectedClass(): number | null {
    return this.selected;
  }

  /** Start over (reload the image and rerun), e.g. after the API came back. */
  refresh(): void {
    void this.runAll();
  }

  /** Show the map of `classIndex` (computed on demand when it is not among the explained classes). */
  selectClass(classIndex: number): void {
    if (this.selected === classIndex) return;
    this.selected = classIndex;
    if (!this.maps.has(mapKey(this.shownMethod, classIndex))) void this.runClass(classIndex);
    else this.fireReady();
  }

  /** The method asked for (its id), or the one shown when the attribute is not a method. */
  private requestedMethod(): string {
    try {
      return checkMethod(this.method);
    } catch {
      return this.shownMethod;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // reattached after a run was abandoned by disconnectedCallback
    if (this.hasUpdated && !this.annotate && (this.phase === 'loading' || this.phase === 'computing')) void this.runAll();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.run++;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.willRun(changed);
    // what the alignment badges score: the shown map, once ready (its state changes join this render)
    const map = !this.annotate && this.phase === 'ready' ? this.shownMap() : null;
    let api: string | undefined;
    try {
      api = this.api ? new URL(this.api, document.baseURI).href : undefined;
    } catch {
      api = undefined; // a bad api attribute is the run's error (engineConfig)
    }
    this.aligner.sync({ image: this.annotate ? null : this.image, api, view: this.result?.view ?? null, map, model: this.result?.model ?? null });
    this.measures.sync({
      caption: this.caption, faithfulness: this.faithfulness, engine: this.annotate ? null : this.engine, image: this.image, map,
      others: map ? this.othersOf(map) : [], modelsBase: this.modelsBaseUrl(), human: (c) => this.humanReference(c),
      captioner: this.captionerSource(),
    });
  }

  /** The other maps explained in the same engine call as `map` (same method). */
  private othersOf(map: ShownMap): { classIndex: number; map: FloatMap }[] {
    const classes = this.groups.get(mapKey(map.method, map.classIndex)) ?? [];
    return classes.filter((c) => c !== map.classIndex).flatMap((c) => {
      const m = this.maps.get(mapKey(map.method, c));
      return m ? [{ classIndex: c, map: m.map }] : [];
    });
  }

  /** The `captioner` folder and the transformers.js module that runs it, as absolute URLs; null without one. */
  private captionerSource(): CaptionerSource | null {
    if (!this.captioner) return null;
    try {
      const home = this.api ? new URL(this.api, document.baseURI).href : import.meta.url;
      return {
        folder: folderUrl(this.captioner, document.baseURI),
        library: new URL(this.transformersSrc || `/transformers/${TRANSFORMERS_MODULE}`, this.transformersSrc ? document.baseURI : home).href,
      };
    } catch {
      return null; // an unparsable URL: no captioner phrase (the caption's facts do not depend on it)
    }
  }

  private modelsBaseUrl(): string {
    try {
      return this.engineConfig().modelsBase;
    } catch {
      return new URL('/models/', import.meta.url).href; // a bad attribute is the run's error
    }
  }

  /** The human reference of a class's map, as the badges pick it, in core's shape (captions' human fact). */
  private async humanReference(classIndex: number): Promise<HumanReference | null> {
    const r = await this.aligner.referenceFor(classIndex, this.result?.model ?? null);
    return r && { map: r.map, source: r.source === 'CROWD' ? 'crowd' : 'eye-tracking' };
  }

  /** Start what the changed properties ask for: an annotation session, a whole run, another method. */
  private willRun(changed: PropertyValues<this>): void {
    if (this.annotate) {
      if (ANNOTATE_PROPERTIES.some((p) => changed.has(p))) {
        this.run++;
        void this.annotation.start();
      }
      return;
    }
    if (changed.get('annotate') === true) {
      this.annotation.stop();
      this.drawn = '';
      void this.runAll();
    } else if (RUN_PROPERTIES.some((p) => changed.has(p))) {
      void this.runAll();
    } else if (changed.has('method')) {
      void this.runMethod();
    }
    if (changed.has('colormap') && this.hasUpdated && this.colormap) {
      try {
        checkColormap(this.colormap);
      } catch (e) {
        this.fail(e, this.run);
      }
    }
  }

  private engineConfig(): EngineConfig {
    const api = this.api ? new URL(this.api, document.baseURI).href : undefined;
    // defaults live at the API's origin, or else where this script was served from
    const home = api ?? import.meta.url;
    return {
      mode: checkMode(this.mode),
      api,
      modelsBase: this.modelsBase ? folderUrl(this.modelsBase, document.baseURI) : new URL('/models/', home).href,
      wasmPaths: this.wasmPaths ? folderUrl(this.wasmPaths, document.baseURI) : new URL('/ort/', home).href,
      model: this.model || undefined,
      modelSpec: this.modelSpec,
      engineTimeout: this.engineTimeout === undefined ? undefined : checkEngineTimeout(this.engineTimeout),
    };
  }

  private reset(): void {
    this.phase = 'loading';
    this.error = null;
    this.downloads = {};
    this.predictions = [];
    this.selected = null;
    this.result = null;
    this.engine = null;
    this.maps.clear();
    this.displayMaps.clear();
    this.groups.clear();
  }

  private setPicture(image: LoadedImage, view: ModelView | null): void {
    this.picture = displayPixels(image, view);
    this.pictureVersion++;
    this.displayMaps.clear();
  }

  /** Load the image, choose the engine (falling back in auto mode) and compute the first maps. */
  private async runAll(): Promise<void> {
    const token = ++this.run;
    this.reset();
    try {
      const method = checkMethod(this.method);
      const classes = parseClasses(this.classIndex);
      const topK = checkTopK(this.topK);
      if (this.colormap) checkColormap(this.colormap);
      const config = this.engineConfig();
      if (!this.src) {
        this.phase = 'idle';
        this.picture = null;
        return;
      }
      const image = await loadImage(this.src);
      if (token !== this.run) return;
      this.image?.bitmap.close();
      this.image = image;
      this.setPicture(image, null);
      const query = { methods: [method], layer: this.layer || undefined, ...(classes ? { classes } : { topK }) };
      const choice = await chooseEngine(config, image, query, (p) => {
        // a first report that is already complete is a Cache Storage hit: nothing to show
        if (token === this.run && (this.downloads[p.what] || p.total === null || p.loaded < p.total)) {
          this.downloads = { ...this.downloads, [p.what]: p };
        }
      }, () => {
        if (token === this.run) this.phase = 'computing';
      });
      if (token !== this.run) return;
      const { maps: _maps, predictions: _predictions, ...rest } = choice.result;
      this.engine = choice.engine;
      this.result = { ...rest, fallbacks: choice.fallbacks, modelFromCache: choice.modelFromCache };
      this.downloads = {};
      if (rest.view.resize !== 'stretch') this.setPicture(image, rest.view);
      this.apply(choice.result, method, classes);
    } catch (e) {
      this.fail(e, token);
    }
  }

  /** The classes explained: class-index, or the top-k of the predictions. */
  private targetClasses(): number[] {
    return parseClasses(this.classIndex) ?? this.predictions.slice(0, this.topK).map((p) => p.index);
  }

  /** Another method for the same classes, on the engine already chosen. */
  private async runMethod(): Promise<void> {
    if (!this.engine || !this.image || this.phase === 'loading') {
      await this.runAll();
      return;
    }
    const token = ++this.run;
    try {
      const method = checkMethod(this.method);
      const classes = this.targetClasses();
      if (classes.every((c) => this.maps.has(mapKey(method, c)))) {
        this.shownMethod = method;
        this.phase = 'ready';
        this.error = null;
        this.fireReady();
        return;
      }
      this.phase = 'computing';
      this.error = null;
      const r = await this.engine.explain(this.image, { methods: [method], classes, layer: this.layer || undefined });
      if (token === this.run) this.apply(r, method, classes);
    } catch (e) {
      this.fail(e, token);
    }
  }

  /** The map of one more class (selected from the list but not explained yet). */
  private async runClass(classIndex: number): Promise<void> {
    if (!this.engine || !this.image) return;
    const token = ++this.run;
    const method = this.requestedMethod();
    this.phase = 'computing';
    try {
      const r = await this.engine.explain(this.image, { methods: [method], classes: [classIndex], layer: this.layer || undefined });
      if (token === this.run) this.apply(r, method, [classIndex]);
    } catch (e) {
      this.fail(e, token);
    }
  }

  private apply(r: EngineResult, method: string, classes: number[] | undefined): void {
    const engine = this.engine?.backend;
    if (this.result && engine && r.backend !== engine && !this.result.fallbacks.some((f) => f.code === 'WEBGPU_UNSUPPORTED')) {
      // the local WebGPU engine handed the maps to its wasm twin (LocalEngine.explain): say so, once
      const reason = { backend: engine, code: 'WEBGPU_UNSUPPORTED', message: `${getCamMethod(method).name} was computed with ${r.backend}: ONNX Runtime Web's WebGPU provider cannot run this model's backward pass to the pixels` };
      this.result = { ...this.result, fallbacks: [...this.result.fallbacks, reason] };
    }
    for (const m of r.maps) {
      this.maps.set(mapKey(m.method, m.classIndex), { ...m, backend: r.backend, map: finalMap(m.raw, r.view) });
      this.groups.set(mapKey(m.method, m.classIndex), r.maps.filter((o) => o.method === m.method).map((o) => o.classIndex));
    }
    if (!this.predictions.length) {
      // requested classes outside the top predictions are listed after them, with their scores
      const list = [...r.predictions];
      this.topCount = list.length;
      for (const m of r.maps) if (!list.some((p) => p.index === m.classIndex)) list.push({ index: m.classIndex, label: m.label, score: m.score });
      this.predictions = list;
    }
    this.shownMethod = method;
    if (this.selected === null || !this.maps.has(mapKey(method, this.selected))) {
      this.selected = classes?.[0] ?? r.maps.find((m) => m.method === method)?.classIndex ?? this.predictions[0]?.index ?? null;
    }
    this.phase = 'ready';
    this.error = null;
    this.fireReady();
  }

  private fireReady(): void {
    const r = this.result;
    if (!r) return;
    const detail: SaliencyReadyDetail = {
      backend: this.backend ?? r.backend,
      model: r.model,
      layer: r.layer,
      method: this.shownMethod,
      predictions: [...this.predictions],
      maps: [...this.maps.values()].filter((m) => m.method === this.shownMethod),
      fallbacks: r.fallbacks,
      modelFromCache: r.modelFromCache,
    };
    this.dispatchEvent(new CustomEvent<SaliencyReadyDetail>('saliency-ready', { detail, bubbles: true, composed: true }));
  }

  private fail(e: unknown, token: number): void {
    if (token !== this.run) return;
    const error = asWidgetError(e, 'ENGINE_FAILED');
    this.phase = 'error';
    this.error = error;
    this.downloads = {};
    const detail: SaliencyErrorDetail = { code: error.code, message: error.message };
    this.dispatchEvent(new CustomEvent<SaliencyErrorDetail>('saliency-error', { detail, bubbles: true, composed: true }));
  }

  private shownMap(): ShownMap | null {
    return this.selected === null ? null : (this.maps.get(mapKey(this.shownMethod, this.selected)) ?? null);
  }

  private readonly onKey = (e: KeyboardEvent): void => {
    const list = this.predictions;
    if (!list.length) return;
    const at = Math.max(0, list.findIndex((p) => p.index === this.selected));
    const next = { ArrowDown: at + 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowLeft: at - 1, Home: 0, End: list.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.selectClass(list[Math.min(list.length - 1, Math.max(0, next))].index);
  };

  private readonly onMethod = (e: Event): void => {
    this.method = (e.target as HTMLSelectElement).value;
  };

  private readonly onOpacity = (e: Event): void => {
    this.opacity = Number((e.target as HTMLInputElement).value);
  };

  private imageName(): string {
    return this.alt ?? (this.src ? decodeURIComponent(new URL(this.src, document.baseURI).pathname.split('/').pop() || 'image') : 'image');
  }

  private altText(map: ShownMap | null): string {
    const name = this.imageName();
    if (!map) return name;
    if (this.aligner.showHuman) return `${name}, with the human attention map over it`;
    return `${name}, with the ${getCamMethod(map.method).name} heatmap for “${map.label}” over it`;
  }

  private placeholderText(): string {
    if (!this.src) return 'No image: set the src attribute.';
    return this.error?.code === 'IMAGE_LOAD_FAILED' ? 'Image unavailable' : '';
  }

  private statusMessage(): string {
    if (this.phase === 'loading' && !this.image) return 'Loading the image…';
    const name = (() => {
      try {
        return getCamMethod(this.method).name;
      } catch {
        return this.method;
      }
    })();
    return this.engine?.backend === 'server' || (!this.engine && this.mode === 'remote') ? `Asking the server for ${name}…` : `Computing ${name}…`;
  }

  protected override render() {
    if (this.annotate) return annotateView(this.annotation, this.idPrefix, this.imageName(), 'No image: set the src attribute.');
    const map = this.shownMap();
    const busy = this.phase === 'loading' || this.phase === 'computing';
    const shownPrediction = map && (this.predictions.find((p) => p.index === map.classIndex) ?? { index: map.classIndex, label: map.label, score: map.score });
    const sentence = this.phase === 'ready' && map && shownPrediction
      ? describe(this.predictions.slice(0, this.topCount), shownPrediction, getCamMethod(map.method).name, map.map)
      : '';
    return html`<div class="layout">
        <div class="media" part="media" aria-busy=${busy ? 'true' : 'false'}>
          <canvas part="canvas" role="img" aria-label=${this.altText(map)} ?hidden=${!this.picture}></canvas>
          ${this.picture ? nothing : html`<div class="placeholder" part="placeholder">${this.placeholderText()}</div>`}
          ${badge(this.backend)}
          ${busy ? status(this.statusMessage(), this.downloads) : nothing}
        </div>
        <div class="panel" part="panel">
          ${predictionsList({ predictions: this.predictions, selected: this.selected, idPrefix: this.idPrefix, onSelect: (i) => this.selectClass(i), onKey: this.onKey })}
          ${controls({ method: this.requestedMethod(), opacity: clampOpacity(this.opacity), disabled: busy, onMethod: this.onMethod, onOpacity: this.onOpacity })}
        </div>
      </div>
      ${this.explanation(map, sentence)}
      ${this.phase === 'ready' && map && this.faithfulness ? this.reportCard(map) : nothing}
      ${this.phase === 'ready' && map ? alignmentView(this.aligner) : nothing}
      ${this.error ? errorBox(this.error, () => this.refresh()) : nothing}`;
  }

  /** The sentence, or with `caption` the shown map's caption once measured (the sentence meanwhile). */
  private explanation(map: ShownMap | null, sentence: string) {
    const c = this.caption && this.phase === 'ready' && map ? this.measures.captions.current : null;
    const shown = c?.status === 'ready' ? c.value : null;
    const text = shown ? (shown.sentences ? captionView(shown.sentences, this.idPrefix) : shown.text) : sentence;
    return html`<p class="explanation" part=${this.caption ? 'explanation caption' : 'explanation'} aria-live="polite"
      data-caption=${c?.status ?? nothing}>${text}${c ? captionNote(c.status, c.error) : nothing}</p>`;
  }

  private reportCard(map: ShownMap) {
    const state = this.measures.reports.current;
    if (!state) return nothing;
    return reportCard({
      state, label: map.label, methodName: getCamMethod(map.method).name, human: this.humanShare(map), curvesOpen: this.curvesOpen,
      onToggleCurves: () => (this.curvesOpen = !this.curvesOpen), idPrefix: this.idPrefix,
    });
  }

  /** The shown map's CC with people as a share of the people's split-half CC, when the badges score it against people. */
  private humanShare(map: ShownMap): HumanShare | null {
    const a = this.aligner.current;
    if (!a || a.method !== map.method || a.classIndex !== map.classIndex || a.reference === 'PREDICTED' || !a.agreement) return null;
    const score = a.scores.find((s) => s.id === 'cc')?.value;
    const ceiling = a.agreement.find((s) => s.metric === 'cc')?.value;
    if (score == null || ceiling == null || !(ceiling > 0)) return null;
    return { metric: 'cc', score, ceiling, reference: referenceText(a) };
  }

  protected override updated(): void {
    if (this.annotate) this.annotation.draw(this.canvas);
    else this.draw();
  }

  /** Paint the picture with the selected map blended over it (only when something it shows changed). */
  private draw(): void {
    const canvas = this.canvas;
    const picture = this.picture;
    if (!canvas || !picture) return;
    const map = this.shownMap();
    const opacity = clampOpacity(this.opacity);
    let colormap;
    try {
      colormap = this.colormap ? checkColormap(this.colormap) : map ? defaultColormap(map.method) : 'jet';
    } catch {
      return;
    }
    const view = this.result && this.result.view.resize !== 'stretch' ? this.result.view : null;
    const human = map ? this.aligner.overlay(picture.width, picture.height, view) : null;
    const key = `${this.pictureVersion}|${human ? 'human' : map ? mapKey(map.method, map.classIndex) : ''}|${colormap}|${opacity}`;
    if (key === this.drawn) return;
    this.drawn = key;
    if (canvas.width !== picture.width || canvas.height !== picture.height) {
      canvas.width = picture.width;
      canvas.height = picture.height;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    if (!map) {
      ctx.putImageData(picture, 0, 0);
      return;
    }
    if (human) {
      ctx.putImageData(blend(picture, human, colormap, opacity), 0, 0);
      return;
    }
    const dkey = mapKey(map.method, map.classIndex);
    let shown = this.displayMaps.get(dkey);
    if (!shown) {
      shown = mapForDisplay(drawnMap(map), picture.width, picture.height);
      this.displayMaps.set(dkey, shown);
    }
    ctx.putImageData(blend(picture, shown, colormap, opacity), 0, 0);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'saliency-explainer': SaliencyExplainer;
  }
  interface HTMLElementEventMap {
    'saliency-ready': CustomEvent<SaliencyReadyDetail>;
    'saliency-error': CustomEvent<SaliencyErrorDetail>;
    'annotation-submitted': CustomEvent<AnnotationSubmittedDetail>;
    'annotation-ticket-needed': CustomEvent<{ reason: string | null }>;
    'saliency-alignment': CustomEvent<AlignmentDetail>;
    'saliency-caption': CustomEvent<CaptionDetail>;
    'saliency-faithfulness': CustomEvent<FaithfulnessDetail>;
  }
}

// The annotation mode's state (a Lit ReactiveController of <saliency-explainer>): load the image,
// store it on the server, start a session (or take a ticket issued elsewhere, e.g. a campaign's, or
// rehearse with nothing stored), wait for the participant's Start (the blurred image and the clock
// appear only then), collect clicks within the budget, the time limit and a campaign's refractory
// period, submit them (to the campaign session when there is one), and report success or the error.
import { bubbleGeometry } from '@saliency-explainer/core';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { asWidgetError, WidgetError, type SaliencyErrorDetail } from '../errors.js';
import { loadImage, type LoadedImage } from '../image/load-image.js';
import { displayPixels } from '../render/heatmap.js';
import {
  loadAnnotatorToken, saveAnnotatorToken, startAnnotation, submitAnnotation, uploadImage,
  type AnnotationSession, type Click, type StoredImage,
} from './annotation-api.js';
import { submitCampaignAnnotation, type CampaignStep } from './campaign-api.js';
import { annotationRequest, FINAL, RESUBMITTABLE, type AnnotationAttributes, type AnnotationRequest } from './annotation-config.js';
import { bubbleLayers, drawBubbles, type BubbleLayers } from './bubbles.js';
import { Countdown } from './countdown.js';

/** `ready`: the session is open and the task shown, waiting for the participant's Start. */
export type AnnotationPhase = 'idle' | 'loading' | 'ready' | 'annotating' | 'submitting' | 'done' | 'error';

/** The detail of an `annotation-submitted` event. */
export interface AnnotationSubmittedDetail {
  /** The stored annotation; null for a practice run (nothing is sent). */
  annotationId: string | null;
  /** What was sent: 0-based pixels of the stored image, t in ms since the image was shown. */
  clicks: Click[];
  /** With campaign-session: the session's next step (the next image's ticket, or the end with the completion code). */
  campaignStep?: CampaignStep;
  /** The practice attribute was set: nothing was stored. */
  practice?: boolean;
}

/** Practice runs without a ticket: BubbleView's budget and time unless max-clicks / time-limit say otherwise. */
const PRACTICE_CLICKS = 10;
const PRACTICE_SECONDS = 30;

/**
 * A continuous position on the stored image, as the API takes clicks: pixel i spans [i, i + 1), so a
 * point is on the image when 0 ≤ x < width (the browser's offset scaled to the image's natural size).
 */
export interface ImagePoint {
  x: number;
  y: number;
}

/** How far inside the right and bottom edges a clamped point lies (a click must have x < width). */
const EDGE = 1 / 1024;

const clamp = (v: number, size: number) => Math.min(size - EDGE, Math.max(0, v));

/** A ticket with less than this left besides the time limit is replaced when the participant starts. */
const TICKET_MARGIN_MS = 10_000;

export class AnnotationController implements ReactiveController {
  phase: AnnotationPhase = 'idle';
  error: WidgetError | null = null;
  /** Where the error happened: starting a session, or submitting its clicks (then the bubbles stay). */
  errorStage: 'start' | 'submit' = 'start';
  session: AnnotationSession | null = null;
  layers: BubbleLayers | null = null;
  clicks: Click[] = [];
  /** The keyboard crosshair (image pixels), shown while the canvas has keyboard focus. */
  crosshair: ImagePoint | null = null;
  keyboard = false;
  /** The polite live region's text. */
  announcement = '';
  annotationId: string | null = null;
  /** Clicks sooner than this after the previous one are ignored (a campaign's refractory period; 0 elsewhere). */
  refractoryMs = 0;
  /** Submit waits for this many clicks (a campaign's minimum; 1 elsewhere). */
  minClicks = 1;

  private request: AnnotationRequest | null = null;
  /** The image of `src`, as loaded and as stored on `api` ("Annotate again" reuses it). */
  private loaded: { src: string; api: string; image: LoadedImage; stored: StoredImage } | null = null;
  private readonly clock = new Countdown((e) => {
    if (e === 'ten-seconds-left') this.announce('10 seconds left.');
    else if (e === 'up') this.announce(this.clicks.length ? 'Time is up: submit your bubbles.' : 'Time is up.');
    else this.host.requestUpdate();
  });
  private run = 0;
  private drawn = '';

  constructor(private readonly host: ReactiveControllerHost & HTMLElement, private readonly attributes: () => AnnotationAttributes) {
    host.addController(this);
  }

  hostConnected(): void {
    // reattached after a start was abandoned by hostDisconnected
    if (this.phase === 'loading') void this.start();
    else if (this.phase === 'annotating') this.clock.resume();
  }

  hostDisconnected(): void {
    this.clock.stop();
    if (this.phase === 'loading') this.run++;
  }

  /** Whole seconds left (null before the image is shown). */
  get secondsLeft(): number | null {
    return this.clock.secondsLeft;
  }

  get timeUp(): boolean {
    return this.clock.timeUp;
  }

  /** Leave the annotation mode (the element shows explanations again). */
  stop(): void {
    this.run++;
    this.clock.reset();
    this.phase = 'idle';
    this.session = null;
    this.layers = null;
    this.error = null;
  }

  /** The stored image's size (the coordinates of clicks). */
  get imageSize(): { width: number; height: number } | null {
    return this.session ? { width: this.session.image.width, height: this.session.image.height } : null;
  }

  get canClick(): boolean {
    return this.phase === 'annotating' && !this.timeUp && this.clock.started && !!this.session && this.clicks.length < this.session.maxClicks;
  }

  get clicksLeft(): number {
    return this.session ? Math.max(0, this.session.maxClicks - this.clicks.length) : 0;
  }

  /** Canvas pixels per image pixel. */
  get scale(): number {
    return this.layers && this.session ? this.layers.width / this.session.image.width : 1;
  }

  /** Load, upload and start a session (again: a new ticket, no clicks). */
  async start(): Promise<void> {
    const token = ++this.run;
    this.clock.reset();
    Object.assign(this, { phase: 'loading', error: null, session: null, layers: null, clicks: [], crosshair: null, annotationId: null });
    this.drawn = '';
    this.announcement = '';
    this.host.requestUpdate();
    try {
      const request = annotationRequest(this.attributes());
      this.request = request;
      if (!request) {
        this.phase = 'idle';
        return;
      }
      if (request.practice || request.ticket) {
        await this.startWith(request, token);
        return;
      }
      this.refractoryMs = 0;
      this.minClicks = 1;
      let loaded = this.loaded?.src === request.src && this.loaded.api === request.api ? this.loaded : null;
      if (!loaded) {
        const image = await loadImage(request.src);
        if (token !== this.run) return;
        const stored = await uploadImage(request.api, image.blob);
        if (token !== this.run) return;
        this.loaded?.image.bitmap.close();
        loaded = this.loaded = { src: request.src, api: request.api, image, stored };
      }
      const session = await startAnnotation(request.api, {
        imageId: loaded.stored.id,
        task: request.task,
        classIndex: request.classIndex,
        model: request.task === 'find' ? request.model : undefined,
        annotatorToken: loadAnnotatorToken(),
        maxClicks: request.maxClicks,
        timeLimitSeconds: request.timeLimitSeconds,
      });
      if (token !== this.run) return;
      saveAnnotatorToken(session.annotatorToken);
      const picture = displayPixels(loaded.image, null);
      this.session = session;
      this.layers = bubbleLayers(picture, session.blurSigma * (picture.width / session.image.width));
      this.phase = 'ready';
      this.announce(`${session.prompt} You have ${session.maxClicks} clicks and ${session.timeLimitSeconds} seconds. Press Start when you are ready.`);
    } catch (e) {
      this.fail(e, token, 'start');
    }
  }

  /** A session from outside (the ticket property) or a practice one: the image is loaded, nothing is uploaded. */
  private async startWith(request: AnnotationRequest, token: number): Promise<void> {
    const image = await loadImage(request.src);
    if (token !== this.run) return;
    const width = image.pixels.width;
    const height = image.pixels.height;
    const t = request.ticket;
    let session: AnnotationSession;
    if (request.practice) {
      const g = bubbleGeometry(width, height);
      session = {
        ticket: '', annotatorToken: '', image: { id: 'practice', width, height },
        prompt: t?.prompt ?? 'Practice: click where you look to tell what this image shows.',
        maxClicks: t?.maxClicks ?? request.maxClicks ?? PRACTICE_CLICKS, timeLimitSeconds: t?.timeLimitSeconds ?? request.timeLimitSeconds ?? PRACTICE_SECONDS,
        bubbleRadius: g.radius, blurSigma: g.blurSigma, expiresAt: new Date(8.64e15).toISOString(),
      };
    } else {
      // the ticket names the stored image's size: src must be that image (its clicks are in its pixels)
      if (t!.image.width !== width || t!.image.height !== height) {
        throw new WidgetError('BAD_ATTRIBUTE', `src is ${width}×${height}, the ticket's image ${t!.image.width}×${t!.image.height}: src must be the ticket's image`);
      }
      // the stored image's id is the sha256 of its bytes (checked where the page has Web Crypto: secure contexts)
      if (/^[0-9a-f]{64}$/.test(t!.image.id) && globalThis.crypto?.subtle) {
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await image.blob.arrayBuffer()));
        if (token !== this.run) return;
        const hex = Array.from(digest, (v) => v.toString(16).padStart(2, '0')).join('');
        if (hex !== t!.image.id) throw new WidgetError('BAD_ATTRIBUTE', `src is not the ticket's image (sha256 ${hex.slice(0, 12)}…, the ticket's ${t!.image.id.slice(0, 12)}…)`);
      }
      session = { ...t!, annotatorToken: '' };
    }
    this.minClicks = Math.max(1, t?.minClicks ?? 1);
    this.refractoryMs = Math.max(0, t?.refractoryMs ?? 0);
    const picture = displayPixels(image, null);
    this.loaded?.image.bitmap.close();
    this.loaded = null;
    this.session = session;
    this.layers = bubbleLayers(picture, session.blurSigma * (picture.width / session.image.width));
    image.bitmap.close();
    this.phase = 'ready';
    this.announce(`${session.prompt} You have ${session.maxClicks} clicks and ${session.timeLimitSeconds} seconds. Press Start when you are ready.`);
  }

  /** Submit is enabled: at least the minimum of clicks. */
  get canSubmit(): boolean {
    return this.clicks.length >= this.minClicks;
  }

  /** A practice run (nothing is stored). */
  get practice(): boolean {
    return !!this.request?.practice;
  }

  /** A ticket from outside: the page supplies the next one (the annotation-ticket-needed event). */
  get externalTicket(): boolean {
    return !!this.request?.ticket && !this.request.practice;
  }

  /**
   * The participant's Start: the blurred image is drawn and the clock starts on the next frame. A
   * ticket that would expire before the time limit is over (the page was left open) is replaced first.
   */
  async begin(): Promise<void> {
    const session = this.session;
    if (this.phase !== 'ready' || !session) return;
    const token = this.run;
    if (!this.externalTicket && !this.request?.practice && Date.parse(session.expiresAt) - Date.now() < session.timeLimitSeconds * 1000 + TICKET_MARGIN_MS) {
      await this.start();
      if (token + 1 !== this.run || this.phase !== 'ready') return;
    }
    this.phase = 'annotating';
    this.announce('The image is shown: click where you look.');
  }

  /** Reveal a bubble at an image point (ignored when the budget or the time is used up). */
  addClick(p: ImagePoint): boolean {
    const session = this.session;
    if (!this.canClick || !session) return false;
    const x = clamp(p.x, session.image.width);
    const y = clamp(p.y, session.image.height);
    // ms since the image was shown, never decreasing
    const t = Math.max(this.clicks.at(-1)?.t ?? 0, this.clock.elapsed());
    const last = this.clicks.at(-1);
    if (last && t - last.t < this.refractoryMs) {
      this.announce('Wait a moment between clicks.');
      return false;
    }
    this.clicks = [...this.clicks, { x, y, t }];
    const left = this.clicksLeft;
    this.announce(left ? `Bubble ${this.clicks.length} revealed. ${left} ${left === 1 ? 'click' : 'clicks'} left.` : 'Bubble revealed. No clicks left: submit your bubbles.');
    return true;
  }

  undo(): void {
    if (this.phase !== 'annotating' || !this.clicks.length || this.timeUp) return;
    this.clicks = this.clicks.slice(0, -1);
    this.announce(`Last bubble removed. ${this.clicksLeft} clicks left.`);
  }

  async submit(): Promise<void> {
    const session = this.session;
    const request = this.request;
    if (!session || !request || !this.clicks.length || !this.canSubmit || !(this.phase === 'annotating' || this.phase === 'error')) return;
    const token = this.run;
    const clicks = this.clicks.map((c) => ({ ...c }));
    this.clock.stop();
    this.phase = 'submitting';
    this.error = null;
    this.host.requestUpdate();
    try {
      let detail: AnnotationSubmittedDetail;
      if (request.practice) {
        detail = { annotationId: null, clicks, practice: true };
      } else if (request.campaignSession) {
        const r = await submitCampaignAnnotation(request.api, request.campaignSession, session.ticket, clicks);
        detail = { annotationId: r.annotationId, clicks, campaignStep: r.step };
      } else {
        detail = { annotationId: await submitAnnotation(request.api, session.ticket, clicks), clicks };
      }
      if (token !== this.run) return;
      this.phase = 'done';
      this.annotationId = detail.annotationId;
      this.announce(request.practice
        ? `Practice done: ${clicks.length} ${clicks.length === 1 ? 'click' : 'clicks'} (nothing was saved).`
        : `Thank you: your ${clicks.length} ${clicks.length === 1 ? 'click was' : 'clicks were'} saved.`);
      this.host.dispatchEvent(new CustomEvent<AnnotationSubmittedDetail>('annotation-submitted', { detail, bubbles: true, composed: true }));
    } catch (e) {
      this.fail(e, token, 'submit');
    }
  }

  /** The error box's button: send the same clicks again when that can help, else a new session. */
  retry(): void {
    if (this.errorStage === 'submit' && this.error && RESUBMITTABLE.has(this.error.code) && !this.timeExpired()) void this.submit();
    else if (this.externalTicket && this.errorStage === 'submit') this.needTicket();
    else void this.start();
  }

  /** Ask the page for a fresh ticket (its ticket is spent or expired): the annotation-ticket-needed event. */
  needTicket(): void {
    this.host.dispatchEvent(new CustomEvent<{ reason: string | null }>('annotation-ticket-needed', { detail: { reason: this.error?.code ?? null }, bubbles: true, composed: true }));
  }

  /** Whether a retry can succeed at all (a duplicate annotation never will). */
  get canRetry(): boolean {
    return !!this.error && !FINAL.has(this.error.code);
  }

  /** Whether the error box's button resubmits (else it starts over). */
  get retryResubmits(): boolean {
    return this.errorStage === 'submit' && !!this.error && RESUBMITTABLE.has(this.error.code) && !this.timeExpired();
  }

  private timeExpired(): boolean {
    return !!this.session && Date.now() > Date.parse(this.session.expiresAt);
  }

  /** Keyboard mode on (the crosshair shows, from the centre) or off (pointer use, focus gone). */
  setKeyboard(on: boolean): void {
    this.keyboard = on;
    if (on && !this.crosshair) this.moveCrosshair(0, 0);
    this.host.requestUpdate();
  }

  /** Move the keyboard crosshair by (dx, dy) image pixels (starting from the centre). */
  moveCrosshair(dx: number, dy: number): void {
    const size = this.imageSize;
    if (!size) return;
    const c = this.crosshair ?? { x: size.width / 2, y: size.height / 2 };
    this.crosshair = { x: clamp(c.x + dx, size.width), y: clamp(c.y + dy, size.height) };
    this.host.requestUpdate();
  }

  /** Paint the canvas (blurred picture and the bubbles) when something it shows changed; starts the clock on first paint. */
  draw(canvas: HTMLCanvasElement | null): void {
    const layers = this.layers;
    // nothing is shown before the participant's Start
    if (!canvas || !layers || this.phase === 'ready') return;
    const key = `${this.run}|${this.clicks.length}|${this.clicks.at(-1)?.t ?? ''}`;
    if (key === this.drawn && canvas.width === layers.width) return;
    this.drawn = key;
    if (canvas.width !== layers.width || canvas.height !== layers.height) {
      canvas.width = layers.width;
      canvas.height = layers.height;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const s = this.scale;
    drawBubbles(ctx, layers, this.clicks.map((c) => ({ x: c.x * s, y: c.y * s })), (this.session?.bubbleRadius ?? 0) * s);
    if (this.phase === 'annotating' && this.session) this.clock.startAtNextFrame(this.session.timeLimitSeconds);
  }

  private announce(text: string): void {
    this.announcement = text;
    this.host.requestUpdate();
  }

  private fail(e: unknown, token: number, stage: 'start' | 'submit'): void {
    if (token !== this.run) return;
    const error = asWidgetError(e, 'API_UNAVAILABLE');
    this.phase = 'error';
    this.error = error;
    this.errorStage = stage;
    this.host.requestUpdate();
    const detail: SaliencyErrorDetail = { code: error.code, message: error.message };
    this.host.dispatchEvent(new CustomEvent<SaliencyErrorDetail>('saliency-error', { detail, bubbles: true, composed: true }));
  }
}

// <saliency-detector>: an object detector's boxes drawn on the photo, a box picked by the reader (a
// click on it — the smallest box under the pointer — or the list: arrow keys, Home/End), and the
// picked box explained (a gradient CAM of its score, or the image's EigenCAM map) drawn under the
// boxes. mode="wasm" runs core's DetectorExplainer in the page; mode="remote" asks the API (`api`).
// Both give the map on the letterboxed input; it is taken back to the photo with core's
// letterboxToImage and coloured with core's overlay (render/heatmap.ts's blend, as <saliency-explainer>), so the two modes draw the same pixels.
// Fires `saliency-detector-ready` with { backend, detections, box, method, inputMap, map } after each map.
import { getCamMethod, letterboxToImage, type FloatMap } from '@saliency-explainer/core';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { folderUrl } from '../attributes.js';
import { asWidgetError, WidgetError } from '../errors.js';
import { loadImage, type LoadedImage } from '../image/load-image.js';
import { blend } from '../render/heatmap.js';
import { LocalDetectorEngine, RemoteDetectorEngine, type DetectedBox, type DetectorEngine } from './detector-engines.js';

export interface DetectorReadyDetail {
  /** Where the map was computed (on WebGPU, box gradient CAMs run on wasm). */
  backend: 'wasm' | 'webgpu' | 'server';
  detections: DetectedBox[];
  box: number;
  method: string;
  /** The map on the detector's letterboxed input (input width × height, [0, 1]). */
  inputMap: FloatMap;
  /** The same map on the photo's pixels. */
  map: FloatMap;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** The photo's part of a letterboxed W×H input (YOLOX: r = min(W/w, H/h), sizes truncated). */
export function fittedSize(w: number, h: number, W: number, H: number): { width: number; height: number } {
  const r = Math.min(W / w, H / h);
  return { width: Math.max(1, Math.trunc(w * r)), height: Math.max(1, Math.trunc(h * r)) };
}

/** The smallest box containing image point (x, y), or -1. */
export function boxAt(boxes: readonly DetectedBox[], x: number, y: number): number {
  let best = -1;
  let area = Infinity;
  for (const b of boxes) {
    const [x0, y0, x1, y1] = b.box;
    const a = (x1 - x0) * (y1 - y0);
    if (x >= x0 && x <= x1 && y >= y0 && y <= y1 && a < area) {
      best = b.index;
      area = a;
    }
  }
  return best;
}

@customElement('saliency-detector')
export class SaliencyDetector extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; }
    .frame { position: relative; }
    canvas { width: 100%; height: auto; display: block; cursor: pointer; }
    [role=listbox] { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; outline: none; }
    [role=option] { padding: 2px 8px; border-radius: 4px; border: 2px solid var(--c); color: #111; }
    [role=option][aria-selected=true] { background: var(--c); color: #fff; }
    [role=listbox]:focus-visible [aria-selected=true] { outline: 2px solid #000; outline-offset: 1px; }
    [part=status] { color: #555; margin-top: 4px; }
  `;

  @property() src?: string;
  /** wasm or webgpu (in the page) or remote (the API at `api`). */
  @property() mode: 'wasm' | 'webgpu' | 'remote' = 'wasm';
  @property() api?: string;
  /** A detector id of the manifest (local: its first detector when omitted; remote: yolox-nano). */
  @property() model?: string;
  @property() method = 'gradcam';
  @property({ type: Number }) box = 0;
  @property({ attribute: 'models-base' }) modelsBase?: string;
  @property({ attribute: 'wasm-paths' }) wasmPaths?: string;

  @state() private detections: DetectedBox[] = [];
  @state() private status = 'loading…';
  private image: LoadedImage | null = null;
  private engine: DetectorEngine | null = null;
  private mapOnPhoto: FloatMap | null = null;
  private run = 0;

  private makeEngine(): DetectorEngine {
    if (this.mode === 'remote') {
      if (!this.api) throw new WidgetError('NO_API', 'mode="remote" needs the api attribute (the GraphQL endpoint)');
      return new RemoteDetectorEngine(this.api, this.model ?? 'yolox-nano');
    }
    if (this.mode !== 'wasm' && this.mode !== 'webgpu') throw new WidgetError('BAD_ATTRIBUTE', `mode="${this.mode}": expected wasm, webgpu or remote`);
    const home = document.baseURI;
    return new LocalDetectorEngine(this.modelsBase ? folderUrl(this.modelsBase, home) : new URL('/models/', home).href,
      this.wasmPaths ? folderUrl(this.wasmPaths, home) : new URL('/ort/', home).href, this.model, this.mode);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('src') || changed.has('mode') || changed.has('api') || changed.has('model')) void this.start();
    else if (changed.has('box') || changed.has('method')) void this.explainSelected();
  }

  private async start(): Promise<void> {
    const run = ++this.run;
    try {
      if (!this.src) return;
      this.engine = this.makeEngine();
      this.status = 'detecting…';
      this.image = await loadImage(this.src);
      const detections = await this.engine.detect(this.image);
      if (run !== this.run) return;
      this.detections = detections;
      if (this.box >= detections.length) this.box = 0;
      await this.explainSelected();
    } catch (e) {
      this.fail(e);
    }
  }

  private async explainSelected(): Promise<void> {
    const run = ++this.run;
    const { image, engine } = this;
    if (!image || !engine) return;
    try {
      const method = getCamMethod(this.method).id;
      if (!this.detections.length) {
        this.status = 'no objects found';
        this.draw();
        return;
      }
      const index = this.box;
      const picked = this.detections[index];
      this.status = `explaining #${index} ${picked.label}…`;
      const inputMap = await engine.explainBox(image, index, method);
      if (run !== this.run) return;
      const { width, height } = image.pixels;
      const map = letterboxToImage(inputMap, fittedSize(width, height, inputMap.width, inputMap.height), width, height);
      this.mapOnPhoto = map;
      const backend = engine.backendFor(method);
      this.status = `${getCamMethod(method).name} of #${index} ${picked.label} (${picked.score.toFixed(2)}) · ${backend}`;
      this.draw();
      this.dispatchEvent(new CustomEvent<DetectorReadyDetail>('saliency-detector-ready', {
        detail: { backend, detections: this.detections, box: index, method, inputMap, map }, bubbles: true, composed: true,
      }));
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    const error = asWidgetError(e, 'ENGINE_FAILED');
    this.status = `error: ${error.message}`;
    this.dispatchEvent(new CustomEvent('saliency-error', { detail: { code: error.code, message: error.message }, bubbles: true, composed: true }));
  }

  private draw(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas || !this.image) return;
    const { width, height } = this.image.pixels;
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d')!;
    // the map over the photo as <saliency-explainer> draws it (jet, half and half)
    ctx.putImageData(this.mapOnPhoto ? blend(this.image.pixels, this.mapOnPhoto, 'jet', 0.5) : this.image.pixels, 0, 0);
    const line = Math.max(2, Math.round(Math.min(width, height) / 150));
    const font = Math.max(11, Math.round(Math.min(width, height) / 22));
    ctx.font = `${font}px system-ui, sans-serif`;
    for (const d of this.detections) {
      const [x0, y0, x1, y1] = d.box;
      const colour = PALETTE[d.classIndex % PALETTE.length];
      const picked = d.index === this.box;
      ctx.lineWidth = picked ? 2 * line : line;
      ctx.strokeStyle = colour;
      ctx.setLineDash(picked ? [] : [2 * line, line]);
      ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
      const text = `#${d.index} ${d.label} ${d.score.toFixed(2)}`;
      const tw = ctx.measureText(text).width + 6;
      const ty = y0 - font - 4 >= 0 ? y0 - font - 4 : y0;
      ctx.fillStyle = colour;
      ctx.fillRect(x0, ty, tw, font + 4);
      ctx.fillStyle = '#fff';
      ctx.fillText(text, x0 + 3, ty + font);
    }
  }

  /** Pick a box (index into the detections); the map follows. */
  pick(index: number): void {
    if (index >= 0 && index < this.detections.length && index !== this.box) this.box = index;
  }

  private onClick(ev: MouseEvent): void {
    const canvas = ev.currentTarget as HTMLCanvasElement;
    const r = canvas.getBoundingClientRect();
    const x = ((ev.clientX - r.left) / r.width) * canvas.width;
    const y = ((ev.clientY - r.top) / r.height) * canvas.height;
    const k = boxAt(this.detections, x, y);
    if (k >= 0) this.pick(k);
  }

  private onKey(ev: KeyboardEvent): void {
    const n = this.detections.length;
    if (!n) return;
    const next = { ArrowRight: this.box + 1, ArrowDown: this.box + 1, ArrowLeft: this.box - 1, ArrowUp: this.box - 1, Home: 0, End: n - 1 }[ev.key];
    if (next === undefined) return;
    ev.preventDefault();
    this.pick(Math.min(n - 1, Math.max(0, next)));
  }

  protected override firstUpdated(): void {
    this.draw();
  }

  override render() {
    return html`<div class="frame"><canvas part="canvas" @click=${this.onClick}></canvas></div>
      ${this.detections.length ? html`<div role="listbox" part="boxes" tabindex="0" aria-label="detected objects" aria-activedescendant=${`box-${this.box}`} @keydown=${this.onKey}>
        ${this.detections.map((d) => html`<span role="option" id=${`box-${d.index}`} aria-selected=${d.index === this.box ? 'true' : 'false'}
          style=${`--c: ${PALETTE[d.classIndex % PALETTE.length]}`} @click=${() => this.pick(d.index)}>#${d.index} ${d.label} ${d.score.toFixed(2)}</span>`)}
      </div>` : nothing}
      <div part="status" aria-live="polite">${this.status}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'saliency-detector': SaliencyDetector;
  }
}

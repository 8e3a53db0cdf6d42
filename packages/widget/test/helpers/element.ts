// Mounting widgets in the test page and waiting for their events and states.
import '../../src/index.js';
import type { SaliencyExplainer, SaliencyReadyDetail } from '../../src/index.js';
import type { SaliencyErrorDetail } from '../../src/errors.js';

let count = 0;

export interface Mounted {
  el: SaliencyExplainer;
  selector: string;
}

/** A <saliency-explainer> with these attributes, added to the page. */
export function mount(attributes: Record<string, string>): Mounted {
  const el = document.createElement('saliency-explainer');
  el.id = `widget-${++count}`;
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  el.style.width = '720px';
  document.body.append(el);
  return { el, selector: `#${el.id}` };
}

/** The next saliency-ready event (rejects on saliency-error or after `ms`). */
export function nextReady(el: HTMLElement, ms = 200_000): Promise<SaliencyReadyDetail> {
  return nextEvent(el, 'saliency-ready', 'saliency-error', ms) as Promise<SaliencyReadyDetail>;
}

/** The next saliency-error event (rejects on saliency-ready or after `ms`). */
export function nextError(el: HTMLElement, ms = 200_000): Promise<SaliencyErrorDetail> {
  return nextEvent(el, 'saliency-error', 'saliency-ready', ms) as Promise<SaliencyErrorDetail>;
}

/** The detail of the next `type` event of the widget (rejects on saliency-error or after `ms`). */
export function nextDetail<T>(el: HTMLElement, type: string, ms = 200_000): Promise<T> {
  return nextEvent(el, type, 'saliency-error', ms) as Promise<T>;
}

/**
 * The detail of the next `type` event, failing as soon as the widget shows `[selector]` (a
 * measurement that failed: its message in the rejection) rather than at the timeout.
 */
export function nextMeasure<T>(el: SaliencyExplainer, type: string, failed: string, ms = 200_000): Promise<T> {
  let timer: ReturnType<typeof setInterval> | undefined;
  const failure = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const f = el.shadowRoot?.querySelector(failed);
      if (f) reject(new Error(`${type}: ${f.textContent?.replace(/\s+/g, ' ').trim()}`));
    }, 100);
  });
  return Promise.race([nextDetail<T>(el, type, ms), failure]).finally(() => clearInterval(timer));
}

function nextEvent(el: HTMLElement, want: string, unwanted: string, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(() => reject(new Error(`no ${want} within ${ms} ms`))), ms);
    const onWant = (e: Event) => done(() => resolve((e as CustomEvent).detail));
    const onUnwanted = (e: Event) => done(() => reject(new Error(`${unwanted} instead of ${want}: ${JSON.stringify((e as CustomEvent).detail)}`)));
    function done(f: () => void) {
      clearTimeout(timer);
      el.removeEventListener(want, onWant);
      el.removeEventListener(unwanted, onUnwanted);
      f();
    }
    el.addEventListener(want, onWant);
    el.addEventListener(unwanted, onUnwanted);
  });
}

/** An element of the widget's shadow root (fails when absent, unless `optional`). */
export function part<T extends Element = HTMLElement>(el: SaliencyExplainer, selector: string): T;
export function part<T extends Element = HTMLElement>(el: SaliencyExplainer, selector: string, optional: true): T | null;
export function part<T extends Element = HTMLElement>(el: SaliencyExplainer, selector: string, optional = false): T | null {
  const found = el.shadowRoot?.querySelector<T>(selector) ?? null;
  if (!found && !optional) throw new Error(`no ${selector} in the widget`);
  return found;
}

/** Wait for the element's render after state changes. */
export async function settled(el: SaliencyExplainer): Promise<void> {
  await el.updateComplete;
  await new Promise((r) => requestAnimationFrame(() => r(undefined)));
}

/** RGB bytes (alpha dropped) of RGBA pixels, as base64. */
export function rgbBase64(pixels: ImageData): string {
  const n = pixels.width * pixels.height;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = pixels.data[i * 4];
    rgb[i * 3 + 1] = pixels.data[i * 4 + 1];
    rgb[i * 3 + 2] = pixels.data[i * 4 + 2];
  }
  let s = '';
  for (let i = 0; i < rgb.length; i += 0x8000) s += String.fromCharCode(...rgb.subarray(i, i + 0x8000));
  return btoa(s);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The canvas pixels of the widget (what the user sees). */
export function canvasPixels(el: SaliencyExplainer): ImageData {
  const c = part<HTMLCanvasElement>(el, 'canvas');
  return c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
}

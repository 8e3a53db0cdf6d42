// The annotation mode's template: the task and a Start card, then the blurred picture with its bubbles
// (mouse, touch, or the keyboard crosshair), clicks left, the countdown, Undo and Submit, then a
// thank-you; errors in the shared error box with the annotator's words for each code, and a retry
// button only where the server can still accept something.
import { html, nothing, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { errorBox, status } from '../render/parts.js';
import type { AnnotationController } from './annotation-controller.js';
import { ANNOTATION_ERROR_TITLES } from './annotation-config.js';

/** Keyboard crosshair steps as fractions of the image's longer side (with Shift: the large one). */
const STEP = 1 / 50;
const LARGE_STEP = 1 / 10;

const pct = (v: number) => `${(v * 100).toFixed(3)}%`;

function clock(seconds: number | null): string {
  if (seconds === null) return '–:––';
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Pointer position → continuous image position (pixel i spans [i, i + 1)), from the canvas's box on the page. */
function pointerToImage(c: AnnotationController, e: MouseEvent): { x: number; y: number } | null {
  const size = c.imageSize;
  const canvas = e.currentTarget as HTMLCanvasElement;
  const r = canvas.getBoundingClientRect();
  if (!size || !r.width || !r.height) return null;
  return { x: ((e.clientX - r.left) / r.width) * size.width, y: ((e.clientY - r.top) / r.height) * size.height };
}

function onKey(c: AnnotationController, e: KeyboardEvent): void {
  const size = c.imageSize;
  if (!size) return;
  const step = Math.max(1, Math.round(Math.max(size.width, size.height) * (e.shiftKey ? LARGE_STEP : STEP)));
  const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  const move = moves[e.key];
  if (move || e.key === 'Enter' || e.key === ' ') c.setKeyboard(true);
  if (move) {
    e.preventDefault();
    c.moveCrosshair(move[0], move[1]);
  } else if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    if (!c.crosshair) c.moveCrosshair(0, 0);
    if (c.crosshair) c.addClick(c.crosshair);
  } else if (e.key === 'Backspace') {
    e.preventDefault();
    c.undo();
  }
}

function canvasLabel(c: AnnotationController): string {
  if (!c.session) return 'Blurred image';
  const left = c.clicksLeft;
  return `Blurred image with ${c.clicks.length} revealed ${c.clicks.length === 1 ? 'bubble' : 'bubbles'}, ${left} ${left === 1 ? 'click' : 'clicks'} left. `
    + 'Click to reveal a bubble, or use the arrow keys to move the crosshair and Enter to reveal one; Backspace undoes the last.';
}

function crosshair(c: AnnotationController): TemplateResult | typeof nothing {
  const size = c.imageSize;
  const p = c.crosshair;
  if (!size || !p || !c.keyboard || !c.canClick || !c.session) return nothing;
  const style = {
    left: pct(p.x / size.width),
    top: pct(p.y / size.height),
    width: pct((2 * c.session.bubbleRadius) / size.width),
  };
  return html`<div class="crosshair" part="crosshair" style=${styleMap(style)} aria-hidden="true"></div>`;
}

function busyMessage(c: AnnotationController): string | null {
  if (c.phase === 'loading') return c.session ? 'Starting…' : 'Loading the image…';
  if (c.phase === 'submitting') return 'Saving your clicks…';
  return null;
}

/** Before the participant's Start: what they will do, their budget, and the Start button. */
function startCard(c: AnnotationController): TemplateResult | typeof nothing {
  const s = c.session;
  if (c.phase !== 'ready' || !s) return nothing;
  return html`<div class="start-card" part="start-card">
    <p>You will see the image blurred. Each click reveals a sharp circle around it: click where you look.
      You have <strong>${s.maxClicks} ${s.maxClicks === 1 ? 'click' : 'clicks'}</strong> and
      <strong>${s.timeLimitSeconds} seconds</strong>; the clock starts when you press Start.${c.minClicks > 1 ? html` Make at least <strong>${c.minClicks} clicks</strong>.` : nothing}</p>
    <button part="start" class="primary" type="button" @click=${() => void c.begin()}>Start</button>
  </div>`;
}

function bar(c: AnnotationController): TemplateResult | typeof nothing {
  const s = c.session;
  if (!s || c.phase === 'done' || c.phase === 'loading' || c.phase === 'ready') return nothing;
  const editable = c.phase === 'annotating';
  const stuck = c.timeUp && !c.canSubmit;
  return html`<div class="annotate-bar" part="annotate-controls">
    <span class="counter" part="clicks-left">Clicks left <strong>${c.clicksLeft}</strong> of ${s.maxClicks}</span>
    ${editable
      ? html`<span class="timer" part="timer" role="timer" aria-label="Time left" data-expired=${c.timeUp ? 'true' : 'false'}
          >${c.timeUp ? 'Time is up' : `${clock(c.secondsLeft)} left`}</span>`
      : nothing}
    <span class="spacer"></span>
    <button part="undo" type="button" ?disabled=${!editable || !c.clicks.length || c.timeUp} @click=${() => c.undo()}>Undo last click</button>
    ${stuck
      ? html`<button part="again" class="primary" type="button" @click=${() => void c.start()}>Start again</button>`
      : html`<button part="submit" class="primary" type="button" ?disabled=${!editable || !c.canSubmit} @click=${() => void c.submit()}>Submit</button>`}
  </div>`;
}

function thanks(c: AnnotationController): TemplateResult | typeof nothing {
  if (c.phase !== 'done') return nothing;
  const n = c.clicks.length;
  // no "annotate again": the server keeps one annotation per annotator, image and task
  if (c.practice) {
    return html`<div class="thanks" part="thanks"><strong>Well done!</strong> That was practice: your ${n} ${n === 1 ? 'click was' : 'clicks were'} not saved.</div>`;
  }
  return html`<div class="thanks" part="thanks">
    <strong>Thank you!</strong> Your ${n} ${n === 1 ? 'click was' : 'clicks were'} saved.
  </div>`;
}

/** The whole annotation view; `idPrefix` keeps ids unique per element. */
export function annotateView(c: AnnotationController, idPrefix: string, alt: string, noSrcText: string): TemplateResult {
  const busy = busyMessage(c);
  const s = c.session;
  const error = c.error;
  return html`<div class="annotate" part="annotate">
    <p class="prompt" part="prompt" id="${idPrefix}prompt">${s ? s.prompt : nothing}</p>
    <div class="media" part="media" aria-busy=${busy ? 'true' : 'false'}>
      <div class="stage" ?hidden=${!c.layers || c.phase === 'ready'}>
        <canvas part="canvas" tabindex=${c.phase === 'annotating' ? '0' : '-1'} role="application" aria-roledescription="annotation"
          aria-label="${alt}: ${canvasLabel(c)}" aria-describedby="${idPrefix}prompt"
          data-can-click=${c.canClick ? 'true' : 'false'}
          @click=${(e: MouseEvent) => {
            const p = pointerToImage(c, e);
            c.setKeyboard(false);
            if (p) c.addClick(p);
          }}
          @keydown=${(e: KeyboardEvent) => onKey(c, e)}
          @focus=${(e: FocusEvent) => {
            if ((e.currentTarget as HTMLElement).matches(':focus-visible')) c.setKeyboard(true);
          }}
          @blur=${() => c.setKeyboard(false)}></canvas>
        ${crosshair(c)}
      </div>
      ${startCard(c)}
      ${c.layers ? nothing : html`<div class="placeholder" part="placeholder">${c.phase === 'idle' ? noSrcText : error?.code === 'IMAGE_LOAD_FAILED' ? 'Image unavailable' : ''}</div>`}
      ${busy ? status(busy, {}) : nothing}
    </div>
    ${bar(c)}
    ${thanks(c)}
    <p class="visually-hidden" aria-live="polite">${c.announcement}</p>
    ${error
      ? errorBox(error, () => c.retry(), {
          title: ANNOTATION_ERROR_TITLES[error.code] ?? 'The annotation failed.',
          retry: !c.canRetry ? null : c.retryResubmits ? 'Send again' : 'Start again',
        })
      : nothing}
  </div>`;
}

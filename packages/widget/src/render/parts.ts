// The element's pieces as pure templates: status (progress), predictions list, controls, error box.
import { camMethods, type MethodDescriptor, type Prediction } from '@saliency-explainer/core';
import { html, nothing, type TemplateResult } from 'lit';
import { percent } from '../describe.js';
import type { Backend, LoadProgress } from '../engines/types.js';
import type { WidgetError } from '../errors.js';

export const BACKEND_NAMES: Record<Backend, string> = { webgpu: 'WebGPU', wasm: 'wasm', server: 'server' };
const BACKEND_TITLES: Record<Backend, string> = {
  webgpu: 'Computed in this browser on the GPU (WebGPU)',
  wasm: 'Computed in this browser on the CPU (WebAssembly)',
  server: 'Computed by the explanation server',
};

export function badge(backend: Backend | null): TemplateResult | typeof nothing {
  if (!backend) return nothing;
  return html`<span class="badge" part="badge" data-backend=${backend} title=${BACKEND_TITLES[backend]}
    >${BACKEND_NAMES[backend]}<span class="visually-hidden">: ${BACKEND_TITLES[backend]}</span></span>`;
}

function megabytes(n: number): string {
  return (n / 1e6).toFixed(1);
}

/** Network downloads of a run, by what they fetch. */
export type Downloads = Partial<Record<LoadProgress['what'], LoadProgress>>;

const NAMES: Record<LoadProgress['what'], string> = { model: 'the model', runtime: 'the runtime' };

/**
 * The progress line: while something downloads, one determinate bar over all of this run's
 * downloads (the model and ONNX Runtime's wasm fetch in parallel); otherwise an indeterminate bar.
 */
export function status(message: string, downloads: Downloads): TemplateResult {
  const all = Object.values(downloads);
  const pending = all.filter((d) => d.total === null || d.loaded < d.total);
  if (pending.length) {
    const what = pending.map((d) => NAMES[d.what]).join(' and ');
    const loaded = all.reduce((n, d) => n + d.loaded, 0);
    const total = all.every((d) => d.total !== null) ? all.reduce((n, d) => n + (d.total ?? 0), 0) : null;
    const label = `Downloading ${what}`;
    return html`<div class="status" part="status">
      <span>${label}… ${total ? `${megabytes(loaded)} / ${megabytes(total)} MB` : `${megabytes(loaded)} MB`}</span>
      ${total
        ? html`<progress part="progress" aria-label=${label} max=${total} .value=${loaded}></progress>`
        : html`<progress part="progress" aria-label=${label}></progress>`}
    </div>`;
  }
  return html`<div class="status" part="status">
    <span>${message}</span>
    <progress part="progress" aria-label=${message}></progress>
  </div>`;
}

export interface PredictionsView {
  predictions: readonly Prediction[];
  selected: number | null;
  idPrefix: string;
  onSelect(index: number): void;
  onKey(e: KeyboardEvent): void;
}

export function predictionsList(v: PredictionsView): TemplateResult | typeof nothing {
  if (!v.predictions.length) return nothing;
  const active = v.selected !== null ? `${v.idPrefix}${v.selected}` : nothing;
  return html`<div>
    <h3 id="${v.idPrefix}title">Top predictions</h3>
    <ol part="predictions" role="listbox" tabindex="0" aria-labelledby="${v.idPrefix}title"
      aria-activedescendant=${active} @keydown=${v.onKey}>
      ${v.predictions.map((p) => {
        const selected = p.index === v.selected;
        return html`<li id="${v.idPrefix}${p.index}" role="option" aria-selected=${selected ? 'true' : 'false'}
          part=${selected ? 'prediction prediction-selected' : 'prediction'} data-class=${p.index}
          @click=${() => v.onSelect(p.index)}>
          <span class="label" title=${p.label}>${p.label}</span>
          <span class="score">${percent(p.score)}</span>
          <span class="bar" aria-hidden="true"><span style="width:${(p.score * 100).toFixed(1)}%"></span></span>
        </li>`;
      })}
    </ol>
  </div>`;
}

export interface ControlsView {
  method: string;
  opacity: number;
  disabled: boolean;
  onMethod(e: Event): void;
  onOpacity(e: Event): void;
}

/** Slow: a pass per channel of the layer (Score-CAM, Ablation-CAM), or many input-gradient rows (IG's steps, SmoothGrad's samples). */
const slow = (m: MethodDescriptor) => m.cost === 'perturbation' || m.passes({ targets: 1, layerChannels: 0 }).inputBackward > 1;

const METHOD_GROUPS = [
  { label: 'Class activation maps', kind: 'cam' },
  { label: 'Pixel attributions', kind: 'attribution' },
] as const;

export function controls(v: ControlsView): TemplateResult {
  return html`<div class="controls" part="controls">
    <label>Method
      <select part="method" .value=${v.method} ?disabled=${v.disabled} @change=${v.onMethod}>
        ${METHOD_GROUPS.map((g) => html`<optgroup label=${g.label}>
          ${camMethods.filter((m) => m.kind === g.kind).map((m) => html`<option value=${m.id} ?selected=${m.id === v.method}>${m.name}${slow(m) ? ' (slow)' : ''}</option>`)}
        </optgroup>`)}
      </select>
    </label>
    <label>Heatmap opacity
      <input part="opacity" type="range" min="0" max="1" step="0.05" .value=${String(v.opacity)}
        aria-valuetext="${Math.round(v.opacity * 100)}%" @input=${v.onOpacity} />
    </label>
  </div>`;
}

const ERROR_TITLES: Record<string, string> = {
  IMAGE_LOAD_FAILED: 'The image could not be loaded.',
  UNKNOWN_MODEL: 'This model is not available.',
  MODEL_LOAD_FAILED: 'The model could not be loaded.',
  ENGINE_FAILED: 'The model failed while computing.',
  WEBGPU_UNAVAILABLE: 'WebGPU is not available in this browser.',
  NO_API: 'No explanation server is configured.',
  API_UNAVAILABLE: 'The explanation server cannot be reached.',
  BAD_ATTRIBUTE: 'The widget is misconfigured.',
};

/**
 * The error box: a title in words (`options.title`, else by code), the message and code, and a retry
 * button (labelled `options.retry`; none when it is null: nothing the user can do would succeed).
 */
export function errorBox(error: WidgetError, onRetry: () => void, options: { title?: string; retry?: string | null } = {}): TemplateResult {
  return html`<div class="error" part="error" role="alert">
    <strong>${options.title ?? ERROR_TITLES[error.code] ?? 'The explanation failed.'}</strong>
    <p>${error.message} <code>(${error.code})</code></p>
    ${options.retry === null ? nothing : html`<button part="retry" type="button" @click=${onRetry}>${options.retry ?? 'Try again'}</button>`}
  </div>`;
}

// The faithfulness report card under the sentence: does the shown map tell the truth about the model?
// Deletion AUC (lower is better), insertion AUC (higher is better), ROAD combined (higher is better),
// the map's human alignment as a share of the people's own agreement when the badges have it, and a
// "Curves" disclosure with the deletion and insertion curves.
import type { FaithfulnessReport } from '@saliency-explainer/core';
import { html, nothing, type TemplateResult } from 'lit';
import type { MeasureState } from '../measures/measure-tracker.js';
import { curvesChart } from './curves.js';

/** The shown map's agreement with people against their own (split-half) agreement, on one metric. */
export interface HumanShare {
  metric: string;
  score: number;
  ceiling: number;
  /** Who: "crowd clicks (5 people)". */
  reference: string;
}

export interface ReportCardView {
  state: MeasureState<{ report: FaithfulnessReport }>;
  /** The class and method of the shown map. */
  label: string;
  methodName: string;
  human: HumanShare | null;
  curvesOpen: boolean;
  onToggleCurves(): void;
  idPrefix: string;
}

const fixed = (v: number) => v.toFixed(3);

function row(id: string, name: string, value: number, direction: string, title: string): TemplateResult {
  return html`<div class="measure" data-measure=${id} data-value=${String(value)}>
    <dt title=${title}>${name}</dt><dd><b>${fixed(value)}</b> <span class="direction">${direction}</span></dd></div>`;
}

function humanRow(h: HumanShare): TemplateResult {
  const share = h.score / h.ceiling;
  const metric = h.metric.toUpperCase();
  return html`<div class="measure" data-measure="human" data-value=${String(share)}>
    <dt title="The map's agreement with where people look, as a share of how well the people agree with one another">Human alignment</dt>
    <dd><b>${Math.round(share * 100)} %</b> <span class="direction">of people's own agreement (${metric} ${h.score.toFixed(2)} vs ${h.ceiling.toFixed(2)}, ${h.reference})</span></dd></div>`;
}

function measures(r: FaithfulnessReport, human: HumanShare | null): TemplateResult {
  return html`<dl class="measures">
    ${row('deletion', 'Deletion AUC', r.deletion.auc, 'lower is better',
      'Area under the class probability as the most salient pixels are set to 0, a step at a time')}
    ${row('insertion', 'Insertion AUC', r.insertion.auc, 'higher is better',
      'Area under the class probability as the most salient pixels are copied into a blurred image, a step at a time')}
    ${row('road', 'ROAD combined', r.road.combined, 'higher is better',
      'Remove and debias (Rong et al. 2022): probability change when the least (LeRF) vs most (MoRF) relevant pixels are imputed, averaged over 20-80 %')}
    ${human ? humanRow(human) : nothing}
  </dl>`;
}

export function reportCard(v: ReportCardView): TemplateResult {
  const { state, idPrefix } = v;
  const heading = `${idPrefix}faithfulness`;
  const chart = `${idPrefix}curves`;
  const r = state.status === 'ready' ? (state.value?.report ?? null) : null;
  return html`<section class="report-card" part="report-card" aria-labelledby=${heading} data-status=${state.status} aria-busy=${state.status === 'computing' ? 'true' : 'false'}>
    <h3 id=${heading}>Faithfulness <span class="of">of the ${v.methodName} map for “${v.label}”</span></h3>
    <div aria-live="polite">
      ${state.status === 'computing' ? html`<p class="measuring">Measuring: deletion, insertion and ROAD (about 70 runs of the model)…</p>` : nothing}
      ${state.status === 'failed' && state.error
        ? html`<p class="failed" data-code=${state.error.code}>Faithfulness unavailable: ${state.error.message} <code>${state.error.code}</code></p>`
        : nothing}
      ${r ? measures(r, v.human) : nothing}
    </div>
    ${r
      ? html`<button type="button" part="curves-toggle" class="curves-toggle" aria-expanded=${v.curvesOpen ? 'true' : 'false'} aria-controls=${chart}
          @click=${v.onToggleCurves}>Curves</button>
        <div id=${chart} class="curves" ?hidden=${!v.curvesOpen}>
          ${v.curvesOpen ? curvesChart(r.deletion, r.insertion, v.label, `${idPrefix}curves-title`) : nothing}
          <p class="legend"><span class="key deletion"></span>deletion (AUC ${fixed(r.deletion.auc)})
            <span class="key insertion"></span>insertion (AUC ${fixed(r.insertion.auc)})</p>
        </div>`
      : nothing}
  </section>`;
}

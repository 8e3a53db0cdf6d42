// The alignment line under the explanation: a few scores of the shown map against the reference
// ("CC 0.41 · NSS 1.31 · AUC 0.76 vs crowd clicks (12 people)"), how well the people agree with one
// another, every score in a disclosure, and the "Human attention" overlay toggle.
import { getAlignmentMetric, type AlignmentScore } from '@saliency-explainer/core';
import { html, nothing, type TemplateResult } from 'lit';
import type { AlignmentController, AlignmentDetail } from './alignment-controller.js';
import type { AgreementScore } from './human-api.js';

/** The scores shown in the line, by reference (the others are in the disclosure). */
const SHOWN: Record<'human' | 'predicted', readonly string[]> = { human: ['cc', 'nss', 'auc-judd'], predicted: ['cc', 'sim', 'kl'] };
const SHORT: Record<string, string> = { 'auc-judd': 'AUC', 'auc-borji': 'AUC-Borji' };

const format = (v: number | null) => (v === null ? '–' : v.toFixed(2));
const shortName = (id: string, name: string) => SHORT[id] ?? name;

/** The reference in words: "crowd clicks (5 people)", "eye tracking (12 observers)". */
export function referenceText(a: AlignmentDetail): string {
  const n = a.annotators;
  const who = `${n} ${n === 1 ? 'person' : 'people'}`;
  if (a.reference === 'CROWD') return a.task === 'FIND' ? `crowd clicks looking for the ${a.label} (${who})` : `crowd clicks (${who})`;
  if (a.reference === 'EYE_TRACKING') return `eye tracking (${n} ${n === 1 ? 'observer' : 'observers'})`;
  return 'predicted fixations (spectral residual; no human data)';
}

function describeMetric(id: string): string {
  try {
    const m = getAlignmentMetric(id);
    return `${m.name}: ${m.description}; ${m.higherIsBetter ? 'higher' : 'lower'} is better`;
  } catch {
    return id;
  }
}

function badge(s: AlignmentScore): TemplateResult {
  return html`<span class="score-badge" part="alignment-score" data-metric=${s.id} data-value=${s.value === null ? '' : String(s.value)}
    title=${s.value === null ? (s.reason ?? describeMetric(s.id)) : describeMetric(s.id)}>${shortName(s.id, s.name)} <b>${format(s.value)}</b></span>`;
}

function agreementLine(scores: readonly AgreementScore[]): TemplateResult | typeof nothing {
  const shown = scores.filter((s) => s.value !== null && ['cc', 'nss'].includes(s.metric));
  if (!shown.length) return nothing;
  return html`<p class="agreement" part="agreement">People agree with one another:
    ${shown.map((s, i) => html`${i ? ' · ' : ''}<span data-metric=${s.metric} data-value=${String(s.value)}>${shortName(s.metric, s.name)} ${format(s.value)}</span>`)}
    (split-half)</p>`;
}

export function alignmentView(c: AlignmentController): TemplateResult | typeof nothing {
  const a = c.current;
  if (!a) return c.failure ? html`<p class="alignment" part="alignment">Alignment unavailable: ${c.failure}</p>` : nothing;
  const ids = SHOWN[a.reference === 'PREDICTED' ? 'predicted' : 'human'];
  const shown = ids.map((id) => a.scores.find((s) => s.id === id)).filter((s): s is AlignmentScore => !!s);
  return html`<div class="alignment" part="alignment" data-reference=${a.reference} data-annotators=${a.annotators}>
    <p class="alignment-line">${shown.map((s, i) => html`${i ? html`<span aria-hidden="true"> · </span>` : ''}${badge(s)}`)}
      <span class="versus">vs ${referenceText(a)}</span></p>
    ${a.agreement ? agreementLine(a.agreement) : nothing}
    <div class="alignment-more">
      ${c.hasHuman
        ? html`<label class="toggle"><input part="human-toggle" type="checkbox" .checked=${c.showHuman}
            @change=${(e: Event) => c.toggleHuman((e.target as HTMLInputElement).checked)} /> Human attention</label>`
        : nothing}
      <details part="alignment-details">
        <summary>All scores</summary>
        <table>
          ${a.scores.map((s) => html`<tr data-metric=${s.id}><th scope="row" title=${describeMetric(s.id)}>${s.name}</th>
            <td>${format(s.value)}</td><td>${s.value === null ? (s.reason ?? '') : s.higherIsBetter ? 'higher is better' : 'lower is better'}</td></tr>`)}
        </table>
      </details>
    </div>
  </div>`;
}

// The deletion and insertion curves as a small SVG chart: x = the fraction of the pixels removed
// (deletion) or inserted (insertion), most salient first; y = the class's probability; one point per
// step, axes with ticks and labels, and a text alternative that states both AUCs (the legend is the card's).
import type { CausalCurve } from '@saliency-explainer/core';
import { html, svg, type SVGTemplateResult, type TemplateResult } from 'lit';

const W = 340;
const H = 200;
const M = { left: 44, right: 12, top: 12, bottom: 40 };
const TICKS = [0, 0.25, 0.5, 0.75, 1];

const x = (f: number) => M.left + f * (W - M.left - M.right);
const y = (p: number) => H - M.bottom - Math.min(1, Math.max(0, p)) * (H - M.top - M.bottom);

/** "x1,y1 x2,y2 …": step i of n at x = i / n. */
export function curvePoints(scores: readonly number[]): string {
  const n = Math.max(1, scores.length - 1);
  return scores.map((s, i) => `${x(i / n).toFixed(1)},${y(s).toFixed(1)}`).join(' ');
}

function axes(): SVGTemplateResult {
  return svg`<g class="axes">
    <line x1=${x(0)} y1=${y(0)} x2=${x(1)} y2=${y(0)}></line>
    <line x1=${x(0)} y1=${y(0)} x2=${x(0)} y2=${y(1)}></line>
    ${TICKS.map((t) => svg`<line class="grid" x1=${x(0)} y1=${y(t)} x2=${x(1)} y2=${y(t)}></line>
      <text class="tick" x=${x(0) - 6} y=${y(t) + 4} text-anchor="end">${t}</text>
      <text class="tick" x=${x(t)} y=${y(0) + 15} text-anchor="middle">${t}</text>`)}
    <text class="axis-label" x=${(x(0) + x(1)) / 2} y=${H - 6} text-anchor="middle">fraction of pixels removed (deletion) or inserted (insertion)</text>
    <text class="axis-label" transform="translate(12 ${(y(0) + y(1)) / 2}) rotate(-90)" text-anchor="middle">class probability</text>
  </g>`;
}

/** The chart of both curves for the class `label`. */
export function curvesChart(deletion: CausalCurve, insertion: CausalCurve, label: string, id: string): TemplateResult {
  const title = `Deletion and insertion curves of “${label}”: its probability as the most salient pixels are removed ` +
    `(deletion, area ${deletion.auc.toFixed(3)}) or inserted into a blurred image (insertion, area ${insertion.auc.toFixed(3)}).`;
  return html`<svg part="curves-chart" viewBox="0 0 ${W} ${H}" width=${W} height=${H} role="img" aria-labelledby=${id}>
    <title id=${id}>${title}</title>
    ${axes()}
    <polyline class="curve deletion" data-curve="deletion" data-count=${deletion.scores.length} points=${curvePoints(deletion.scores)}></polyline>
    <polyline class="curve insertion" data-curve="insertion" data-count=${insertion.scores.length} points=${curvePoints(insertion.scores)}></polyline>
  </svg>`;
}

// The caption as the widget shows it: core's sentences, each number a focusable element whose note
// (what it measures, from the fact behind it) shows on focus or hover and is its accessible
// description; Escape hides an open note until the number loses focus.
import { html, nothing, type TemplateResult } from 'lit';
import type { CaptionNumber, CaptionSentence } from './caption-text.js';

function number(n: CaptionNumber, id: string): TemplateResult {
  return html`<span class="fact-number" part="caption-number" tabindex="0" aria-describedby=${id} data-fact=${n.kind} data-field=${n.field}
    >${n.text}<span class="fact-note" part="caption-note" role="tooltip" id=${id}>${n.note}</span></span>`;
}

const onKey = (e: KeyboardEvent) => {
  const target = e.target as HTMLElement;
  if (e.key === 'Escape' && target.classList.contains('fact-number')) target.classList.add('dismissed');
};

const onBlur = (e: FocusEvent) => {
  (e.target as HTMLElement).classList?.remove('dismissed');
};

/** The sentences; `idPrefix` makes the notes' ids unique in the shadow root. */
export function captionView(sentences: readonly CaptionSentence[], idPrefix: string): TemplateResult {
  let k = 0;
  return html`<span class="caption-text" @keydown=${onKey} @focusout=${onBlur}>${sentences.map((s, i) => html`${i ? ' ' : ''}<span
    class="sentence" data-role=${s.role}>${s.pieces.map((p) => (typeof p === 'string' ? p : number(p, `${idPrefix}note-${k++}`)))}</span>`)}</span>`;
}

/** The line under the sentence while the caption is measured, or why there is none. */
export function captionNote(status: 'computing' | 'failed' | 'ready', error: { code: string; message: string } | null): TemplateResult | typeof nothing {
  if (status === 'computing') return html` <span class="caption-status" data-status="computing">Measuring the caption…</span>`;
  if (status === 'failed' && error) {
    return html` <span class="caption-status" data-status="failed" data-code=${error.code}>(Caption unavailable: ${error.message} <code>${error.code}</code>)</span>`;
  }
  return nothing;
}

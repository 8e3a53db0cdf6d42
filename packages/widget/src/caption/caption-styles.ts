// Styles of the caption: its numbers (dotted underline, focus ring) and their notes (a small popover
// under the number's line while it is hovered or focused, kept inside the widget: its left edge is the
// caption's, its top the number's line); a captioner's quoted phrase in italics.
import { css } from 'lit';

export const captionStyles = css`
  .explanation { position: relative; }
  .fact-number {
    font-variant-numeric: tabular-nums; white-space: nowrap;
    text-decoration: underline dotted color-mix(in srgb, var(--_accent) 70%, transparent); text-underline-offset: 3px;
    cursor: help; border-radius: 3px;
  }
  .fact-number:focus-visible { outline: 2px solid var(--_focus); outline-offset: 1px; }
  .fact-note {
    display: none; position: absolute; left: 0; margin-top: 1.7em; z-index: 3;
    width: max-content; max-width: min(420px, 100%); padding: 6px 9px; border-radius: 6px;
    font-size: 12.5px; line-height: 1.4; white-space: normal; text-align: left;
    color: var(--_bg); background: var(--_fg); box-shadow: 0 2px 8px rgb(0 0 0 / 0.2);
  }
  .fact-number:hover > .fact-note, .fact-number:focus > .fact-note { display: block; }
  .fact-number.dismissed > .fact-note { display: none; }
  /* a free-text captioner's quoted phrase: not measured, so set apart */
  .sentence[data-role='captioner'] { font-style: italic; color: var(--_muted); }
  .caption-status { color: var(--_muted); font-size: 13px; }
  .caption-status code { font-size: 12px; }
`;

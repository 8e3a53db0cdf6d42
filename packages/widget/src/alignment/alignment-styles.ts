// Styles of the alignment line: score badges, the people's agreement, the all-scores disclosure and
// the human-attention toggle.
import { css } from 'lit';

export const alignmentStyles = css`
  .alignment { margin: 6px 0 0; font-size: 13px; color: var(--_muted); }
  .alignment p { margin: 0; }
  .alignment-line { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px; }
  .score-badge {
    display: inline-block; padding: 0 8px; border-radius: 999px; border: 1px solid var(--_border);
    background: var(--_surface); color: var(--_fg); font-variant-numeric: tabular-nums;
  }
  .score-badge b { font-weight: 600; }
  .versus { margin-left: 2px; }
  .alignment .agreement { margin-top: 4px; }
  .alignment-more { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: flex-start; margin-top: 4px; }
  .alignment summary { cursor: pointer; color: var(--_accent); }
  .alignment table { border-collapse: collapse; margin-top: 4px; }
  .alignment th, .alignment td { text-align: left; font-weight: normal; padding: 1px 12px 1px 0; }
  .alignment td:nth-child(2) { color: var(--_fg); font-variant-numeric: tabular-nums; }
  .alignment label.toggle { display: inline-flex; gap: 6px; align-items: center; color: var(--_fg); font-size: 13px; cursor: pointer; }
  .alignment label.toggle input { accent-color: var(--_accent); margin: 0; }
`;

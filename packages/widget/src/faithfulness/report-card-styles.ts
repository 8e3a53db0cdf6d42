// Styles of the faithfulness report card: the measures as a compact grid, the Curves button, the chart.
import { css } from 'lit';

export const reportCardStyles = css`
  .report-card {
    margin: 10px 0 0; padding: 8px 12px 10px; border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px);
    background: var(--_surface); font-size: 13px;
  }
  .report-card h3 { margin: 0 0 4px; font-size: 13px; font-weight: 600; }
  .report-card h3 .of { font-weight: normal; color: var(--_muted); }
  .report-card p { margin: 2px 0; color: var(--_muted); }
  .report-card p code { font-size: 12px; }
  .report-card .measures { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
  .report-card .measure { display: contents; }
  .report-card dt { color: var(--_muted); cursor: help; }
  .report-card dd { margin: 0; font-variant-numeric: tabular-nums; }
  .report-card dd b { font-weight: 600; }
  .report-card .direction { color: var(--_muted); }
  .curves-toggle {
    margin-top: 6px; font: inherit; padding: 2px 10px; border-radius: 6px; cursor: pointer;
    border: 1px solid var(--_border); background: var(--_bg); color: var(--_accent);
  }
  .curves-toggle::before { content: '▸ '; }
  .curves-toggle[aria-expanded='true']::before { content: '▾ '; }
  .curves-toggle:focus-visible { outline: 2px solid var(--_focus); outline-offset: 2px; }
  .curves[hidden] { display: none; }
  .curves svg { display: block; max-width: 100%; height: auto; margin-top: 6px; background: var(--_bg); border-radius: 4px; }
  .curves .axes line { stroke: var(--_muted); stroke-width: 1; }
  .curves .axes line.grid { stroke: var(--_border); stroke-dasharray: 2 3; }
  .curves text { fill: var(--_muted); font-size: 10px; font-family: inherit; }
  .curves .curve { fill: none; stroke-width: 2; stroke-linejoin: round; }
  .curves .curve.deletion, .curves .key.deletion { stroke: #dc2626; background: #dc2626; }
  .curves .curve.insertion, .curves .key.insertion { stroke: #2563eb; background: #2563eb; }
  .curves .legend { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
  .curves .key { display: inline-block; width: 16px; height: 3px; border-radius: 2px; margin-left: 8px; }
  .curves .key:first-child { margin-left: 0; }
`;

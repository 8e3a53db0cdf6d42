// Styles of the annotation mode: task line, the picture with its keyboard crosshair, the counter and
// countdown bar, the thank-you note (the shared styles.ts covers the image well, status and error box).
import { css } from 'lit';

export const annotateStyles = css`
  .annotate { display: grid; gap: 10px; }
  .prompt { margin: 0; font-size: 15px; font-weight: 600; min-height: 1.45em; }
  .stage { position: relative; }
  .stage[hidden] { display: none; }
  .stage canvas { cursor: crosshair; touch-action: manipulation; }
  .stage canvas[data-can-click='false'] { cursor: default; }
  .stage canvas:focus-visible { outline: 3px solid var(--_focus); outline-offset: -3px; }
  .crosshair {
    position: absolute; transform: translate(-50%, -50%); aspect-ratio: 1; pointer-events: none;
    border: 2px dashed #fff; border-radius: 50%; box-shadow: 0 0 0 1px rgb(0 0 0 / 0.55), inset 0 0 0 1px rgb(0 0 0 / 0.55);
  }
  .crosshair::before, .crosshair::after {
    content: ''; position: absolute; left: 50%; top: 50%; background: #fff; box-shadow: 0 0 0 1px rgb(0 0 0 / 0.55);
  }
  .crosshair::before { width: 2px; height: 18px; margin: -9px 0 0 -1px; }
  .crosshair::after { width: 18px; height: 2px; margin: -1px 0 0 -9px; }
  .annotate-bar { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; }
  .counter, .timer { font-variant-numeric: tabular-nums; }
  .timer { padding: 1px 10px; border-radius: 999px; border: 1px solid var(--_border); background: var(--_surface); }
  .timer[data-expired='true'] { color: var(--_error); border-color: var(--_error); }
  .spacer { flex: 1 1 0; }
  .annotate-bar button, .thanks button {
    font: inherit; padding: 4px 12px; border-radius: 6px; cursor: pointer;
    border: 1px solid var(--_border); background: var(--_bg); color: var(--_fg);
  }
  .annotate-bar button.primary { background: var(--_accent); border-color: var(--_accent); color: #fff; font-weight: 600; }
  .annotate-bar button:disabled { opacity: 0.45; cursor: not-allowed; }
  .start-card {
    display: grid; gap: 10px; justify-items: start; padding: 16px; border-radius: calc(var(--_radius) - 2px);
    border: 1px solid var(--_border); background: var(--_surface);
  }
  .start-card p { margin: 0; }
  .start-card button {
    font: inherit; padding: 6px 18px; border-radius: 6px; cursor: pointer; font-weight: 600;
    border: 1px solid var(--_accent); background: var(--_accent); color: #fff;
  }
  .thanks {
    display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; padding: 10px 12px; border-radius: calc(var(--_radius) - 2px);
    border: 1px solid #1a7f37; background: color-mix(in srgb, #1a7f37 8%, var(--_bg));
  }
  .thanks button { margin-left: auto; }
`;

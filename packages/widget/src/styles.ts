// The element's styles: layout, states, focus rings; themable through --saliency-* custom properties and ::part().
import { css } from 'lit';

export const styles = css`
  :host {
    --_accent: var(--saliency-accent, #2563eb);
    --_fg: var(--saliency-fg, #1f2328);
    --_muted: var(--saliency-muted, #59636e);
    --_bg: var(--saliency-bg, #ffffff);
    --_surface: var(--saliency-surface, #f6f8fa);
    --_border: var(--saliency-border, #d1d9e0);
    --_error: var(--saliency-error, #b42318);
    --_radius: var(--saliency-radius, 8px);
    --_focus: var(--saliency-focus-ring, #1d4ed8);
    display: block;
    max-width: var(--saliency-max-width, 760px);
    color: var(--_fg);
    background: var(--_bg);
    font: var(--saliency-font, 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 12px;
    box-sizing: border-box;
  }
  :host([hidden]) { display: none; }
  * { box-sizing: border-box; }
  .layout { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
  .media {
    position: relative; flex: 1 1 320px; min-width: 200px; min-height: 120px;
    background: var(--_surface); border-radius: calc(var(--_radius) - 2px); overflow: hidden;
  }
  canvas { display: block; width: 100%; height: auto; }
  canvas[hidden] { display: none; }
  .placeholder { display: grid; place-items: center; min-height: 200px; color: var(--_muted); padding: 16px; text-align: center; }
  .badge {
    position: absolute; top: 8px; left: 8px; padding: 2px 8px; border-radius: 999px;
    font-size: 12px; font-weight: 600; letter-spacing: 0.02em;
    color: #fff; background: rgb(15 23 42 / 0.78);
  }
  .badge[data-backend='webgpu'] { background: rgb(21 128 61 / 0.88); }
  .badge[data-backend='wasm'] { background: rgb(29 78 216 / 0.88); }
  .badge[data-backend='server'] { background: rgb(109 40 217 / 0.88); }
  .status {
    position: absolute; left: 0; right: 0; bottom: 0; padding: 8px 10px;
    background: rgb(255 255 255 / 0.92); color: var(--_fg); font-size: 13px;
    display: flex; flex-direction: column; gap: 4px;
  }
  progress { width: 100%; height: 6px; accent-color: var(--_accent); }
  .panel { flex: 1 1 220px; min-width: 200px; display: flex; flex-direction: column; gap: 12px; }
  .panel h3 { margin: 0; font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--_muted); }
  ol { list-style: none; margin: 0; padding: 2px; border-radius: calc(var(--_radius) - 2px); }
  ol:focus-visible, select:focus-visible, input:focus-visible, button:focus-visible {
    outline: 2px solid var(--_focus); outline-offset: 2px;
  }
  li {
    display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; padding: 6px 8px; cursor: pointer;
    border-radius: calc(var(--_radius) - 3px); border: 1px solid transparent;
  }
  li:hover { background: var(--_surface); }
  li[aria-selected='true'] { background: color-mix(in srgb, var(--_accent) 12%, var(--_bg)); border-color: var(--_accent); }
  .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .score { font-variant-numeric: tabular-nums; color: var(--_muted); }
  .bar { grid-column: 1 / -1; height: 4px; background: var(--_surface); border-radius: 2px; overflow: hidden; }
  .bar > span { display: block; height: 100%; background: var(--_accent); }
  .controls { display: grid; gap: 10px; }
  label { display: grid; gap: 4px; font-size: 13px; color: var(--_muted); }
  select, input[type='range'] { font: inherit; color: var(--_fg); }
  select { padding: 4px 6px; border: 1px solid var(--_border); border-radius: 6px; background: var(--_bg); }
  input[type='range'] { accent-color: var(--_accent); width: 100%; }
  .explanation { margin: 10px 0 0; min-height: 1.45em; }
  .error {
    margin: 10px 0 0; padding: 10px 12px; border-radius: calc(var(--_radius) - 2px);
    border: 1px solid var(--_error); color: var(--_error); background: color-mix(in srgb, var(--_error) 7%, var(--_bg));
  }
  .error strong { display: block; }
  .error code { font-size: 12px; }
  .error p { margin: 4px 0 0; color: var(--_fg); word-break: break-word; }
  .error button {
    margin-top: 8px; font: inherit; padding: 3px 10px; border-radius: 6px; cursor: pointer;
    border: 1px solid var(--_error); background: var(--_bg); color: var(--_error);
  }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

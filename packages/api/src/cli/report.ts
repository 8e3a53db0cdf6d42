// The JSON shapes `explain` prints (one line per input with --json) and writes to report.json.
import type { ExplainResult, FaithfulnessReport, FloatMap } from '@saliency-explainer/core';
import type { Caption } from '@saliency-explainer/core';
import { jsonAttribution, type JsonAttribution } from './pixel-maps.js';

export interface JsonMap {
  width: number;
  height: number;
  values: number[];
}

export interface InputReport {
  input: string;
  model: string;
  layer: string;
  inputShape: number[];
  predictions: ExplainResult['predictions'];
  maps: {
    method: string;
    classIndex: number;
    label: string;
    /** CAMs: relu(cam) at the layer's size; pixel attributions: the signed attribution [C, H, W] */
    raw: JsonMap | JsonAttribution;
    map: JsonMap;
    /** integratedgradients: Σ attribution − (score(x) − score(baseline)) */
    convergenceDelta?: number;
    /** the overlay PNG written for this map, when overlays are on */
    overlay?: string;
    /** with --caption: the map's caption, its text and the measured facts behind it */
    caption?: Caption;
    /** with --faithfulness: the map's deletion/insertion, ROAD and confidence measures */
    faithfulness?: FaithfulnessReport;
  }[];
}

export interface InputFailure {
  input: string;
  error: { code: string; message: string };
}

/** float32 values as JSON numbers: 9 significant digits give back the same float32, and no more. */
export function jsonMap(m: FloatMap): JsonMap {
  return { width: m.width, height: m.height, values: Array.from(m.values, (v) => Number(v.toPrecision(9))) };
}

export function inputReport(input: string, r: ExplainResult, overlays: (string | undefined)[], faithfulness?: FaithfulnessReport[]): InputReport {
  return {
    input,
    model: r.model,
    layer: r.layer,
    inputShape: r.inputShape,
    predictions: r.predictions.map((p) => ({ index: p.index, label: p.label, score: Number(p.score.toPrecision(9)) })),
    maps: r.maps.map((m, i) => ({
      method: m.method,
      classIndex: m.classIndex,
      label: m.label,
      raw: m.attribution ? jsonAttribution(m.attribution) : jsonMap(m.raw),
      map: jsonMap(m.map),
      ...(m.convergenceDelta === undefined ? {} : { convergenceDelta: m.convergenceDelta }),
      ...(overlays[i] ? { overlay: overlays[i] } : {}),
      ...(faithfulness ? { faithfulness: faithfulness[i] } : {}),
    })),
  };
}

/** With --caption: each map's caption, in the maps' order. */
export function attachCaptions(report: InputReport, captions: readonly Caption[]): void {
  report.maps.forEach((m, i) => {
    m.caption = captions[i];
  });
}

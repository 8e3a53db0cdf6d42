// The JSON shapes `explain` prints (one line per input with --json) and writes to report.json.
// --json lines carry each map's floats (raw and map, as asked for); report.json references files
// instead (map-files.ts): the final map as a 16-bit grey PNG in the overlay's frame, the raw map as a
// float32 .npy — a few hundred kB per photo instead of megabytes of JSON numbers.
import type { ExplainResult, FaithfulnessReport, FloatMap } from '@saliency-explainer/core';
import type { Caption } from '@saliency-explainer/core';
import { jsonAttribution, type JsonAttribution } from './pixel-maps.js';
import { JsonFloats } from './json-floats.js';

export interface JsonMap {
  width: number;
  height: number;
  /** Row-major; printed as an array of numbers. */
  values: JsonFloats;
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
    /** the map's 16-bit grey PNG and raw .npy (map-files.ts), when report.json is written */
    mapFile?: string;
    rawFile?: string;
    /** with --caption: the map's caption, its text and the measured facts behind it */
    caption?: Caption;
    /** with --faithfulness: the map's deletion/insertion, ROAD and confidence measures */
    faithfulness?: FaithfulnessReport;
  }[];
}

/** report.json's reference to a map's 16-bit grey PNG: sample = round(65535 · value). */
export interface MapFileRef {
  file: string;
  format: 'png16';
  width: number;
  height: number;
  /** 'image': on the photo at its size (core mapToImage); 'model': on the model's input frame. */
  frame: 'image' | 'model';
}

/** report.json's reference to a raw map's float32 .npy: [h, w] (CAM at the layer) or [C, H, W] (pixel attribution, signed). */
export interface RawFileRef {
  file: string;
  format: 'npy';
  dtype: 'float32';
  shape: number[];
}

/** The files written for one map. */
export interface MapFiles {
  overlay?: string;
  map?: MapFileRef;
  raw?: RawFileRef;
}

/** A report.json input: the --json line's maps with their floats replaced by file references. */
export type FileInputReport = Omit<InputReport, 'maps'> & {
  /** Width and height of the photo (image inputs). */
  image?: { width: number; height: number };
  maps: (Omit<InputReport['maps'][number], 'raw' | 'map' | 'mapFile' | 'rawFile'> & { raw: RawFileRef; map: MapFileRef })[];
};

export interface InputFailure {
  input: string;
  error: { code: string; message: string };
}

/** float32 values as JSON numbers: 9 significant digits give back the same float32, and no more. */
/** A map for a --json line: its floats are formatted only if the line is written. */
export function jsonMap(m: FloatMap): JsonMap {
  return { width: m.width, height: m.height, values: new JsonFloats(m.values) };
}

export function inputReport(input: string, r: ExplainResult, files: MapFiles[], faithfulness?: FaithfulnessReport[]): InputReport {
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
      ...(files[i]?.overlay ? { overlay: files[i].overlay } : {}),
      ...(files[i]?.map ? { mapFile: files[i].map!.file } : {}),
      ...(files[i]?.raw ? { rawFile: files[i].raw!.file } : {}),
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

/** The report.json form of an input's report: its maps' floats replaced by the files holding them. */
export function fileReport(report: InputReport, files: MapFiles[], image?: { width: number; height: number }): FileInputReport {
  const { maps, ...rest } = report;
  return {
    ...rest,
    ...(image ? { image } : {}),
    maps: maps.map(({ raw: _raw, map: _map, mapFile: _mapFile, rawFile: _rawFile, ...m }, i) => ({ ...m, raw: files[i].raw!, map: files[i].map! })),
  };
}

// An object detector (YOLOX first) on ONNX Runtime: letterbox → one run → decode → class-wise NMS,
// boxes back in the original image's pixels (divided by the letterbox ratio, clipped to the image).
// Runtime-agnostic like Explainer: hand it onnxruntime-node or onnxruntime-web. Captions load it only
// when they are asked for.
import type { RgbImage } from '../image/types.js';
import type { DetectorSpec } from '../model/spec.js';
import { type InferenceSession, type OrtRuntime, runSession } from '../runtime.js';
import { letterbox } from './letterbox.js';
import { classWiseNms } from './nms.js';
import { DetectError, type DetectOptions, type Detection } from './types.js';
import { validateDetectorSpec } from './validate.js';
import { decodeYolox } from './yolox.js';

export const DEFAULT_SCORE_THRESHOLD = 0.3;
export const DEFAULT_NMS_THRESHOLD = 0.45;

/** A detection and the output row (anchor point) that proposed it. */
export interface AnchoredDetection extends Detection {
  anchor: number;
}

/**
 * The raw output [1, rows, 5 + classes] of a letterboxed image → its detections (decode, NMS on the
 * boxes in image pixels as YOLOX's demo does, then clipped to the image), best score first.
 */
export function yoloxDetections(data: Float32Array, dims: readonly number[], spec: DetectorSpec, labels: string[], ratio: number,
  imageWidth: number, imageHeight: number, thresholds: Required<DetectOptions>): AnchoredDetection[] {
  const rows = dims.length === 3 ? dims[1] : -1;
  const classes = dims.length === 3 ? dims[2] - 5 : -1;
  if (rows < 1 || classes !== labels.length) {
    throw new DetectError('BAD_OUTPUT', `detector '${spec.id}' output is [${dims}]; expected [1, anchors, 5 + ${labels.length}]`);
  }
  let candidates;
  try {
    candidates = decodeYolox(data, rows, classes, spec.input.width, spec.input.height, spec.output.strides, thresholds.scoreThreshold);
  } catch (e) {
    throw new DetectError('BAD_OUTPUT', `detector '${spec.id}': ${(e as Error).message}`);
  }
  const r = ratio;
  const scaled = candidates.map((c) => ({ ...c, box: [c.box[0] / r, c.box[1] / r, c.box[2] / r, c.box[3] / r] as Detection['box'] }));
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return classWiseNms(scaled, thresholds.nmsThreshold).map((i) => {
    const { classIndex, score, box, row } = scaled[i];
    return {
      classIndex, label: labels[classIndex], score,
      box: [clip(box[0], imageWidth), clip(box[1], imageHeight), clip(box[2], imageWidth), clip(box[3], imageHeight)],
      anchor: row,
    };
  });
}

export class Detector {
  private constructor(
    private readonly ort: OrtRuntime,
    private readonly session: InferenceSession,
    readonly spec: DetectorSpec,
    readonly labels: string[],
  ) {}

  static async create(ort: OrtRuntime, modelBytes: Uint8Array, spec: DetectorSpec, labels: string[],
    sessionOptions?: InferenceSession.SessionOptions): Promise<Detector> {
    try {
      validateDetectorSpec(spec);
    } catch (e) {
      throw new DetectError('BAD_MODEL', (e as Error).message);
    }
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelBytes, sessionOptions);
    } catch (e) {
      throw new DetectError('BAD_MODEL', `detector '${spec.id}' cannot be loaded: ${(e as Error).message}`);
    }
    if (!session.inputNames.includes(spec.input.name) || !session.outputNames.includes(spec.output.name)) {
      await session.release();
      throw new DetectError('BAD_MODEL', `detector '${spec.id}' has inputs [${session.inputNames}] and outputs [${session.outputNames}], ` +
        `not '${spec.input.name}' → '${spec.output.name}'`);
    }
    return new Detector(ort, session, spec, labels);
  }

  /** The objects in `image`, best score first; boxes in its pixels. */
  async detect(image: RgbImage, options: DetectOptions = {}): Promise<Detection[]> {
    const { input, output } = this.spec;
    const scoreThreshold = options.scoreThreshold ?? this.spec.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
    const nmsThreshold = options.nmsThreshold ?? this.spec.nmsThreshold ?? DEFAULT_NMS_THRESHOLD;
    const lb = letterbox(image, input);
    const res = await runSession(this.ort, this.session, { [input.name]: { data: lb.tensor, dims: [1, 3, input.height, input.width] } }, [output.name]);
    return yoloxDetections(res[output.name].data, res[output.name].dims, this.spec, this.labels, lb.ratio, image.width, image.height,
      { scoreThreshold, nmsThreshold }).map(({ classIndex, label, score, box }) => ({ classIndex, label, score, box }));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

// What a detector finds: one object per entry, its box in the original image's pixels.

/** [x0, y0, x1, y1]: left, top, right, bottom, continuous pixel coordinates (pixel i covers [i, i + 1)). */
export type Box = [number, number, number, number];

export interface Detection {
  classIndex: number;
  label: string;
  /** Objectness × class probability, 0..1. */
  score: number;
  box: Box;
}

export interface DetectOptions {
  /** Drop detections scoring below this (default: the spec's scoreThreshold, else 0.3). */
  scoreThreshold?: number;
  /** Class-wise NMS IoU threshold (default: the spec's nmsThreshold, else 0.45). */
  nmsThreshold?: number;
}

export class DetectError extends Error {
  constructor(readonly code: 'BAD_MODEL' | 'BAD_OUTPUT', message: string) {
    super(message);
    this.name = 'DetectError';
  }
}

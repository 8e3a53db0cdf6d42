// The `contrast` facts: for another explained class, the IoU of the two maps' top-`fraction` regions
// on the model's grid (perturb.ts's topFractionMask, the pixels deletion removes), and the detected
// object holding most of the other map's mass — "the tiger cat evidence lies on the cat".
import type { FloatMap } from '../cam/types.js';
import type { Detection } from '../detect/types.js';
import { topFractionMask } from '../faithfulness/perturb.js';
import type { CaptionFrame } from './frame.js';
import type { ContrastFact } from './facts.js';
import { objectFacts } from './objects.js';

/** |A ∩ B| / |A ∪ B| of two 0/1 masks (0 when both are empty). */
export function maskIou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union ? inter / union : 0;
}

export interface ContrastClass {
  classIndex: number;
  label: string;
  probability: number;
  map: FloatMap;
  /** The other map on the image's frame (for its object), when objects were detected. */
  frame?: CaptionFrame;
}

export function contrastFact(map: FloatMap, other: ContrastClass, detections: readonly Detection[], fraction: number): ContrastFact {
  const overlap = maskIou(topFractionMask(map, fraction), topFractionMask(other.map, fraction));
  const fact: ContrastFact = { kind: 'contrast', classIndex: other.classIndex, label: other.label, probability: other.probability, overlap, fraction };
  if (other.frame && detections.length) {
    const [top] = objectFacts(other.frame, detections);
    fact.object = { label: top.label, box: top.box, mass: top.mass };
  }
  return fact;
}

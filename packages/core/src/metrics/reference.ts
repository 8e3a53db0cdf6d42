// Building an image's human reference (fixation map, density map, other images' fixation map) from
// fixation points, the usual way to call scoreAll.
import type { FloatMap } from '../cam/types.js';
import { densityMap, fixationMap, type DensityOptions } from '../fixations/density.js';
import type { Fixation } from '../fixations/types.js';
import type { AlignmentReference } from './registry.js';

export interface ReferenceOptions extends DensityOptions {
  /** Fixations made on other images, in this image's pixel frame (shuffled AUC's negatives). */
  otherFixations?: readonly Fixation[];
}

/** fixationMap (counts), density (densityMap with `options`) and, given other fixations, otherFixationMap. */
export function alignmentReference(fixations: readonly Fixation[], width: number, height: number, options: ReferenceOptions): Required<Pick<AlignmentReference, 'fixationMap' | 'density'>> & { otherFixationMap?: FloatMap } {
  const px = { outOfBounds: options.outOfBounds };
  const ref: Required<Pick<AlignmentReference, 'fixationMap' | 'density'>> & { otherFixationMap?: FloatMap } = {
    fixationMap: fixationMap(fixations, width, height, px),
    density: densityMap(fixations, width, height, options),
  };
  if (options.otherFixations) ref.otherFixationMap = fixationMap(options.otherFixations, width, height, px);
  return ref;
}

// What `augment` compares the model's map with: people's fixations where an OSIE-layout folder has the
// image (all observers pooled into a density), else the project's predicted fixation density.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { densityMap, spectralResidual, type FloatMap, type OsieImage, type RgbImage } from '@saliency-explainer/core';
import { inputError } from '../../errors.js';
import { loadDataset, DatasetError } from '../../eval/dataset.js';
import { PROJECT_ROOT } from '../../project.js';
import type { AugmentArgs } from './args.js';

export const DEFAULT_FIXATIONS_DIR = join(PROJECT_ROOT, '..', 'shared', 'data', 'osie');
/** The density sigma of a human reference: 0.03 × the image's longer side (OSIE: 24 px on 800 px, ≈ 1°). */
export const HUMAN_SIGMA_FRACTION = 0.03;

export const DEEPGAZE_NOTE = 'The study compared maps with DeepGaze IIE predictions; DeepGaze IIE is a PyTorch model whose weights cannot be obtained on these machines, so images without human fixations are compared with the project\'s predicted fixation density (spectral residual, Hou & Zhang 2007) instead.';

/** People's fixations by image file name, from an OSIE-layout folder (none when the folder has no fixations.json). */
export function humanImages(dir: string): Map<string, OsieImage> {
  const out = new Map<string, OsieImage>();
  if (!existsSync(join(dir, 'fixations.json'))) return out;
  try {
    for (const im of loadDataset('fixations', dir).images) out.set(im.file, im);
  } catch (e) {
    if (e instanceof DatasetError) throw inputError('BAD_FIXATIONS', e.message);
    throw e;
  }
  return out;
}

export interface Reference {
  kind: 'human' | 'predicted';
  source: string;
  density: FloatMap;
}

export function referenceOf(args: AugmentArgs, human: Map<string, OsieImage>, path: string, image: RgbImage): Reference {
  if (args.reference === 'human') {
    const im = human.get(basename(path));
    if (im && im.width === image.width && im.height === image.height) {
      const points = im.observers.flat();
      if (points.length > 0) {
        const sigma = HUMAN_SIGMA_FRACTION * Math.max(image.width, image.height);
        return {
          kind: 'human',
          source: `eye tracking: ${basename(args.fixationsDir)}/${im.file}, ${im.observers.length} observers, ${points.length} fixations, sigma ${sigma} px`,
          density: densityMap(points, image.width, image.height, { sigma, outOfBounds: 'drop' }),
        };
      }
    }
  }
  return { kind: 'predicted', source: 'predicted: spectral residual (Hou & Zhang 2007)', density: spectralResidual(image) };
}

// The data sets a leaderboard runs on: folders in OSIE's layout (stimuli/ and fixations.json, 1-based
// coordinates; core's parseOsie). OSIE itself (Xu et al., J. Vision 2014): 700 stimuli of 800×600
// with the fixations of 15 observers each, in ../shared/data/osie. Any other folder in that layout
// (e.g. a site's own crowd clicks written by `export-annotations --format dataset`) runs under its own
// name, so its runs and scores never mix with OSIE's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOsie, seededRandom, type Fixation, type OsieImage } from '@saliency-explainer/core';

/** The data set with a default folder (../shared/data/osie); any other name needs --data-dir. */
export const DATASETS = ['osie'] as const;
/** A data set's name: 'osie', or a name of the user's for another folder in OSIE's layout. */
export type DatasetId = string;
/** What a data set may be called: stored with its runs and scores, and shown as the report's title. */
export const DATASET_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface EvalDataset {
  id: DatasetId;
  dir: string;
  /** Every image of the data set, in the order of its fixation file. */
  images: OsieImage[];
  /** The stimulus file of an image. */
  stimulus(image: OsieImage): string;
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

export function loadDataset(id: DatasetId, dir: string): EvalDataset {
  const file = join(dir, 'fixations.json');
  if (!existsSync(file)) throw new DatasetError(`no ${id} data at ${dir}: ${file} is missing (set --data-dir)`);
  let images: OsieImage[];
  try {
    images = parseOsie(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new DatasetError(`${file}: ${(e as Error).message}`);
  }
  if (images.length === 0) throw new DatasetError(`${file} holds no images`);
  const names = new Set<string>();
  for (const im of images) {
    if (names.has(im.file)) throw new DatasetError(`${file} lists ${im.file} twice`);
    names.add(im.file);
  }
  return { id, dir, images, stimulus: (image) => join(dir, 'stimuli', image.file) };
}

/**
 * Shuffled AUC's negatives for image `index`: the fixations of `count` other images of the whole data
 * set (not only of the evaluated subset, so that a score does not depend on which subset was run),
 * drawn without replacement by a generator seeded with (seed, index). Borji et al. (2013) and the MIT
 * benchmark use the fixations of 10 other images. OSIE's images all have the same size, so the points
 * need no rescaling; a data set with mixed sizes would scale them to this image's frame.
 */
export function otherImages(total: number, index: number, count: number, seed: number): number[] {
  const k = Math.min(count, total - 1);
  const pool = Array.from({ length: total }, (_, i) => i).filter((i) => i !== index);
  const random = seededRandom((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}

export function otherFixations(dataset: EvalDataset, index: number, count: number, seed: number): Fixation[] {
  const me = dataset.images[index];
  return otherImages(dataset.images.length, index, count, seed).flatMap((i) => {
    const other = dataset.images[i];
    if (other.width === me.width && other.height === me.height) return other.observers.flat();
    const sx = me.width / other.width;
    const sy = me.height / other.height;
    // pixel centres at integers: scale the pixel edges, not the centres
    return other.observers.flat().map((f) => ({ x: (f.x + 0.5) * sx - 0.5, y: (f.y + 0.5) * sy - 0.5 }));
  });
}

/** `--images N` (the first N) or `--subset A:B` (indices A ≤ i < B, Python-style, B may be omitted). */
export function selectImages(total: number, selection: { count?: number; subset?: [number, number | null] }): number[] {
  let from = 0;
  let to = total;
  if (selection.subset) {
    from = Math.min(selection.subset[0], total);
    to = Math.min(selection.subset[1] ?? total, total);
  }
  if (selection.count !== undefined) to = Math.min(to, from + selection.count);
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

// The optional free-text captioner slot: an image-to-text model (BLIP in the founding study; any
// image-captioning model) that describes the salient crop — the `crop` fact's region — in its own
// words. Core only defines the slot and cuts the crop; the model is the caller's (the API loads
// ONNX encoder-decoder exports with transformers.js). Its phrase is quoted apart from the facts.
import type { RgbImage } from '../image/types.js';
import { cropImage } from './crop.js';
import type { CaptionerPhrase, CropFact } from './facts.js';

export interface Captioner {
  /** How the phrase names the model (e.g. the folder it was loaded from). */
  readonly model: string;
  /** A short description of `image` (RGB or RGBA pixels). */
  describe(image: RgbImage): Promise<string>;
}

/** The captioner's phrase for the crop fact's region of `image`. */
export async function describeCrop(captioner: Captioner, image: RgbImage, crop: CropFact): Promise<CaptionerPhrase> {
  const text = (await captioner.describe(cropImage(image, crop.box))).trim();
  return { model: captioner.model, text };
}

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

/**
 * The parts of a transformers.js image-to-text model (its Node and browser builds alike): the RawImage
 * class, the VisionEncoderDecoder model, its processor and tokenizer. Core never imports the library;
 * the API and the widget load it and hand these over.
 */
export interface TransformersCaptionerParts {
  RawImage: new (data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number) => { rgb(): unknown };
  model: { generate(input: { pixel_values: unknown; max_new_tokens: number }): Promise<unknown> };
  processor: (image: unknown) => Promise<{ pixel_values: unknown }>;
  tokenizer: { batch_decode(ids: never, options: { skip_special_tokens: boolean }): string[] };
}

/** A Captioner over transformers.js parts: the processor's pixels, greedy generation, special tokens dropped. */
export function transformersCaptioner(model: string, parts: TransformersCaptionerParts, maxNewTokens: number): Captioner {
  const { RawImage, processor, tokenizer } = parts;
  return {
    model,
    async describe(image: RgbImage): Promise<string> {
      const raw = new RawImage(image.data, image.width, image.height, image.channels);
      const { pixel_values } = await processor(image.channels === 4 ? raw.rgb() : raw);
      const ids = await parts.model.generate({ pixel_values, max_new_tokens: maxNewTokens });
      const [text] = tokenizer.batch_decode(ids as never, { skip_special_tokens: true });
      return text.trim();
    },
  };
}

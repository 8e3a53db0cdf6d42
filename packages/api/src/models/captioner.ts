// The optional free-text captioner (`explain --caption --captioner DIR`, SALIENCY_CAPTIONER_DIR): an
// image-to-text model in the layout Optimum exports VisionEncoderDecoder models to — config.json,
// generation_config.json, preprocessor_config.json, tokenizer.json + tokenizer_config.json,
// onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx — loaded from a local folder by
// transformers.js (its processor, tokenizer and greedy generation on onnxruntime-node), never from a
// hub. No weights ship with the project: the folder is the user's.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { transformersCaptioner, type Captioner, type TransformersCaptionerParts } from '@saliency-explainer/core';

/** The files a captioner folder must have (generation_config.json is optional). */
export const CAPTIONER_FILES = [
  'config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json',
  'onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx',
] as const;

/** Most tokens a description may have (a caption is a short phrase). */
export const DEFAULT_MAX_NEW_TOKENS = 20;

export type CaptionerErrorCode = 'CAPTIONER_NOT_FOUND' | 'CAPTIONER_FILES_MISSING' | 'BAD_CAPTIONER';

export class CaptionerError extends Error {
  constructor(readonly code: CaptionerErrorCode, message: string) {
    super(message);
    this.name = 'CaptionerError';
  }
}

export interface CaptionerOptions {
  /** Most generated tokens (default DEFAULT_MAX_NEW_TOKENS). */
  maxNewTokens?: number;
  /** ONNX Runtime intra-op threads of its sessions; 0 or unset: ONNX Runtime's default. */
  intraOpThreads?: number;
}

export interface LoadedCaptioner extends Captioner {
  /** The folder it was loaded from (absolute). */
  readonly dir: string;
  release(): Promise<void>;
}

/** transformers.js's `env` is global: loads run one at a time, each with its own folder. */
let loading: Promise<unknown> = Promise.resolve();

/** Check `dir`'s layout: the folder exists and has every file CAPTIONER_FILES lists. */
export function checkCaptionerDir(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new CaptionerError('CAPTIONER_NOT_FOUND', `captioner folder ${abs} does not exist`);
  const missing = CAPTIONER_FILES.filter((f) => !existsSync(join(abs, f)));
  if (missing.length) {
    throw new CaptionerError('CAPTIONER_FILES_MISSING', `captioner folder ${abs} lacks ${missing.join(', ')} ` +
      '(an ONNX VisionEncoderDecoder export with its key/value cache, e.g. optimum-cli export onnx --task image-to-text-with-past)');
  }
  return abs;
}

/** Load the captioner in `dir` (see the header); its `model` is the folder's name. */
export async function loadCaptioner(dir: string, options: CaptionerOptions = {}): Promise<LoadedCaptioner> {
  const abs = checkCaptionerDir(dir);
  const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!Number.isSafeInteger(maxNewTokens) || maxNewTokens < 1) throw new CaptionerError('BAD_CAPTIONER', `maxNewTokens must be a positive integer, not ${maxNewTokens}`);
  const hf = await import('@huggingface/transformers');
  const id = basename(abs);
  const load = async () => {
    hf.env.allowRemoteModels = false;
    hf.env.allowLocalModels = true;
    hf.env.useFSCache = false;
    hf.env.localModelPath = `${dirname(abs)}/`;
    const threads = options.intraOpThreads && options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {};
    return Promise.all([
      hf.VisionEncoderDecoderModel.from_pretrained(id, {
        dtype: 'fp32', device: 'cpu', local_files_only: true,
        session_options: { ...threads, extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } },
      }),
      hf.AutoProcessor.from_pretrained(id, { local_files_only: true }),
      hf.AutoTokenizer.from_pretrained(id, { local_files_only: true }),
    ]);
  };
  const loaded = loading.then(load, load);
  loading = loaded.catch(() => undefined);
  let model, processor, tokenizer;
  try {
    [model, processor, tokenizer] = await loaded;
  } catch (e) {
    throw new CaptionerError('BAD_CAPTIONER', `captioner ${abs} cannot be loaded: ${(e as Error).message}`);
  }
  const parts = { RawImage: hf.RawImage, model, processor, tokenizer } as unknown as TransformersCaptionerParts;
  return {
    ...transformersCaptioner(id, parts, maxNewTokens),
    dir: abs,
    release: () => model.dispose().then(() => undefined),
  };
}

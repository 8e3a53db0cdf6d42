// The free-text captioner of a local engine's captions (the `captioner` attribute): an image-to-text
// model in the layout Optimum exports VisionEncoderDecoder models to (config.json,
// preprocessor_config.json, tokenizer.json, tokenizer_config.json, onnx/encoder_model.onnx,
// onnx/decoder_model_merged.onnx), fetched from the folder URL the page names and run by transformers.js
// (its processor, tokenizer and greedy generation), as the API's captioner does in Node. transformers.js
// is loaded on first use from `transformers-src` (never bundled; it brings its own ONNX Runtime Web build,
// whose wasm files it finds beside it). One captioner per page per (folder, library).
import { transformersCaptioner, type Captioner, type TransformersCaptionerParts } from '@saliency-explainer/core';
import { WidgetError } from '../errors.js';
import { sharedTask, type SharedTask } from '../net/shared-task.js';

/** The file name of transformers.js's browser build, as the API serves it under /transformers/. */
export const TRANSFORMERS_MODULE = 'transformers.min.js';

/** Most tokens a description may have, as in the API (a caption quotes a short phrase). */
export const CAPTIONER_MAX_NEW_TOKENS = 20;

/** What the widget uses of transformers.js (its browser build's exports). */
interface Transformers {
  env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    remoteHost: string;
    remotePathTemplate: string;
    useBrowserCache: boolean;
    useWasmCache?: boolean;
    backends: { onnx: { wasm?: { wasmPaths?: unknown; numThreads?: number; proxy?: boolean } } };
  };
  RawImage: TransformersCaptionerParts['RawImage'];
  VisionEncoderDecoderModel: { from_pretrained(id: string, options: object): Promise<TransformersCaptionerParts['model']> };
  AutoProcessor: { from_pretrained(id: string, options: object): Promise<TransformersCaptionerParts['processor']> };
  AutoTokenizer: { from_pretrained(id: string, options: object): Promise<TransformersCaptionerParts['tokenizer']> };
}

export interface CaptionerSource {
  /** The captioner's folder (absolute URL, ending in /). */
  folder: string;
  /** transformers.js's browser module (absolute URL). */
  library: string;
  /** Most generated tokens (default CAPTIONER_MAX_NEW_TOKENS). */
  maxNewTokens?: number;
}

const captioners = new Map<string, SharedTask<Captioner>>();
/** transformers.js's `env` is global to its module: loads run one at a time, each with its own folder. */
let loading: Promise<unknown> = Promise.resolve();

function parentAndName(folder: string): { parent: string; name: string } {
  const url = new URL(folder);
  const parts = url.pathname.split('/').filter(Boolean);
  const name = parts.pop();
  if (!name) throw new WidgetError('BAD_ATTRIBUTE', `captioner="${folder}" names no folder (expected e.g. /captioners/vit-gpt2/)`);
  url.pathname = `/${parts.map((p) => `${p}/`).join('')}`;
  url.search = '';
  url.hash = '';
  return { parent: url.href, name: decodeURIComponent(name) };
}

async function create({ folder, library, maxNewTokens = CAPTIONER_MAX_NEW_TOKENS }: CaptionerSource): Promise<Captioner> {
  const { parent, name } = parentAndName(folder);
  let hf: Transformers;
  try {
    // a computed URL: bundlers leave it alone, so the library is fetched only when a captioner is asked for
    hf = (await import(/* @vite-ignore */ /* webpackIgnore: true */ library)) as Transformers;
  } catch (e) {
    throw new WidgetError('CAPTIONER_LOAD_FAILED', `cannot load transformers.js from ${library}: ${(e as Error).message}`, { cause: e });
  }
  const load = async () => {
    // the folder's files are fetched from its own URL (any origin that allows it): transformers.js's
    // "remote" loading with the folder's parent as the host; its "local" loading in a browser takes
    // same-origin paths only, and never the hub
    hf.env.allowLocalModels = false;
    hf.env.allowRemoteModels = true;
    hf.env.remoteHost = parent;
    hf.env.remotePathTemplate = '{model}/';
    hf.env.useBrowserCache = false;
    hf.env.useWasmCache = false;
    const wasm = (hf.env.backends.onnx.wasm ??= {});
    // its ONNX Runtime Web build's .mjs and .wasm lie beside the library (as the API serves them)
    wasm.wasmPaths = new URL('./', library).href;
    wasm.numThreads = 1;
    const options = {};
    return Promise.all([
      hf.VisionEncoderDecoderModel.from_pretrained(name, { ...options, dtype: 'fp32', device: 'wasm' }),
      hf.AutoProcessor.from_pretrained(name, options),
      hf.AutoTokenizer.from_pretrained(name, options),
    ]);
  };
  const loaded = loading.then(load, load);
  loading = loaded.catch(() => undefined);
  let model, processor, tokenizer;
  try {
    [model, processor, tokenizer] = await loaded;
  } catch (e) {
    throw new WidgetError('CAPTIONER_LOAD_FAILED', `the captioner ${folder} cannot be loaded: ${(e as Error).message}`, { cause: e });
  }
  return transformersCaptioner(name, { RawImage: hf.RawImage, model, processor, tokenizer }, maxNewTokens);
}

/** The captioner in `source.folder`, loaded once per page (a failure is retried by the next call). */
export function loadCaptioner(source: CaptionerSource): Promise<Captioner> {
  return sharedTask(captioners, JSON.stringify([source.folder, source.library, source.maxNewTokens]), () => create(source)).promise;
}

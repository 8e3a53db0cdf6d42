// ONNX Runtime Web, loaded lazily from `wasm-paths` (never bundled): its ES module by dynamic import,
// its wasm binary through the Cache Storage download (progress, kept for the next page load).
import type * as OrtWebModule from 'onnxruntime-web';
import { WidgetError } from '../errors.js';
import { fetchBytes } from '../net/cached-fetch.js';
import { type ProgressListener, type SharedTask, sharedTask } from '../net/shared-task.js';
import { ORT_WEB_BUILDS, type OrtWebBuild, type OrtWebFlavor } from '@saliency-explainer/core';

export type OrtWeb = typeof OrtWebModule;
export type OrtFlavor = OrtWebFlavor;

/** The build of onnxruntime-web/dist each flavour uses and the wasm binary that build runs on (core's list). */
export const ORT_FILES: Readonly<Record<OrtFlavor, OrtWebBuild>> = ORT_WEB_BUILDS;

const runtimes = new Map<string, SharedTask<OrtWeb>>();

function folder(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

async function load(flavor: OrtFlavor, base: string, emit: ProgressListener): Promise<OrtWeb> {
  const files = ORT_FILES[flavor];
  let ort: OrtWeb;
  try {
    // a computed URL: bundlers leave it alone, so the runtime is fetched only when a widget runs locally
    ort = (await import(/* @vite-ignore */ /* webpackIgnore: true */ base + files.module)) as OrtWeb;
  } catch (e) {
    throw new WidgetError('MODEL_LOAD_FAILED', `cannot load ONNX Runtime Web from ${base}${files.module}: ${(e as Error).message}`, { cause: e });
  }
  // several threads on a cross-origin isolated page (COOP/COEP: SharedArrayBuffer exists), one elsewhere
  ort.env.wasm.numThreads = wasmThreads();
  // the wasm provider runs in ORT's proxy worker, so a long computation (Score-CAM: hundreds of runs)
  // never blocks the page; the WebGPU provider cannot be proxied
  ort.env.wasm.proxy = flavor === 'wasm';
  ort.env.wasm.wasmPaths = base;
  // the binary must match the module that runs it: the cache key carries the module's version
  const wasmUrl = base + files.wasm;
  const { bytes } = await fetchBytes(wasmUrl, { cacheKey: `${wasmUrl}?ort=${ort.env.versions.web ?? 'unknown'}`, onProgress: emit });
  ort.env.wasm.wasmBinary = bytes;
  return ort;
}

/**
 * ONNX Runtime Web's wasm threads for this page: up to 4 (at least 2) where the page is cross-origin
 * isolated, since ORT's own default (half the cores) is 1 on a 2-core machine; 1 elsewhere, where
 * there is no SharedArrayBuffer. The binary is the SIMD build either way (ORT_FILES).
 */
export function wasmThreads(isolated: boolean = globalThis.crossOriginIsolated === true, cores: number = navigator.hardwareConcurrency || 1): number {
  return isolated ? Math.max(2, Math.min(4, cores)) : 1;
}

/** The runtime of `flavor` served under `wasmPaths`, loaded once per page. */
export function loadOrt(flavor: OrtFlavor, wasmPaths: string, onProgress?: ProgressListener): Promise<OrtWeb> {
  const base = folder(new URL(wasmPaths, document.baseURI).href);
  return sharedTask(runtimes, `${flavor} ${base}`, (emit) => load(flavor, base, emit)).follow(onProgress);
}

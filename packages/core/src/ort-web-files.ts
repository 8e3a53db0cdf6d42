// The files of onnxruntime-web's dist/ folder that the widget runs on, per flavour: the ES module it
// imports, the wasm binary it feeds that module, and the Emscripten glue module the runtime loads
// beside it. One list for the widget's loader and for what the `site` command copies.

export type OrtWebFlavor = 'webgpu' | 'wasm';

export interface OrtWebBuild {
  /** The ES module the page imports. */
  module: string;
  /** The wasm binary that module runs on. */
  wasm: string;
  /** The Emscripten module the runtime imports next to the binary. */
  glue: string;
}

/**
 * The WebGPU build (which also has the wasm CPU provider) runs on the asyncify binary, the wasm-only
 * build on the smaller plain one; both are the SIMD, threaded builds.
 */
export const ORT_WEB_BUILDS: Readonly<Record<OrtWebFlavor, OrtWebBuild>> = {
  webgpu: { module: 'ort.webgpu.min.mjs', wasm: 'ort-wasm-simd-threaded.asyncify.wasm', glue: 'ort-wasm-simd-threaded.asyncify.mjs' },
  wasm: { module: 'ort.wasm.min.mjs', wasm: 'ort-wasm-simd-threaded.wasm', glue: 'ort-wasm-simd-threaded.mjs' },
};

/** Every file of both builds (what a static copy of the runtime needs). */
export const ORT_WEB_FILES: readonly string[] = Object.values(ORT_WEB_BUILDS).flatMap((b) => [b.module, b.glue, b.wasm]);

// The engines of <saliency-detector>: both give an image's boxes and a box's final map on the
// detector's letterboxed input (core's DetectorMap.inputMap, in [0, 1]); the element takes it back to
// the photo with core's letterboxToImage. Local: core's DetectorExplainer on ONNX Runtime Web's wasm or
// WebGPU provider (the manifest's detector, fetched through Cache Storage and checked against its
// sha256); on WebGPU, box gradient CAMs run on a wasm twin, since ORT Web's WebGPU MaxPool (YOLOX's SPP)
// has no Indices output for the backward pass, as the classifier's local engine does for pixel methods.
// Remote: the API's explain with `boxes` (Explanation.detections, Heatmap.raw of the box).
import { DetectorExplainer, findDetector, parseLabels, type DetectorRun, type FloatMap, type RgbImage } from '@saliency-explainer/core';
import { asWidgetError, WidgetError } from '../errors.js';
import { toDataUrl, type LoadedImage } from '../image/load-image.js';
import { fetchBytes } from '../net/cached-fetch.js';
import { postGraphQL } from '../net/graphql.js';
import { manifestAt } from '../engines/model-source.js';
import { loadOrt, type OrtFlavor } from '../engines/ort-loader.js';
import { browserRuntime } from '../engines/ort-runtime.js';
import { webgpuAdapter } from '../engines/webgpu.js';

export interface DetectedBox {
  index: number;
  classIndex: number;
  label: string;
  score: number;
  /** [x0, y0, x1, y1] in the image's pixels. */
  box: [number, number, number, number];
}

export interface DetectorEngine {
  readonly backend: 'wasm' | 'webgpu' | 'server';
  /** The image's boxes, best score first. */
  detect(image: LoadedImage): Promise<DetectedBox[]>;
  /** `method`'s map of box `index` (EigenCAM: the image's map) on the letterboxed input. */
  explainBox(image: LoadedImage, index: number, method: string): Promise<FloatMap>;
  /** Where `method`'s maps are computed (on WebGPU, box gradient CAMs run on wasm). */
  backendFor(method: string): 'wasm' | 'webgpu' | 'server';
}

/**
 * The image's pixels as core reads them: the RGBA data itself, no copy (alpha already composited over
 * white, as the API flattens it; core skips the fourth channel), as the classifier's local engine does.
 */
export function rgbOf(pixels: ImageData): RgbImage {
  const { width, height, data } = pixels;
  return { data, width, height, channels: 4 };
}

export class LocalDetectorEngine implements DetectorEngine {
  private explainer: Promise<DetectorExplainer> | null = null;
  private readonly runs = new WeakMap<LoadedImage, Promise<DetectorRun>>();
  /** WebGPU: the wasm engine of the same detector, for box gradient CAMs (see the header). */
  private twin: LocalDetectorEngine | null = null;

  constructor(private readonly modelsBase: string, private readonly wasmPaths: string, private readonly model?: string,
    readonly backend: OrtFlavor = 'wasm') {}

  backendFor(method: string): OrtFlavor {
    return this.backend === 'webgpu' && method !== 'eigencam' ? 'wasm' : this.backend;
  }

  private load(): Promise<DetectorExplainer> {
    this.explainer ??= (async () => {
      if (this.backend === 'webgpu' && !(await webgpuAdapter())) {
        throw new WidgetError('WEBGPU_UNAVAILABLE', 'mode="webgpu": this browser offers no WebGPU adapter (navigator.gpu)');
      }
      const manifest = await manifestAt(this.modelsBase);
      let spec;
      try {
        spec = findDetector(manifest, this.model);
      } catch (e) {
        throw new WidgetError('NO_DETECTOR', (e as Error).message, { cause: e });
      }
      const files = new URL('files/', this.modelsBase);
      try {
        const [ort, model, labels] = await Promise.all([
          loadOrt(this.backend, this.wasmPaths),
          fetchBytes(new URL(spec.file, files).href, { sha256: spec.sha256 }),
          Array.isArray(spec.labels) ? spec.labels : fetchBytes(new URL(spec.labels, files).href).then(({ bytes }) => parseLabels(new TextDecoder().decode(bytes))),
        ]);
        return await DetectorExplainer.create(browserRuntime(ort), model.bytes, spec, labels, { sessionOptions: { executionProviders: [this.backend] } });
      } catch (e) {
        throw new WidgetError('DETECTOR_LOAD_FAILED', `the object detector ${spec.id} cannot be loaded: ${asWidgetError(e, 'DETECTOR_LOAD_FAILED').message}`, { cause: e });
      }
    })();
    this.explainer.catch(() => (this.explainer = null));
    return this.explainer;
  }

  private run(image: LoadedImage): Promise<DetectorRun> {
    let r = this.runs.get(image);
    if (!r) {
      r = this.load().then((ex) => ex.run(rgbOf(image.pixels)));
      this.runs.set(image, r);
    }
    return r;
  }

  async detect(image: LoadedImage): Promise<DetectedBox[]> {
    const run = await this.run(image);
    return run.detections.map((d, index) => ({ index, classIndex: d.classIndex, label: d.label, score: d.score, box: [d.box[0], d.box[1], d.box[2], d.box[3]] }));
  }

  async explainBox(image: LoadedImage, index: number, method: string): Promise<FloatMap> {
    const [ex, run] = await Promise.all([this.load(), this.run(image)]);
    if (method === 'eigencam') return (await ex.eigenCam(run)).inputMap;
    if (this.backend === 'webgpu') {
      this.twin ??= new LocalDetectorEngine(this.modelsBase, this.wasmPaths, this.model, 'wasm');
      // the twin detects again on its own runtime; its boxes are this engine's (same model, same letterbox)
      return this.twin.explainBox(image, index, method);
    }
    const box = run.detections[index];
    if (!box) throw new WidgetError('BAD_CLASS', `box ${index}: the detector found ${run.detections.length}`);
    const [m] = await ex.explainBoxes(run, [box], { method });
    return m.inputMap;
  }
}

const EXPLAIN = `mutation Explain($input: ExplainInput!) {
  explain(input: $input) {
    image { id }
    detections { index classIndex label score box }
    heatmaps { method box width height raw }
  }
}`;

interface ExplainResponse {
  image: { id: string };
  detections: DetectedBox[];
  heatmaps: { method: string; box: number | null; width: number; height: number; raw: number[] }[];
}

export class RemoteDetectorEngine implements DetectorEngine {
  readonly backend = 'server' as const;
  private readonly imageIds = new WeakMap<LoadedImage, string>();

  constructor(private readonly api: string, private readonly model: string) {}

  backendFor(): 'server' {
    return 'server';
  }

  private async explain(image: LoadedImage, methods: string[], boxes?: number[]): Promise<ExplainResponse> {
    const known = this.imageIds.get(image);
    const input: Record<string, unknown> = { ...(known ? { imageId: known } : { image: await toDataUrl(image.blob) }), model: this.model, methods };
    if (boxes) input.boxes = boxes;
    const { explain } = await postGraphQL<{ explain: ExplainResponse }>(this.api, EXPLAIN, { input });
    this.imageIds.set(image, explain.image.id);
    return explain;
  }

  async detect(image: LoadedImage): Promise<DetectedBox[]> {
    // EigenCAM is the cheapest explain that returns the boxes (one forward pass)
    return (await this.explain(image, ['eigencam'])).detections;
  }

  async explainBox(image: LoadedImage, index: number, method: string): Promise<FloatMap> {
    const r = await this.explain(image, [method], method === 'eigencam' ? undefined : [index]);
    const h = r.heatmaps.find((m) => m.method === method);
    if (!h) throw new WidgetError('BAD_CLASS', `the server returned no ${method} map for box ${index}`);
    return { width: h.width, height: h.height, values: Float32Array.from(h.raw) };
  }
}

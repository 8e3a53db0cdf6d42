// The captions' object detector on a thread of its own. ONNX Runtime's Node binding runs a session
// on the thread that calls it, so a detector beside the classifier waits for the classifier's runs
// and they for it. On a worker thread, YOLOX runs while the caption's crop, deletion and control
// inputs are made and classified (core's captionFacts takes detections as a promise and awaits them
// only after its batch is sent). The model loads on the thread; a load error comes back as the
// same typed model error (errors.ts: code, exit 4) that loading it in place gives.
import type { Detection, DetectOptions, RgbImage } from '@saliency-explainer/core';
import { CliError, modelError } from '../errors.js';
import { RpcWorker } from './rpc-worker.js';

export type DetectorRequest = { kind: 'load' } | { kind: 'detect'; image: RgbImage; options?: DetectOptions };

/** What captions need of a detector, in place (core's Detector) or on a thread (DetectorThread). */
export interface ImageDetector {
  detect(image: RgbImage, options?: DetectOptions): Promise<Detection[]>;
  release(): Promise<void>;
}

export class DetectorThread implements ImageDetector {
  private constructor(private readonly worker: RpcWorker<DetectorRequest, Detection[] | null>) {}

  /** The manifest's first detector of `modelsDir`, loaded on a new worker thread. */
  static async start(modelsDir: string): Promise<DetectorThread> {
    const worker = new RpcWorker<DetectorRequest, Detection[] | null>(new URL('./detector-worker.js', import.meta.url), { modelsDir });
    const thread = new DetectorThread(worker);
    try {
      await thread.call({ kind: 'load' });
    } catch (e) {
      await worker.close();
      throw e;
    }
    return thread;
  }

  private async call(request: DetectorRequest): Promise<Detection[] | null> {
    try {
      return await this.worker.call(request);
    } catch (e) {
      const err = e as Error & { code?: string };
      // the typed model errors (NO_DETECTOR, MODEL_FILE_MISSING, BAD_MODEL) cross the thread as name + code
      if (err.name === 'CliError' && err.code) throw modelError(err.code, err.message);
      throw e instanceof CliError ? e : err;
    }
  }

  /** The image's detections; its pixels are copied to the thread. */
  async detect(image: RgbImage, options?: DetectOptions): Promise<Detection[]> {
    return (await this.call({ kind: 'detect', image, options })) ?? [];
  }

  async release(): Promise<void> {
    await this.worker.close();
  }
}

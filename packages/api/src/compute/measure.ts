// Inside an engine worker: what is measured about one stored heatmap — its faithfulness report — with
// the worker's Explainer as the model (batched forward passes through `forwardInputs`). The final map
// is rebuilt from the stored raw map with core's pipeline, so it is the map the API draws.
import { measureFaithfulness, postprocess, resizeForModel, toTensor, type Explainer } from '@saliency-explainer/core';
import { decodeImage } from '../images/decode.js';
import type { MeasureJob } from './worker-protocol.js';

/** The JSON object of `job.what` for the heatmap in `job`. */
export async function measure(engine: Explainer, job: MeasureJob, maxImagePixels: number): Promise<unknown> {
  const spec = engine.spec.input;
  const image = job.pixels ?? (await decodeImage(job.bytes!, maxImagePixels)).image;
  const input = toTensor(resizeForModel(image, spec), spec);
  const { map } = postprocess(job.raw.values, job.raw.height, job.raw.width, spec.height, spec.width);
  const score = (batch: Float32Array, n: number) => engine.forwardInputs(batch, n);
  switch (job.what) {
    case 'faithfulness':
      return measureFaithfulness(score, input, engine.inputShape, map, job.classIndex, { ...job.options, batchSize: engine.batchSize });
  }
}

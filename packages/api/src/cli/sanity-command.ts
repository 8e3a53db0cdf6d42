// `saliency-explainer sanity-check`: Adebayo et al.'s cascading model randomisation for one input
// (core/faithfulness/sanity.ts). Prints the similarity curves (Spearman, SSIM) of each method's map
// per randomised layer and whether the method passes; --plot writes them as a PNG; --json prints
// the result object.
import * as ort from 'onnxruntime-node';
import { cascadingRandomisation, getCamMethod, PASS_THRESHOLD, type SanityResult } from '@saliency-explainer/core';
import { EXIT, inputError, type ExitCode } from '../errors.js';
import type { Output } from './explain-command.js';
import { checkMethod, chooseClass, createEngine, loadModel, MODEL_INPUT_OPTIONS, parseModelInputArgs, readInput } from './faithfulness-command.js';
import { intFlag, listFlag, parseFlags } from './flags.js';
import { writeSanityPlot } from './sanity-plot.js';

export const SANITY_HELP = `sanity-check: saliency-explainer sanity-check <image> | --input-tensor X.bin [options]
      --method M[,M...]     CAM methods to check (default gradcam)
      --layers N            randomise only the top N Conv/Gemm layers (default all; SqueezeNet has 26)
      --seed N              seed of the random weights (default 0)
      --plot FILE.png       also draw the curves
      -m/--model, --class, --layer, --target, --batch-size, --json   as for faithfulness
    Weights are replaced from the top layer down by truncated normals of each layer's trained spread;
    after each step every map is compared with the trained model's (Spearman ρ, SSIM of min-max
    scaled maps). A method passes when both fall below ${PASS_THRESHOLD} at the last step.`;

export function sanityTable(r: SanityResult): string[] {
  const head = ['step', 'layer'.padEnd(28), ...r.curves.map((c) => `${c.method} ρ`.padStart(16) + '  SSIM')].join(' ');
  const rows = r.layers.map((layer, k) => [String(k + 1).padStart(4), layer.padEnd(28),
    ...r.curves.map((c) => c.spearman[k].toFixed(3).padStart(16) + c.ssim[k].toFixed(3).padStart(6))].join(' '));
  const verdicts = r.curves.map((c) => `${c.method}: ${c.passes ? 'passes' : 'FAILS'} (last step ρ ${c.spearman.at(-1)!.toFixed(3)}, SSIM ${c.ssim.at(-1)!.toFixed(3)})`);
  return [head, ...rows, ...verdicts];
}

export async function runSanity(argv: string[], io: Output): Promise<ExitCode> {
  const parsed = parseFlags(argv, { ...MODEL_INPUT_OPTIONS, layers: { type: 'string' }, plot: { type: 'string' } } as const);
  const v = parsed.values;
  if (v.help) {
    io.out(SANITY_HELP);
    return EXIT.OK;
  }
  const methods = listFlag(v.method === undefined ? ['gradcam'] : [v.method]).map(checkMethod);
  const args = parseModelInputArgs({ ...v, method: methods[0] }, parsed.positionals);
  const layers = v.layers === undefined ? undefined : intFlag('layers', v.layers, 1);
  const model = loadModel(args, io.err);
  const engine = await createEngine(model, args.batchSize);
  let input: Float32Array;
  let classIndex: number;
  try {
    input = await readInput(args, engine);
    classIndex = await chooseClass(args, engine, input);
  } finally {
    await engine.release();
  }
  let result: SanityResult;
  try {
    result = await cascadingRandomisation(ort, model.bytes, model.spec, model.labels, input, classIndex, {
      methods, layer: args.layer, target: args.target, layers, seed: args.seed, batchSize: args.batchSize,
      onStep: (k, of) => { if (!args.json && io.errIsTTY) io.err(`randomised ${k}/${of} layers`); },
    });
  } catch (e) {
    if ((e as Error).name === 'ExplainError' || e instanceof RangeError) throw inputError('BAD_INPUT', (e as Error).message);
    throw e;
  }
  const label = model.labels[classIndex];
  if (v.plot) {
    const names = Object.fromEntries(methods.map((m) => [m, getCamMethod(m).name]));
    await writeSanityPlot(v.plot, result, `Sanity check, ${model.spec.id}: class ${classIndex} (${label}), seed ${args.seed}`, names);
  }
  if (args.json) {
    io.out(JSON.stringify({ model: model.spec.id, label, seed: args.seed, ...result }));
  } else {
    io.out(`${args.input.image ?? args.input.tensor}: ${model.spec.id}, class ${classIndex} (${label}), ${result.layers.length} layers randomised from the top (seed ${args.seed})`);
    for (const line of sanityTable(result)) io.out(line);
    if (v.plot) io.out(`plot: ${v.plot}`);
  }
  return EXIT.OK;
}

// Entry point of the saliency-explainer command: dispatch, help, exit codes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { camMethods } from '@saliency-explainer/core';
import { parseExplainArgs } from './args.js';
import { CliError, EXIT, type ExitCode } from '../errors.js';
import { runExplain, type Output } from './explain-command.js';
import { runServe, SERVE_HELP } from './serve-command.js';
import { runScore, SCORE_HELP } from './score-command.js';
import { EVAL_HELP, runEvalCommand } from './eval-command.js';
import { IMPORT_HELP, runImport } from './import-command.js';
import { EXPORT_HELP, runExport } from './export-command.js';
import { readManifest } from '../models/loader.js';
import { FAITHFULNESS_HELP, runFaithfulness } from './faithfulness-command.js';
import { runSanity, SANITY_HELP } from './sanity-command.js';
import { existsSync } from 'node:fs';
import { PROJECT_ROOT } from '../project.js';
import { DEFAULTS } from './settings.js';
import { PIXEL_HELP } from './pixel-maps.js';

const EXPLAIN_HELP = `explain: saliency-explainer explain <image|dir>... [options]
  -m, --model ID            model of models/manifest.json (default: the manifest's default); a detector of its
                            "detectors" (yolox-nano) prints the boxes and writes <name>.detections.png and an
                            EigenCAM map of the image, <name>.eigencam.png
      --box N|all           detectors: also explain box N (0 = best, as printed) with each --method
                            (gradient CAMs), <name>.<method>.box<N>-<label>.png; repeatable
      --model-file FILE     your own ONNX classifier instead (input name and size, output: from the graph)
      --input-spec JSON|FILE  how pixels become its input: {"channelOrder","scale","mean","std"} at least
                            (optional "name","height","width","resize","output","labels","targetLayer"); a
                            models/manifest.json entry or a shared model.json works too; default: FILE's
                            <stem>.json or model.json beside it
      --labels FILE         one label per line, in output order (default: the spec's, else "class N")
      --models-dir DIR      manifest and cache folder (default models/, env SALIENCY_MODELS_DIR)
      --method M[,M...]     ${camMethods.map((m) => m.id).join(', ')}, or all (default gradcam)
  -k, --top-k K             explain the K most probable classes (default 1)
      --class N[,N...]      or exactly these class indices
      --layer TENSOR        target layer (a 4-D tensor name; default: the model's)
      --target T            logit (default) or probability
      --colormap C          jet (default, as pytorch-grad-cam), turbo, viridis, inferno, gray
      --image-weight W      weight of the image in the overlay, 0..1 (default 0.5)
  -o, --out DIR             overlays <name>.<method>.<class>-<label>.png, report.json and maps/ (each map
                            as a 16-bit grey <…>.map.png, what score reads, and its raw <…>.raw.npy) (default out/)
      --frame F             image (default): overlays and maps on the photo at its own size and aspect;
                            model: on the model's input frame (e.g. 224×224)
      --no-overlays         write no overlay PNGs (report.json and maps/ still, unless --json)
      --json                stdout: one JSON object per input (JSON Lines), nothing else
      --input-tensor        inputs are float32 little-endian NCHW .bin tensors of the model's input shape
      --batch-size N        Score-CAM / Ablation-CAM inputs per forward run, IG steps / SmoothGrad samples per gradient run (default: the model's measured size, else ${DEFAULTS.batchSize})
      --max-image-bytes N   largest input file (default ${DEFAULTS.maxImageBytes}, env SALIENCY_MAX_IMAGE_BYTES)
      --max-image-pixels N  largest decoded image (default ${DEFAULTS.maxImagePixels}, env SALIENCY_MAX_IMAGE_PIXELS)
      --no-progress         no progress bar on stderr
      --caption             also caption each map: what the model sees, on which detected object, what
                            cropping to and blurring out the evidence does (needs the manifest's detector)
      --captioner DIR       with --caption: also quote what an image-to-text model says about the crop
                            (your ONNX VisionEncoderDecoder export in DIR; none ships; see README)
      --faithfulness        also measure each map's faithfulness (deletion/insertion, ROAD, CamMult; see faithfulness)
${PIXEL_HELP}`;

const MODELS_HELP = `models: saliency-explainer models [--models-dir DIR]
    Lists the classifiers of the manifest (models/manifest.json, or DIR/manifest.json): id, input size and
    channel order, target layer, and whether its file has been fetched (npm run models).`;

const METHODS_HELP = `methods: saliency-explainer methods
    Lists the methods: id, name, whether they need gradients, their cost class (gradient, activation,
    perturbation, gradient-input) and kind (cam: a map at the target layer; attribution: a pixel map).`;

const HELP = `saliency-explainer — see why an image classifier decided (Grad-CAM family on any ONNX CNN)

Usage:
  saliency-explainer explain <image|dir>... [options]
  saliency-explainer serve [options]               the GraphQL API (http://127.0.0.1:4000/graphql)
  saliency-explainer models [--models-dir DIR]     list the models of the manifest
  saliency-explainer methods                       list the methods (layer CAMs and pixel attributions)
  saliency-explainer score <map> --fixations FILE  alignment of a saliency map with human fixations
  saliency-explainer eval --dataset osie [options] leaderboard: models × layers × methods vs human fixations
  saliency-explainer worker --database-url postgresql://…   take queued jobs (eval --distributed) on this machine
  saliency-explainer import-fixations --osie DIR | --image FILE --points FILE   eye tracking into the API's database
  saliency-explainer export-annotations [--format jsonl|csv] [-o FILE]          stored crowd clicks and eye tracking out
  saliency-explainer faithfulness <image> | --input-tensor X.bin [--map M.bin | --method M] [--json]   is a map faithful to the model?
  saliency-explainer sanity-check <image> [--method M,M] [--layers N] [--plot FILE.png]   do the maps depend on the weights?
  saliency-explainer export-onnx -m ID --method M -k K [--raw] -o FILE.onnx   one ONNX file: image tensor → classes, scores, maps
  saliency-explainer campaign create|show|close|export …  annotation campaigns (admin key): images, quotas, progress, exclusions, data set
  saliency-explainer site -o DIR [--model ID] [--detector]   the widget, ONNX Runtime Web and models as a static folder (no server)
  saliency-explainer augment <image|dir>... -m ID -o DIR [--mode erase|inpaint]   selective erasing / inpainting where the map disagrees with people
  saliency-explainer --version | --help

Run 'saliency-explainer <command> --help' for a command's options.

Exit codes: 0 ok · 1 internal error · 2 usage error · 3 input error (unreadable or undecodable
image, too large, wrong tensor size, class or layer not in the model; other inputs still run;
import-fixations: a bad image, fixations or points file, and nothing is written) ·
4 model error (unknown model, missing or unusable model file) · 5 output error (--out / -o cannot
be written: a path through a file, a file where a folder goes, no permission, a full disk) · 130 eval interrupted by Ctrl-C
(the report covers the images finished; --resume continues)
`;

const wantsHelp = (argv: readonly string[]) => argv.includes('--help') || argv.includes('-h');

function helpText(io: Output, text: string): ExitCode {
  io.out(text);
  return EXIT.OK;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'packages', 'api', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function listModels(argv: string[], io: Output): ExitCode {
  const i = argv.indexOf('--models-dir');
  const dir = i >= 0 && argv[i + 1] ? argv[i + 1] : DEFAULTS.modelsDir;
  const manifest = readManifest(dir);
  for (const m of manifest.models) {
    const present = existsSync(join(dir, 'cache', m.file)) ? 'ready' : 'not fetched (npm run models)';
    const tag = m.id === manifest.default ? ' (default)' : m.fixture ? ' (test fixture)' : '';
    io.out(`${m.id}${tag}\t${m.input.width}×${m.input.height} ${m.input.channelOrder}\tlayer ${m.targetLayer ?? 'auto'}\t${present}`);
  }
  return EXIT.OK;
}

export async function main(argv: string[], io: Output = {
  out: (l) => process.stdout.write(`${l}\n`),
  outBytes: (chunks) => {
    process.stdout.cork();
    for (const c of chunks) process.stdout.write(c);
    process.stdout.write('\n');
    process.stdout.uncork();
  },
  err: (l) => process.stderr.write(`${l}\n`),
  errIsTTY: Boolean(process.stderr.isTTY),
}): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'explain': {
        const args = parseExplainArgs(rest);
        if (args === 'help') {
          io.out(EXPLAIN_HELP);
          return EXIT.OK;
        }
        return await runExplain(args, io);
      }
      case 'serve':
        return await runServe(rest, io);
      case 'models':
        if (wantsHelp(rest)) return helpText(io, MODELS_HELP);
        return listModels(rest, io);
      case 'score':
        return await runScore(rest, io);
      case 'eval':
        return await runEvalCommand(rest, io);
      case 'import-fixations':
        return await runImport(rest, io);
      case 'export-annotations':
        return await runExport(rest, io);
      case 'faithfulness':
        return await runFaithfulness(rest, io);
      case 'export-onnx': return await (await import('./export-onnx-command.js')).runExportOnnx(rest, io);
      case 'site':
        return await (await import('./site-command.js')).runSite(rest, io);
      case 'worker': return await (await import('./worker-command.js')).runWorker(rest, io);
      case 'campaign': return await (await import('./campaign-command.js')).runCampaign(rest, io);
      case 'augment': return await (await import('./augment-command.js')).runAugment(rest, io);
      case 'sanity-check':
        return await runSanity(rest, io);
      case 'methods':
        if (wantsHelp(rest)) return helpText(io, METHODS_HELP);
        for (const m of camMethods) io.out(`${m.id}\t${m.name}\t${m.needsGradients ? 'gradients' : 'no gradients'}\t${m.cost}\t${m.kind}`);
        return EXIT.OK;
      case '--version':
      case '-v':
        io.out(version());
        return EXIT.OK;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(HELP);
        return EXIT.OK;
      default:
        io.err(`error: unknown command '${command}' (try --help)`);
        return EXIT.USAGE;
    }
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`error: ${e.message}`);
      return e.exitCode;
    }
    io.err(`internal error: ${(e as Error)?.stack ?? e}`);
    return EXIT.INTERNAL;
  }
}

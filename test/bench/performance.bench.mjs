// One run that fills every table of docs/performance.md's engine, perturbation and CLI sections, with
// the machine described: `node test/bench/performance.bench.mjs` (after `npm run build`).
// It runs engine.bench.mjs, fused.bench.mjs, api.bench.mjs, perturbation.bench.mjs, cli.bench.mjs
// one after another as child processes (each prints its own tables as it goes, and hands its rows
// over through BENCH_RESULTS, results.mjs), then prints the tables as markdown, and the browser bench
// (packages/widget/bench/browser-bench.mjs: Chromium, the widget's bundle) likewise. PERFORMANCE_BENCHES
// picks a subset (comma-separated names, e.g. "engine,cli,browser"); the other benches' settings
// (rounds, sizes, models) pass through the environment.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(join(root, 'packages', 'api', 'package.json'));
const BENCHES = (process.env.PERFORMANCE_BENCHES ?? 'engine,fused,api,perturbation,cli,browser').split(',');
// every bench is here but the browser's, which lives with the widget (it needs Chromium and the widget's bundle)
const benchFile = (name) => (name === 'browser' ? join(root, 'packages', 'widget', 'bench', 'browser-bench.mjs') : join(here, `${name}.bench.mjs`));
const work = mkdtempSync(join(os.tmpdir(), 'performance-bench-'));
const resultsFile = join(work, 'results.jsonl');

const version = (pkg) => {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  }
};
const sharp = require('sharp');
const cpus = os.cpus();
const loadBefore = os.loadavg();
const started = new Date();

for (const name of BENCHES) {
  console.error(`\n=== ${benchFile(name)} ===`);
  execFileSync(process.execPath, [benchFile(name)], { stdio: 'inherit', env: { ...process.env, BENCH_RESULTS: resultsFile } });
}
const results = Object.fromEntries(readFileSync(resultsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).reduce((acc, r) => {
  const prev = acc.find(([b]) => b === r.bench);
  if (prev) prev[1] = { ...prev[1], rows: [...prev[1].rows, ...r.rows] };
  else acc.push([r.bench, r]);
  return acc;
}, []));
rmSync(work, { recursive: true, force: true });

const minutes = ((Date.now() - started.getTime()) / 60000).toFixed(0);
const machine = `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores seen by Node (available parallelism ${os.availableParallelism()}), `
  + `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ${os.type()} ${os.release()}; Node ${process.versions.node}, onnxruntime-node ${version('onnxruntime-node')}, `
  + `sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}); load average ${loadBefore[0].toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end; `
  + `${started.toISOString().slice(0, 16)}Z, ${minutes} min`;

const MODELS = [['squeezenet1.0', 'SqueezeNet 1.0'], ['resnet18', 'ResNet-18']];
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const ms = (v) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const s = (v) => (v === undefined ? '—' : `${(v / 1000).toFixed(2)} s`);
const x = (v) => (v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(2)}×`);

console.log(`\n## docs/performance.md, one run\n\nMachine: ${machine}.\n`);

if (results.engine || results.api) {
  const engineMs = (model, name) => Number(results.engine?.rows.find((r) => r.model === model && r.case === name)?.['median ms']) || undefined;
  const api = (model, name) => results.api?.rows.find((r) => r.model === model && r.case === name);
  const rate = (r) => (r ? `${Number(r['req/s']).toFixed(0)} req/s` : '—');
  const rows = [
    ['forward pass (engine)', (m) => `${ms(engineMs(m, 'forward (bare)'))} ms`],
    ['Grad-CAM top-1 / top-5 (engine)', (m) => `${ms(engineMs(m, 'Grad-CAM top-1'))} / ${ms(engineMs(m, 'Grad-CAM top-5'))} ms`],
    ['EigenCAM / Score-CAM top-1 (engine)', (m) => `${ms(engineMs(m, 'EigenCAM top-1'))} ms / ${s(engineMs(m, 'ScoreCAM top-1'))}`],
    ['engine, tensor in, sequential', (m) => rate(api(m, 'engine, tensor in'))],
    ['engine, image in (decode + Pillow-exact resize + Grad-CAM)', (m) => rate(api(m, 'engine, image in'))],
    ['API, 1 client (p50 / p99)', (m) => { const r = api(m, 'API, 1 client'); return r ? `${rate(r)} (${ms(Number(r['p50 ms']))} / ${ms(Number(r['p99 ms']))} ms)` : '—'; }],
    ['API, 16 clients (p50 / p99)', (m) => { const r = api(m, 'API, 16 clients'); return r ? `${rate(r)} (${ms(Number(r['p50 ms']))} / ${ms(Number(r['p99 ms']))} ms)` : '—'; }],
    ['API at 16 clients ÷ engine, tensor in / image in', (m) => { const r = api(m, 'API, 16 clients'); return r ? `${r['× engine (tensor in)']}× / ${r['× engine (image in)']}×` : '—'; }],
  ];
  console.log(table(['', ...MODELS.map(([, n]) => n)], rows.map(([label, f]) => [label, ...MODELS.map(([m]) => f(m))])));
  console.log();
}

if (results.perturbation) {
  const rows = results.perturbation.rows;
  const of = (m, pred) => rows.find((r) => r.model === m && pred(r));
  const forwards = (m) => of(m, (r) => / bare forwards/.test(r.case));
  const own = (m) => of(m, (r) => r.batch === r.modelBatch);
  const before = (m) => of(m, (r) => /before/.test(r.case));
  const ablation = (m) => of(m, (r) => /Ablation/.test(r.case));
  const best = (m) => results.perturbation.best?.find((b) => b.model === m);
  const sizes = [...new Set(rows.filter((r) => r.batch).map((r) => r.batch))].sort((a, b) => a - b);
  console.log(table(['', ...MODELS.map(([, n]) => n)], [
    [`${rows.find((r) => / bare forwards/.test(r.case))?.case.split(' ')[0] ?? '512'} bare forwards`, ...MODELS.map(([m]) => s(forwards(m)?.ms))],
    ['Score-CAM top-1 at the model\'s batch size / the previous implementation', ...MODELS.map(([m]) => (own(m) ? `${s(own(m).ms)} (batch ${own(m).batch}) / ${s(before(m)?.ms)} (${x(own(m).ms / before(m)?.ms)})` : '—'))],
    ['Score-CAM ÷ the bare forwards', ...MODELS.map(([m]) => x(own(m)?.ms / forwards(m)?.ms))],
    [`Score-CAM top-1 at batch ${sizes.join(' / ')}`, ...MODELS.map(([m]) => sizes.map((b) => (of(m, (r) => r.batch === b) ? (of(m, (r) => r.batch === b).ms / 1000).toFixed(2) : '—')).join(' / ') + ' s')],
    ['fastest batch in this run (wall / CPU time)', ...MODELS.map(([m]) => (best(m) ? `${best(m)['fastest (wall)']} / ${best(m)['fastest (cpu)']}` : '—'))],
    ['Ablation-CAM top-1 (the head only)', ...MODELS.map(([m]) => s(ablation(m)?.ms))],
  ]));
  console.log();
}

if (results.cli) {
  const r = results.cli;
  console.log(table([`SqueezeNet Grad-CAM top-5, ${r.photos} photos`, 'ms per image (median; range)', '× engine (tensor in)', '× engine (image in)'],
    r.rows.map((row) => [row.case.replace('engine in process, decode + preprocess + explain', 'engine in process, image in (decode + preprocess)'), `${row['ms / image']} (${row.range})`, `${row['× engine (tensor)']}×`, `${row['× engine (image)']}×`])));
  console.log();
}

if (results.fused) {
  const f = (m, c) => results.fused.rows.find((r) => r.model === m && r.case === c)?.['× forward'];
  const line = [['squeezenet1.0', 'SqueezeNet'], ['mobilenet_v1_0.75', 'MobileNet v1'], ['resnet18', 'ResNet-18']].map(([m, n]) =>
    `${n} Grad-CAM top-5 ${f(m, 'Grad-CAM top-5, fused')}× a bare forward (unfused ${f(m, 'Grad-CAM top-5, unfused')}×), top-1 ${f(m, 'Grad-CAM top-1, fused')}×, EigenCAM ${f(m, 'EigenCAM top-1, fused')}× (unfused ${f(m, 'EigenCAM top-1, unfused')}×)`);
  console.log(`Fused explain graph (medians): ${line.join('; ')}.`);
}

if (results.browser) {
  const b = results.browser;
  const widgetRows = b.rows.filter((r) => r.case.startsWith('widget'));
  const runtimeRows = b.rows.filter((r) => r.case.startsWith('runtime alone'));
  console.log(`\n${table(['Chromium wasm, SqueezeNet Grad-CAM', 'per map', '× Node', 'first map cold / warm'], widgetRows.map((r) => [
    r.case.replace('widget, ', ''), `${ms(r.perMap)} ms`, `${r.ratio.toFixed(1)}× (Node ${r.nodeThreads}), ${r.ratioDefault.toFixed(1)}× (default)`, `${ms(r.cold.first)} / ${ms(r.warm.first)} ms`,
  ]))}`);
  console.log(`\n${table(['The runtime alone (one thread each)', 'ONNX Runtime Web wasm', 'onnxruntime-node', '×'], runtimeRows.map((r) => [
    r.case.replace('runtime alone, ', ''), `${ms(r.webMs)} ms`, `${ms(r.nodeMs)} ms`, `${r.ratio.toFixed(1)}×`,
  ]))}`);
  for (const r of widgetRows) {
    const u = (v) => `${ms(v)} ms`;
    const part = (v) => `${u(v.first)} (runtime download ${u(v.runtime)}, model ${u(v.model)}, engine creation ${u(v.engine)}, first run ${u(v.firstRun)}; page long tasks ${u(v.pageBlocked)}, longest ${u(v.longestTask)})`;
    console.log(`\n${r.case.replace('widget, ', '')}: cold visit ${part(r.cold)}; warm visit ${part(r.warm)}.`);
  }
}

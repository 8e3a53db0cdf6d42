// Eval throughput through the PostgreSQL job queue (issue 16): the same leaderboard (BENCH_IMAGES OSIE
// images × Grad-CAM, EigenCAM on SqueezeNet's default layer; NSS, CC, AUC-Judd; ceiling with 2 splits;
// centre bias) run by `eval --distributed` with 1, 2 and 3 `worker` processes (each --concurrency 1,
// one ONNX Runtime thread), and in-process with --workers 1 as the reference. Each run gets a fresh
// database; workers are started and registered before the clock starts. Prints wall time, cells/s
// and images/min per case, and the speed-up over one worker.
// PostgreSQL: SALIENCY_TEST_POSTGRES_URL, else a private cluster from /usr/lib/postgresql/*/bin.
// Run after `npm run build`: node test/bench/queue.bench.mjs
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'packages', 'api', 'bin', 'saliency-explainer.js');
const IMAGES = Number(process.env.BENCH_IMAGES ?? 6);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2,3').split(',').map(Number);
const ARGS = ['eval', '--dataset', 'osie', '--images', String(IMAGES), '--methods', 'gradcam,eigencam', '--layers', 'default', '--metrics', 'nss,cc,auc-judd',
  '--baselines', 'center-bias', '--ceiling-splits', '2', '--examples', '0', '--no-progress'];
const CELLS = IMAGES * 2; // one model × layer cell and one ceiling/baseline cell per image

function startCluster() {
  const external = process.env.SALIENCY_TEST_POSTGRES_URL;
  if (external) return { url: external, stop() {} };
  const lib = process.env.SALIENCY_TEST_POSTGRES_LIB || '/usr/lib/postgresql';
  const version = existsSync(lib) ? readdirSync(lib).filter((v) => existsSync(join(lib, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (!version) return null;
  const binDir = join(lib, version, 'bin');
  const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres']).stdout), Number(spawnSync('id', ['-g', 'postgres']).stdout));
  const run = (p, args) => {
    const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', join(binDir, p), ...args], { encoding: 'utf8' }) : spawnSync(join(binDir, p), args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${p}: ${r.stderr}${r.stdout}`);
  };
  const port = 20000 + Math.floor(Math.random() * 20000);
  run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  run('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c max_connections=200`, 'start']);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try { run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']); } finally { rmSync(dir, { recursive: true, force: true }); }
    },
  };
}

const cli = (args) => new Promise((done) => {
  execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 << 20, env: { ...process.env, DATABASE_URL: '' } }, (err, stdout, stderr) => {
    done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
  });
});

let dbCount = 0;
async function freshDatabase(serverUrl) {
  const name = `bench_queue_${process.pid}_${++dbCount}`;
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function waitForWorkers(url, n) {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    for (;;) {
      const r = await pool.query(`SELECT count(*)::int AS n FROM saliency_shared.worker WHERE stopped_on IS NULL`).catch(() => ({ rows: [{ n: 0 }] }));
      if (r.rows[0].n >= n) return;
      await new Promise((res) => setTimeout(res, 200));
    }
  } finally {
    await pool.end();
  }
}

const cluster = startCluster();
if (!cluster) {
  console.log('queue bench: skipped (no PostgreSQL: set SALIENCY_TEST_POSTGRES_URL or install the server binaries)');
  process.exit(0);
}
console.log(`queue bench: ${IMAGES} OSIE images, ${CELLS} cells (SqueezeNet gradcam+eigencam, ceiling, centre bias); ${availableParallelism()} cores, load ${loadavg()[0].toFixed(1)}`);
const results = [];
try {
  {
    const url = await freshDatabase(cluster.url);
    const t = performance.now();
    const r = await cli([...ARGS, '--workers', '1', '--database-url', url, '-o', join(root, 'out', 'bench-queue', 'single')]);
    if (r.code !== 0) throw new Error(`in-process eval: ${r.stderr}`);
    results.push({ name: 'in-process, --workers 1', s: (performance.now() - t) / 1000 });
  }
  for (const k of WORKERS) {
    const url = await freshDatabase(cluster.url);
    const children = Array.from({ length: k }, () => spawn(process.execPath, [bin, 'worker', '--database-url', url, '--quiet'], { cwd: root, stdio: 'ignore', env: { ...process.env, DATABASE_URL: '' } }));
    try {
      await waitForWorkers(url, k);
      const t = performance.now();
      const r = await cli([...ARGS, '--distributed', '--database-url', url, '-o', join(root, 'out', 'bench-queue', `w${k}`)]);
      if (r.code !== 0) throw new Error(`distributed eval with ${k} workers: ${r.stderr}`);
      results.push({ name: `distributed, ${k} worker${k === 1 ? '' : 's'}`, s: (performance.now() - t) / 1000, k });
    } finally {
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(children.map((c) => new Promise((res) => (c.exitCode !== null ? res() : c.on('exit', res)))));
    }
  }
} finally {
  cluster.stop();
}
const one = results.find((r) => r.k === 1)?.s;
for (const r of results) {
  console.log(`${r.name.padEnd(26)} ${r.s.toFixed(1).padStart(6)} s  ${(CELLS / r.s).toFixed(3)} cells/s  ${((60 * IMAGES) / r.s).toFixed(1)} images/min${one && r.k ? `  ×${(one / r.s).toFixed(2)} vs 1 worker` : ''}`);
}
console.log(`load after: ${loadavg()[0].toFixed(1)}`);

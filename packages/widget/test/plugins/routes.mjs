// @ts-check
// Test-server routes that mirror the API's static routes (/models/manifest.json with the served
// models and the object detectors, /models/files/…,
// /ort/…, /images/…), with per-path download counters and `no-store` (so that only Cache Storage
// can spare a download), plus broken variants for the error tests, and the OSIE stimuli (/osie/…)
// with a command that hands the tests some observers' fixations (the simulated annotators).
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';

const TYPES = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.jfif': 'image/jpeg', '.txt': 'text/plain', '.onnx': 'application/octet-stream' };

/** The file `rest` below `root`, or null (missing, a folder, or a path out of `root`). @param {string} root @param {string} rest */
export function file(root, rest) {
  const path = normalize(join(root, rest));
  if (!path.startsWith(root + sep) || !existsSync(path) || !statSync(path).isFile()) return null;
  return path;
}

/**
 * Answers with the file at `found` (no-store), or 404 when null. Written by hand: WTR's cache
 * middleware would otherwise turn no-store into max-age=31536000.
 * @param {import('koa').Context} ctx @param {string | null} found
 */
export async function sendFile(ctx, found) {
  if (!found) {
    ctx.status = 404;
    ctx.body = 'not found';
    return;
  }
  ctx.respond = false;
  ctx.res.writeHead(200, {
    'cache-control': 'no-store',
    'content-length': String(statSync(found).size),
    'content-type': TYPES[/** @type {keyof typeof TYPES} */ (extname(found).toLowerCase())] ?? 'application/octet-stream',
  });
  await pipeline(createReadStream(found), ctx.res);
}

/**
 * @param {{ repo: string, photos: string, osie: string, models: string[] }} options repo root, photo folder,
 *   OSIE folder (stimuli/ and fixations.json), model ids served
 */
export function routes({ repo, photos, osie, models }) {
  const manifest = JSON.parse(readFileSync(join(repo, 'models', 'manifest.json'), 'utf8'));
  const served = manifest.models.filter((/** @type {{id: string}} */ m) => models.includes(m.id));
  // the object detectors too (captions): the widget downloads one only when a caption is asked for
  const detectors = manifest.detectors ?? [];
  const manifestJson = JSON.stringify({ default: models[0], models: served, detectors });
  // the same models without detectors (/models-nodetector/): captions cannot be measured there
  const noDetectorJson = JSON.stringify({ default: models[0], models: served });
  const allowed = new Set([...served, ...detectors].flatMap((/** @type {{file: string, labels: unknown}} */ m) => (typeof m.labels === 'string' ? [m.file, m.labels] : [m.file])));
  const mounts = {
    '/models/files/': join(repo, 'models', 'cache'),
    '/models-nodetector/files/': join(repo, 'models', 'cache'),
    '/ort/': join(repo, 'node_modules', 'onnxruntime-web', 'dist'),
    '/images/': photos,
    '/osie/': join(osie, 'stimuli'),
    // ../shared/models as a user's static host would serve their own model: NAME.onnx beside model.json, ../labels/
    '/shared-models/': join(repo, '..', 'shared', 'models'),
  };
  /** @type {Promise<any[]> | null} OSIE's images, parsed by core (0-based fixations, pixel centres at integers) */
  let osieImages = null;
  /** @type {Map<string, number>} */
  const counts = new Map();

  /** @type {import('koa').Middleware} */
  async function middleware(ctx, next) {
    const path = decodeURIComponent(ctx.path);
    const count = () => counts.set(path, (counts.get(path) ?? 0) + 1);
    if (path === '/models/manifest.json' || path === '/models-nofiles/manifest.json' || path === '/models-slow/manifest.json' || path === '/models-nodetector/manifest.json') {
      count();
      const body = path === '/models-nodetector/manifest.json' ? noDetectorJson : manifestJson;
      ctx.respond = false;
      ctx.res.writeHead(200, { 'cache-control': 'no-store', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      ctx.res.end(body);
      return;
    }
    if (path.startsWith('/models-nofiles/files/') || path.startsWith('/nowhere/')) {
      count();
      ctx.status = 404;
      ctx.body = 'not found';
      return;
    }
    if (path.startsWith('/models-slow/files/')) {
      // the model files at about 2 MB/s, so that the download progress can be seen
      const found = file(mounts['/models/files/'], path.slice('/models-slow/files/'.length));
      count();
      if (!found) {
        ctx.status = 404;
        return;
      }
      ctx.respond = false;
      ctx.res.writeHead(200, { 'cache-control': 'no-store', 'content-length': String(statSync(found).size), 'content-type': 'application/octet-stream' });
      for await (const chunk of createReadStream(found, { highWaterMark: 64 * 1024 })) {
        if (!ctx.res.write(chunk)) await new Promise((r) => ctx.res.once('drain', r));
        await new Promise((r) => setTimeout(r, 30));
      }
      ctx.res.end();
      return;
    }
    for (const [prefix, root] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const found = prefix.startsWith('/models') && !allowed.has(rest) ? null : file(root, rest);
      count();
      await sendFile(ctx, found);
      return;
    }
    await next();
  }

  /** @type {import('@web/test-runner').TestRunnerPlugin} */
  const plugin = {
    name: 'widget-routes',
    async executeCommand({ command, payload }) {
      if (command === 'route-count') return counts.get(/** @type {{path: string}} */ (payload).path) ?? 0;
      if (command === 'osie-observers') {
        const { image, observers } = /** @type {{ image: string, observers: number }} */ (payload);
        osieImages ??= import(pathToFileURL(join(repo, 'packages', 'core', 'dist', 'index.js')).href)
          .then(({ parseOsie }) => parseOsie(JSON.parse(readFileSync(join(osie, 'fixations.json'), 'utf8'))));
        const found = (await osieImages).find((i) => i.file === image);
        if (!found) throw new Error(`no OSIE image ${image}`);
        return { width: found.width, height: found.height, observers: found.observers.slice(0, observers).map((/** @type {any[]} */ o) => o.map((f) => ({ x: f.x, y: f.y }))) };
      }
      return undefined;
    },
  };
  return { middleware, plugin };
}

// Static files the browser side needs from the API's origin, served with serve-static (ETag,
// conditional GETs, ranges, MIME types, no path escapes): the widget bundle, ONNX Runtime Web's files,
// the served models' files and a manifest of them, the demo page, the shared sample photos, and
// transformers.js with its ONNX Runtime Web build (a widget's free-text captioner).
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import serveStatic from 'serve-static';
import { PROJECT_ROOT } from '../project.js';
import type { ModelPool } from '../compute/model-pool.js';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface StaticRoutes {
  /** Serves the request when one of the routes owns its path; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>;
  /** The demo page, when the widget's demo exists. */
  demoPage(): string | null;
}

/** A package's folder (its exports may hide package.json: walk up from its entry point). */
export function dirOf(pkg: string): string | null {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve(pkg));
  } catch {
    return null;
  }
  while (basename(dir) !== pkg && dirname(dir) !== dir) dir = dirname(dir);
  return basename(dir) === pkg ? dir : null;
}

/**
 * transformers.js's browser build and the ONNX Runtime Web build it runs on (its own version, not the
 * widget's), file name → folder: what a widget's `captioner` loads from /transformers/.
 */
export function transformersFiles(): Map<string, string> {
  const files = new Map<string, string>();
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@huggingface/transformers');
    const ortDist = dirname(createRequire(entry).resolve('onnxruntime-web'));
    files.set('transformers.min.js', dirname(entry));
    for (const build of ['jsep', 'asyncify']) for (const ext of ['mjs', 'wasm']) files.set(`ort-wasm-simd-threaded.${build}.${ext}`, ortDist);
  } catch {
    files.clear(); // not installed: no /transformers/ route
  }
  for (const [name, dir] of files) if (!existsSync(join(dir, name))) files.delete(name);
  return files;
}

function serve(root: string, maxAge: string | number): Handler {
  return serveStatic(root, { index: false, dotfiles: 'deny', fallthrough: false, maxAge, redirect: false }) as unknown as Handler;
}

export function staticRoutes(pool: ModelPool, modelsDir: string): StaticRoutes {
  const ortDir = dirOf('onnxruntime-web');
  const widgetDist = join(PROJECT_ROOT, 'packages', 'widget', 'dist');
  const demoFile = join(PROJECT_ROOT, 'packages', 'widget', 'demo', 'index.html');
  const photos = join(PROJECT_ROOT, '..', 'shared', 'data', 'images');
  // only the files of the served models and the present detectors are reachable under /models/files/
  const allowed = new Set<string>();
  const allow = <T extends { file: string; labels: string | string[] }>(spec: T): T => {
    allowed.add(spec.file);
    if (typeof spec.labels === 'string') allowed.add(spec.labels);
    return spec;
  };
  // the detectors whose files are present (captions computed in the browser fetch them)
  const detectors = (pool.manifest.detectors ?? []).filter((d) => existsSync(join(modelsDir, 'cache', d.file))).map(allow);
  const manifest = {
    default: pool.defaultId,
    models: pool.ids.map((id) => allow(pool.spec(id))),
    ...(detectors.length ? { detectors } : {}),
  };
  const manifestJson = JSON.stringify(manifest);
  const transformers = new Map([...transformersFiles()].map(([name, dir]) => [name, serve(dir, '7d')]));
  const mounts: [string, Handler | null][] = [
    ['/widget/', existsSync(widgetDist) ? serve(widgetDist, '1h') : null],
    ['/ort/', ortDir ? serve(join(ortDir, 'dist'), '7d') : null],
    // the user's own models (spec.file `user/NAME.onnx`) before the manifest's cache
    ['/models/files/user/', pool.userModelsDir ? serve(pool.userModelsDir, '1h') : null],
    ['/models/files/', serve(join(modelsDir, 'cache'), '1h')],
    ['/images/', existsSync(photos) ? serve(photos, '1h') : null],
  ];

  return {
    demoPage: () => (existsSync(demoFile) ? readFileSync(demoFile, 'utf8') : null),
    async handle(req, res, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (pathname === '/favicon.ico') {
        // browsers ask for it on every page; the pages here have none: no content, no console error
        res.writeHead(204, { 'cache-control': 'max-age=86400' });
        res.end();
        return true;
      }
      if (pathname === '/models/manifest.json') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(manifestJson), 'cache-control': 'no-cache' });
        res.end(req.method === 'HEAD' ? undefined : manifestJson);
        return true;
      }
      const library = pathname.startsWith('/transformers/') ? transformers.get(pathname.slice('/transformers/'.length)) : undefined;
      for (const [prefix, handler] of library ? [['/transformers/', library] as [string, Handler]] : mounts) {
        if (!pathname.startsWith(prefix)) continue;
        let rest: string;
        try {
          rest = decodeURIComponent(pathname.slice(prefix.length));
        } catch {
          return false;
        }
        if (!handler || (prefix === '/models/files/' && !allowed.has(rest)) || (prefix === '/models/files/user/' && !allowed.has(`user/${rest}`))) return false;
        const original = req.url;
        req.url = `/${rest}`;
        await new Promise<void>((resolve) => {
          res.once('finish', resolve);
          res.once('close', resolve);
          handler(req, res, (err) => {
            const status = (err as { status?: number } | undefined)?.status ?? 404;
            if (!res.headersSent) {
              const body = JSON.stringify({ errors: [{ message: `no file ${pathname}`, extensions: { code: 'NOT_FOUND' } }] });
              res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(body);
            }
            resolve();
          });
        });
        req.url = original;
        return true;
      }
      return false;
    },
  };
}

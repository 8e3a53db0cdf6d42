#!/usr/bin/env node
// Put every file of models/manifest.json (classifiers in "models", detectors in "detectors") under
// models/cache and verify its sha256.
// Source order: an existing verified copy, ../shared/models (next to the project), the public URL.
// Usage: node models/fetch.mjs [model-id ...]   (env SALIENCY_SHARED_MODELS overrides ../shared/models)
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cache = join(here, 'cache');
const shared = resolve(process.env.SALIENCY_SHARED_MODELS ?? join(here, '..', '..', 'shared', 'models'));
const manifest = JSON.parse(readFileSync(join(here, 'manifest.json'), 'utf8'));

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function ensure(rel, entry) {
  const dest = join(cache, rel);
  if (existsSync(dest) && sha256(dest) === entry.sha256) return 'cached';
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.part`;
  let how;
  const local = entry.shared && join(shared, entry.shared);
  if (local && existsSync(local)) {
    copyFileSync(local, tmp);
    how = `copied from ${local}`;
  } else if (entry.url) {
    const res = await fetch(entry.url);
    if (!res.ok) throw new Error(`${rel}: download failed (${res.status} ${res.statusText}) from ${entry.url}`);
    writeFileSync(tmp, Buffer.from(await res.arrayBuffer()));
    how = `downloaded from ${entry.url}`;
  } else {
    throw new Error(`${rel}: not found in ${shared} and it has no public download URL. ` +
      `Put the shared models folder next to the project (or set SALIENCY_SHARED_MODELS).`);
  }
  const got = sha256(tmp);
  if (got !== entry.sha256) {
    throw new Error(`${rel}: sha256 mismatch (expected ${entry.sha256}, got ${got}; ${how}). ` +
      `Delete the file and run \`npm run models\` again, or fix the source.`);
  }
  renameSync(tmp, dest);
  return how;
}

const wanted = process.argv.slice(2);
const jobs = [];
const all = [...manifest.models, ...(manifest.detectors ?? [])];
for (const m of all) {
  if (wanted.length && !wanted.includes(m.id)) continue;
  jobs.push([m.file, m, m.id]);
  if (typeof m.labels === 'string') jobs.push([m.labels, manifest.files[m.labels], m.id]);
}
for (const id of wanted) {
  if (!all.some((m) => m.id === id)) {
    console.error(`models: unknown model '${id}' (known: ${all.map((m) => m.id).join(', ')})`);
    process.exit(2);
  }
}
let failed = 0;
const done = new Set();
for (const [rel, entry, id] of jobs) {
  if (done.has(rel)) continue;
  done.add(rel);
  if (!entry) {
    console.error(`models: ${id}: '${rel}' is not described in manifest.json "files"`);
    failed++;
    continue;
  }
  try {
    const how = await ensure(rel, entry);
    if (how !== 'cached') console.error(`models: ${rel} ${how}`);
  } catch (e) {
    console.error(`models: ${e.message}`);
    failed++;
  }
}
if (failed) process.exit(1);
console.error(`models: ${done.size} files ready in ${cache}`);

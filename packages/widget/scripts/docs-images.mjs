// The docs' pictures of the widget, from the current code's screenshots: `npm run docs:images -w
// packages/widget` takes the demo page's (scripts/demo-screenshots.mjs) and the browser tests' own
// (test/screenshots/, written by the alignment, caption and detector suites it runs first) and writes
// them as JPEGs into docs/, side by side where a picture shows two states.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { widgetDir } from './api-and-browser.mjs';

const shots = join(widgetDir, 'test', 'screenshots');
const docs = join(widgetDir, '..', '..', 'docs');
const GAP = 16;
const JPEG = { quality: 85, mozjpeg: true };

/** @param {string} name */
function shot(name) {
  const path = join(shots, `${name}.png`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run the demo screenshots and the browser tests first (npm run docs:images -w packages/widget)`);
  return path;
}

/** One screenshot as a docs JPEG. @param {string} name @param {string} out */
async function single(name, out) {
  await sharp(shot(name)).flatten({ background: '#ffffff' }).jpeg(JPEG).toFile(join(docs, out));
  return out;
}

/** Screenshots side by side on white, tops aligned. @param {string[]} names @param {string} out */
async function sideBySide(names, out) {
  const metas = await Promise.all(names.map((n) => sharp(shot(n)).metadata()));
  const width = metas.reduce((w, m) => w + (m.width ?? 0), 0) + GAP * (names.length - 1);
  const height = Math.max(...metas.map((m) => m.height ?? 0));
  let left = 0;
  const composite = names.map((n, i) => {
    const part = { input: shot(n), left, top: 0 };
    left += (metas[i].width ?? 0) + GAP;
    return part;
  });
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(composite).jpeg(JPEG).toFile(join(docs, out));
  return out;
}

const written = [
  await single('demo-modes-no-webgpu', 'widget-demo.jpg'),
  await single('demo-caption', 'widget-caption.jpg'),
  await single('demo-annotate', 'widget-annotate.jpg'),
  await sideBySide(['alignment-crowd', 'alignment-human-overlay'], 'widget-alignment.jpg'),
  await single('detector-cat', 'widget-detector.jpg'),
];
for (const f of written) console.log(`docs/${f}: ${(statSync(join(docs, f)).size / 1024).toFixed(0)} KiB`);

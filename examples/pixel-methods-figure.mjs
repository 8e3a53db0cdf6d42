// The README's figure of every pixel-attribution method on one photo, from real `explain` runs:
//   node examples/pixel-methods-figure.mjs [image] [out.jpg]
// (after npm run build). Runs the CLI twice (heat overlays for all methods, then the gradient × image
// view of Integrated Gradients) and lays the overlays out with their names.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [image = resolve(root, '../shared/data/images/dog.jpg'), out = resolve(root, 'docs/pixel-methods-squeezenet.jpg')] = process.argv.slice(2);
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const methods = ['gradcam', 'saliency', 'inputxgradient', 'integratedgradients', 'smoothgrad', 'guidedbackprop', 'deconvolution', 'guidedgradcam'];
const names = {
  gradcam: 'Grad-CAM (layer)', saliency: 'Saliency', inputxgradient: 'Input × Gradient', integratedgradients: 'Integrated Gradients',
  smoothgrad: 'SmoothGrad', guidedbackprop: 'Guided Backprop', deconvolution: 'Deconvolution', guidedgradcam: 'Guided Grad-CAM',
};
const heat = mkdtempSync(join(tmpdir(), 'pixel-heat-'));
const masked = mkdtempSync(join(tmpdir(), 'pixel-masked-'));
const run = (dir, ...flags) => execFileSync(process.execPath, [bin, 'explain', image, '--no-progress', '--out', dir, ...flags], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
run(heat, '--method', methods.join(','));
run(masked, '--method', 'integratedgradients', '--pixel-view', 'masked');
const stem = basename(image, extname(image));
const find = (dir, method) => join(dir, readdirSync(dir).find((f) => f.startsWith(`${stem}.${method}.`) && f.endsWith('.png')));

const S = 224;
const BAR = 24;
const tile = async (file, label) => {
  const text = `<svg width="${S}" height="${BAR}"><rect width="100%" height="100%" fill="white"/><text x="${S / 2}" y="17" font-family="DejaVu Sans, sans-serif" font-size="14" text-anchor="middle">${label}</text></svg>`;
  const picture = await sharp(file).resize(S, S, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer();
  return sharp({ create: { width: S, height: S + BAR, channels: 3, background: 'white' } })
    .composite([{ input: picture, left: 0, top: 0 }, { input: Buffer.from(text), left: 0, top: S }]).png().toBuffer();
};
const label = readdirSync(heat).find((f) => f.startsWith(`${stem}.gradcam.`)).replace(/^.*\.gradcam\.\d+-/, '').replace(/\.png$/, '');
const tiles = [await tile(image, `photo (${label.replace(/-/g, ' ')})`)];
for (const m of methods) tiles.push(await tile(find(heat, m), names[m]));
tiles.push(await tile(find(masked, 'integratedgradients'), 'IG, gradient × image'));
const cols = 5;
const rows = Math.ceil(tiles.length / cols);
await sharp({ create: { width: cols * S + (cols - 1) * 4, height: rows * (S + BAR) + (rows - 1) * 4, channels: 3, background: 'white' } })
  .composite(tiles.map((t, i) => ({ input: t, left: (i % cols) * (S + 4), top: Math.floor(i / cols) * (S + BAR + 4) })))
  .jpeg({ quality: 88 }).toFile(out);
console.log(out);

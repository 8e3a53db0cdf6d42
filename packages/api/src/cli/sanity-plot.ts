// The sanity check's curves as a plot: similarity to the trained model's map (Spearman solid, SSIM
// dashed, one colour per method) against the number of layers randomised from the top, drawn as
// SVG and rasterised to PNG by sharp (librsvg).
import sharp from 'sharp';
import { PASS_THRESHOLD, type SanityResult } from '@saliency-explainer/core';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const W = 1000;
const H = 520;
const M = { left: 70, right: 240, top: 50, bottom: 140 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function sanityPlotSvg(r: SanityResult, title: string, names: Record<string, string> = {}): string {
  const steps = r.layers.length;
  const values = r.curves.flatMap((c) => [...c.spearman, ...c.ssim]);
  const yMin = Math.min(0, Math.floor(Math.min(...values) * 4) / 4);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (k: number) => M.left + (pw * k) / Math.max(1, steps);
  const y = (v: number) => M.top + (ph * (1 - v)) / (1 - yMin);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="28" font-size="16" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let t = yMin; t <= 1 + 1e-9; t += 0.25) {
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 8}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(2)}</text>`);
  }
  parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(PASS_THRESHOLD)}" y2="${y(PASS_THRESHOLD)}" stroke="#888" stroke-dasharray="2,3"/>`);
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  ['trained', ...r.layers].forEach((name, k) => {
    parts.push(`<text transform="translate(${x(k) + 4},${M.top + ph + 10}) rotate(60)" font-size="11">${esc(name)}</text>`);
  });
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle">layers randomised, from the top down (cumulative)</text>`);
  parts.push(`<text transform="translate(18,${M.top + ph / 2}) rotate(-90)" text-anchor="middle">similarity to the trained model's map</text>`);
  r.curves.forEach((c, i) => {
    const colour = COLOURS[i % COLOURS.length];
    for (const [series, dash] of [[c.spearman, ''], [c.ssim, ' stroke-dasharray="6,4"']] as const) {
      const pts = [1, ...series].map((v, k) => `${x(k).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    }
    const ly = M.top + 10 + 22 * i;
    parts.push(`<line x1="${W - M.right + 16}" x2="${W - M.right + 44}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`);
    parts.push(`<text x="${W - M.right + 50}" y="${ly + 4}">${esc(names[c.method] ?? c.method)} ${c.passes ? '(passes)' : '(fails)'}</text>`);
  });
  const ly = M.top + 22 * r.curves.length + 20;
  parts.push(`<text x="${W - M.right + 16}" y="${ly}" fill="#444">solid: Spearman ρ</text>`);
  parts.push(`<text x="${W - M.right + 16}" y="${ly + 18}" fill="#444">dashed: SSIM</text>`);
  parts.push(`<text x="${W - M.right + 16}" y="${ly + 36}" fill="#444">dotted: pass threshold ${PASS_THRESHOLD}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

export async function writeSanityPlot(file: string, r: SanityResult, title: string, names?: Record<string, string>): Promise<void> {
  await sharp(Buffer.from(sanityPlotSvg(r, title, names))).png().toFile(file);
}

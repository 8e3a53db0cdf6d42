// The reliability curve drawn as an SVG plot (the dashboard shows it; Campaign.reliabilitySvg returns
// it): the split-half CC of the pooled map and its CC with the eye tracking (when imported) against the
// number of participants, on a fixed 0–1 CC axis so that campaigns and moments compare. Each point
// carries its numbers (data-series, data-n, data-value, data-images, a <title>).
import type { CurvePoint } from './quality.js';

export const PLOT = { width: 640, height: 320, left: 52, right: 20, top: 20, bottom: 46 } as const;

const SERIES = [
  { key: 'splitHalf', name: 'split-half agreement', colour: '#2563eb' },
  { key: 'eyeTracking', name: 'CC with eye tracking', colour: '#d97706' },
] as const;

const fmt = (v: number) => (Math.round(v * 1000) / 1000).toString();

/** Plot coordinates of (participants, CC) on a curve whose x axis runs from 2 to `maxN`. */
export function plotPosition(n: number, value: number, maxN: number): { x: number; y: number } {
  const w = PLOT.width - PLOT.left - PLOT.right;
  const h = PLOT.height - PLOT.top - PLOT.bottom;
  const span = Math.max(1, maxN - 2);
  const clamped = Math.min(1, Math.max(0, value));
  return { x: PLOT.left + ((n - 2) / span) * w, y: PLOT.top + (1 - clamped) * h };
}

export function reliabilitySvg(curve: readonly CurvePoint[]): string {
  const { width, height, left, right, top, bottom } = PLOT;
  const maxN = Math.max(3, ...curve.map((p) => p.participants));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Reliability curve: agreement against the number of participants" font-family="system-ui, sans-serif" font-size="12">`);
  // grid and axes
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    const { y } = plotPosition(2, v, maxN);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="${i === 0 ? '#8a94a6' : '#e3e7ee'}"/>`);
    parts.push(`<text x="${left - 8}" y="${y + 4}" text-anchor="end" fill="#566">${v.toFixed(1)}</text>`);
  }
  const step = Math.max(1, Math.ceil((maxN - 2) / 12));
  for (let n = 2; n <= maxN; n += step) {
    const { x } = plotPosition(n, 0, maxN);
    parts.push(`<line x1="${x}" x2="${x}" y1="${height - bottom}" y2="${height - bottom + 5}" stroke="#8a94a6"/>`);
    parts.push(`<text x="${x}" y="${height - bottom + 18}" text-anchor="middle" fill="#566">${n}</text>`);
  }
  parts.push(`<text x="${left + (width - left - right) / 2}" y="${height - 6}" text-anchor="middle" fill="#334">participants (kept)</text>`);
  parts.push(`<text x="14" y="${top + (height - top - bottom) / 2}" text-anchor="middle" fill="#334" transform="rotate(-90 14 ${top + (height - top - bottom) / 2})">CC</text>`);
  if (curve.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#566">No image has two kept participants yet</text>`);
  }
  let legend = 0;
  for (const s of SERIES) {
    const pts = curve.filter((p) => p[s.key] !== null && Number.isFinite(p[s.key] as number));
    if (pts.length === 0) continue;
    const xy = pts.map((p) => ({ p, ...plotPosition(p.participants, p[s.key] as number, maxN) }));
    parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${xy.map((q) => `${q.x},${q.y}`).join(' ')}"/>`);
    for (const q of xy) {
      const v = q.p[s.key] as number;
      parts.push(`<circle cx="${q.x}" cy="${q.y}" r="3.5" fill="${s.colour}" data-series="${s.key}" data-n="${q.p.participants}" data-value="${v}" data-images="${q.p.images}"><title>${q.p.participants} participants: ${s.name} ${fmt(v)} (${q.p.images} image${q.p.images === 1 ? '' : 's'})</title></circle>`);
    }
    const ly = height - bottom - 14 - legend * 18;
    parts.push(`<line x1="${width - right - 170}" x2="${width - right - 150}" y1="${ly}" y2="${ly}" stroke="${s.colour}" stroke-width="2"/><text x="${width - right - 144}" y="${ly + 4}" fill="#334">${s.name}</text>`);
    legend++;
  }
  parts.push('</svg>');
  return parts.join('');
}

// Fixation points files for `import-fixations --image FILE --points FILE`: JSON ([{x, y}], [{x, y,
// observer}], or {"fixations": [...]}, each entry optionally with duration in ms) or CSV (a header row
// naming x and y, optionally observer and duration, in any order). Points are 0-based image pixels with
// pixel centres at integers (core's convention: OSIE's MATLAB coordinates minus 1). Either every point
// names its observer or none does (then they are all one observer's). Returns one list per observer,
// in order of first appearance; an InputError (exit 3) names the first bad entry.
import type { Fixation } from '@saliency-explainer/core';
import { inputError } from '../errors.js';

export interface ObserverPoints {
  /** As written in the file ('0' when the file names no observers). */
  observer: string;
  points: Fixation[];
}

interface RawPoint {
  x: unknown;
  y: unknown;
  observer?: unknown;
  duration?: unknown;
}

function bad(file: string, where: string, message: string): never {
  throw inputError('BAD_POINTS', `${file}: ${where}: ${message}`);
}

function finite(v: unknown, file: string, where: string, name: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) bad(file, where, `${name} must be a finite number, not ${JSON.stringify(v)}`);
  return n;
}

function observerName(v: unknown, file: string, where: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(v.trim())) return v.trim();
  return bad(file, where, `observer must be a non-negative integer or a name of letters, digits, '.', '_', '-', not ${JSON.stringify(v)}`);
}

function fromJson(text: string, file: string): { raw: RawPoint[]; where: (i: number) => string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return bad(file, 'JSON', (e as Error).message);
  }
  const list = Array.isArray(json) ? json : (json as { fixations?: unknown } | null)?.fixations;
  if (!Array.isArray(list)) bad(file, '$', 'expected an array of {x, y} points or an object {"fixations": [...]}');
  list.forEach((p, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) bad(file, `point ${i}`, 'expected an object {x, y, observer?, duration?}');
  });
  return { raw: list as RawPoint[], where: (i) => `point ${i}` };
}

function fromCsv(text: string, file: string): { raw: RawPoint[]; where: (i: number) => string } {
  const lines = text.split(/\r?\n/).map((l, n) => ({ l: l.trim(), n: n + 1 })).filter(({ l }) => l !== '');
  if (lines.length === 0) bad(file, 'line 1', 'the file is empty');
  const header = lines[0].l.split(',').map((h) => h.trim().toLowerCase());
  const known = ['x', 'y', 'observer', 'duration'];
  for (const h of header) if (!known.includes(h)) bad(file, `line ${lines[0].n}`, `unknown column '${h}' (expected a header of x, y, and optionally observer, duration)`);
  if (!header.includes('x') || !header.includes('y') || new Set(header).size !== header.length) {
    bad(file, `line ${lines[0].n}`, 'the header must name x and y once each (and optionally observer, duration)');
  }
  const rows = lines.slice(1);
  const raw = rows.map(({ l, n }) => {
    const cells = l.split(',').map((c) => c.trim());
    if (cells.length !== header.length) bad(file, `line ${n}`, `${cells.length} values for ${header.length} columns`);
    return Object.fromEntries(header.map((h, i) => [h, cells[i]])) as unknown as RawPoint;
  });
  return { raw, where: (i) => `line ${rows[i].n}` };
}

/** Parse a points file (JSON when it starts with [ or {, else CSV) and check every point lies on a width × height image. */
export function parsePoints(text: string, file: string, width: number, height: number): ObserverPoints[] {
  const body = text.replace(/^\uFEFF/, '');
  const { raw, where } = /^\s*[[{]/.test(body) ? fromJson(body, file) : fromCsv(body, file);
  if (raw.length === 0) bad(file, '$', 'the file holds no points');
  const named = raw.map((p) => p.observer !== undefined && p.observer !== '');
  if (named.some((n) => n !== named[0])) bad(file, where(named.indexOf(!named[0])), 'either every point names its observer or none does');
  const byObserver = new Map<string, Fixation[]>();
  raw.forEach((p, i) => {
    const x = finite(p.x, file, where(i), 'x');
    const y = finite(p.y, file, where(i), 'y');
    if (!(x >= -0.5 && x < width - 0.5 && y >= -0.5 && y < height - 0.5)) {
      bad(file, where(i), `(${x}, ${y}) is not on the ${width}×${height} image (0-based pixel centres: −0.5 ≤ x < ${width - 0.5}, −0.5 ≤ y < ${height - 0.5})`);
    }
    const f: Fixation = { x, y };
    if (p.duration !== undefined && p.duration !== '') {
      const d = finite(p.duration, file, where(i), 'duration');
      if (d < 0) bad(file, where(i), `duration must be ≥ 0 ms, not ${d}`);
      f.duration = d;
    }
    const observer = named[0] ? observerName(p.observer, file, where(i)) : '0';
    if (!byObserver.has(observer)) byObserver.set(observer, []);
    byObserver.get(observer)!.push(f);
  });
  return [...byObserver].map(([observer, points]) => ({ observer, points }));
}

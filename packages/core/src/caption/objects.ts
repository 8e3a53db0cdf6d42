// The `object` facts: for each detected object, the share of the map's mass inside its box (the
// relevance-mass idea) and whether the map's maximum falls inside it (the pointing game), and which
// object the evidence is on (`main`): the box with the most mass, refined to a box nested in it
// (≥ NESTED of its own area inside) that holds at least HALF as much — a cup on a table holds the
// evidence even though the table's box, around it, holds a little more.
import type { Box, Detection } from '../detect/types.js';
import { massInBox, peakInBox, type CaptionFrame } from './frame.js';
import type { ObjectFact } from './facts.js';

export const NESTED = 0.9;
export const HALF = 0.5;

const area = (b: Box) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
const intersection = (a: Box, b: Box): Box => [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];

/** Index of the main object among facts ordered by mass (see above). */
export function mainObject(facts: readonly Pick<ObjectFact, 'box' | 'mass'>[]): number {
  let main = 0;
  for (;;) {
    const m = facts[main];
    let next = -1;
    facts.forEach((f, i) => {
      if (i === main || !(area(f.box) < area(m.box)) || area(intersection(f.box, m.box)) < NESTED * area(f.box)) return;
      if (f.mass >= HALF * m.mass && (next < 0 || f.mass > facts[next].mass)) next = i;
    });
    if (next < 0) return main;
    main = next;
  }
}

export function objectFacts(frame: CaptionFrame, detections: readonly Detection[]): ObjectFact[] {
  const byMass = detections
    .map((d, i) => ({
      i,
      fact: {
        kind: 'object' as const, classIndex: d.classIndex, label: d.label, score: d.score, box: [...d.box] as Box,
        mass: massInBox(frame, d.box), hit: peakInBox(frame, d.box), main: false,
      },
    }))
    .sort((a, b) => b.fact.mass - a.fact.mass || a.i - b.i)
    .map((x) => x.fact);
  if (!byMass.length) return byMass;
  const main = mainObject(byMass);
  byMass[main].main = true;
  return [byMass[main], ...byMass.filter((_, i) => i !== main)];
}

// Simulated campaign participants: an honest one clicks a random sample of an OSIE observer's real
// fixations (in viewing order) with an 8 px hand error and human timing (the fixation's duration plus
// a reaction); a careless one clicks anywhere; a fraudulent one clicks one spot. The click times of the
// last two vary as a person's do, so only where they click gives them away.
import type { Fixation } from '../../packages/core/src/index.js';

export interface SimClick { x: number; y: number; t: number }

export type Behaviour = 'honest' | 'careless' | 'one-spot';

/** Standard deviation of the hand error, image pixels. */
export const HAND_ERROR_PX = 8;

function jitter(random: () => number): number {
  return HAND_ERROR_PX * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** An observer's fixations as clicks: a random sample of at most `budget` in viewing order, hand error, human timing. */
export function honestClicks(fixations: readonly Fixation[], w: number, h: number, random: () => number, budget: number): SimClick[] {
  const order = fixations.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const chosen = order.slice(0, budget).sort((a, b) => a - b).map((i) => fixations[i]);
  const clamp = (v: number, n: number) => Math.min(Math.max(v, 0), n - 1e-3);
  let t = 200 + 300 * random();
  return chosen.map((f) => {
    const c = { x: clamp(f.x + 0.5 + jitter(random), w), y: clamp(f.y + 0.5 + jitter(random), h), t };
    t += Math.max(120, (f.duration ?? 200) + 30 + 60 * random());
    return c;
  });
}

function timed(points: { x: number; y: number }[], random: () => number): SimClick[] {
  let t = 250 + 200 * random();
  return points.map((p) => {
    const c = { ...p, t };
    t += 150 + 250 * random();
    return c;
  });
}

export const carelessClicks = (w: number, h: number, random: () => number, budget: number) =>
  timed(Array.from({ length: budget }, () => ({ x: random() * w, y: random() * h })), random);

export const oneSpotClicks = (w: number, h: number, random: () => number, budget: number) =>
  timed(Array.from({ length: budget }, () => ({ x: w * 0.2 + random(), y: h * 0.8 + random() })), random);

/** The clicks of a participant of `behaviour` on an image, given an OSIE observer's fixations for the honest one. */
export function clicksOf(behaviour: Behaviour, fixations: readonly Fixation[], w: number, h: number, random: () => number, budget: number): SimClick[] {
  if (behaviour === 'careless') return carelessClicks(w, h, random, budget);
  if (behaviour === 'one-spot') return oneSpotClicks(w, h, random, budget);
  return honestClicks(fixations, w, h, random, budget);
}

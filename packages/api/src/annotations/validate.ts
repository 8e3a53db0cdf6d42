// The checks a submission's clicks must pass before anything is stored, each failure with its own code:
// NO_CLICKS, TOO_MANY_CLICKS (over the ticket's budget), CLICK_OUT_OF_BOUNDS (not on the stored image),
// BAD_CLICK_TIMES (negative, decreasing, past the time limit, or later than the time that has actually
// passed since the ticket was issued: a client cannot claim more viewing time than it had),
// IMPOSSIBLE_TIMING (a first click sooner after the image appeared, or two clicks closer together,
// than a person can click: scripted clicks, not attention).
// Click coordinates are continuous image positions, pixel i spanning [i, i + 1) (what a browser's
// offsetX scaled to the image's natural size gives), so a click is on the image when 0 ≤ x < width.
import type { ErrorCode } from '../server/errors.js';

/** Slack for the time checks, in ms: the time limit, and the time since the ticket was issued. */
export const CLICK_TIME_GRACE_MS = 2000;

export interface Click {
  x: number;
  y: number;
  /** ms since the image was shown. */
  t: number;
}

/** A request the annotation service refuses, with the API's error code. */
export class AnnotationError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AnnotationError';
  }
}

export interface ClickRules {
  maxClicks: number;
  /** Seconds. */
  timeLimit: number;
  width: number;
  height: number;
  /** ms from the ticket's issue to now (server clock). */
  elapsedMs: number;
  /** Earliest first click, ms after the image was shown (SALIENCY_ANNOTATION_MIN_FIRST_CLICK_MS). */
  minFirstClickMs: number;
  /** Shortest time between two clicks, ms (SALIENCY_ANNOTATION_MIN_CLICK_INTERVAL_MS). */
  minClickIntervalMs: number;
}

/** Throws the first rule a submission breaks; returns nothing when the clicks are acceptable. */
export function checkClicks(clicks: readonly Click[], r: ClickRules): void {
  if (clicks.length === 0) throw new AnnotationError('NO_CLICKS', 'the submission has no clicks');
  if (clicks.length > r.maxClicks) {
    throw new AnnotationError('TOO_MANY_CLICKS', `${clicks.length} clicks; this session allows at most ${r.maxClicks}`);
  }
  clicks.forEach((c, i) => {
    if (!(Number.isFinite(c.x) && Number.isFinite(c.y) && c.x >= 0 && c.y >= 0 && c.x < r.width && c.y < r.height)) {
      throw new AnnotationError('CLICK_OUT_OF_BOUNDS', `click ${i} at (${c.x}, ${c.y}) is not on the ${r.width}×${r.height} image (0 ≤ x < width, 0 ≤ y < height)`, { click: i });
    }
  });
  let previous = 0;
  clicks.forEach((c, i) => {
    if (!Number.isFinite(c.t) || c.t < 0) throw new AnnotationError('BAD_CLICK_TIMES', `click ${i} has time ${c.t}; times are ms ≥ 0 since the image was shown`, { click: i });
    if (c.t < previous) throw new AnnotationError('BAD_CLICK_TIMES', `click ${i} at ${c.t} ms comes before click ${i - 1} at ${previous} ms; times must not decrease`, { click: i });
    previous = c.t;
  });
  const limitMs = r.timeLimit * 1000;
  if (previous > limitMs + CLICK_TIME_GRACE_MS) {
    throw new AnnotationError('BAD_CLICK_TIMES', `the last click at ${previous} ms is past the session's time limit of ${r.timeLimit} s`);
  }
  if (previous > r.elapsedMs + CLICK_TIME_GRACE_MS) {
    throw new AnnotationError('BAD_CLICK_TIMES', `the last click at ${previous} ms is later than the ${Math.max(0, Math.round(r.elapsedMs))} ms that passed since the session started`);
  }
  checkHumanTiming(clicks, r);
}

/** Clicks a person could have made: not before minFirstClickMs, at least minClickIntervalMs apart. */
function checkHumanTiming(clicks: readonly Click[], r: ClickRules): void {
  if (clicks[0].t < r.minFirstClickMs) {
    throw new AnnotationError('IMPOSSIBLE_TIMING', `the first click at ${clicks[0].t} ms came sooner after the image appeared than a person can react and click (${r.minFirstClickMs} ms, SALIENCY_ANNOTATION_MIN_FIRST_CLICK_MS)`, { click: 0 });
  }
  for (let i = 1; i < clicks.length; i++) {
    const gap = clicks[i].t - clicks[i - 1].t;
    if (gap < r.minClickIntervalMs) {
      throw new AnnotationError('IMPOSSIBLE_TIMING', `clicks ${i - 1} and ${i} are ${gap} ms apart; a person needs at least ${r.minClickIntervalMs} ms to aim and click again (SALIENCY_ANNOTATION_MIN_CLICK_INTERVAL_MS)`, { click: i });
    }
  }
}

// The cost of augmenting: per image, the labels the model gave the original and how many it keeps on
// the augmented image (VOC matching for detectors, the top-1 class for classifiers), summed into the
// manifest's accuracy rows and the table the command prints.
import { matchDetections, type LabelBox } from '@saliency-explainer/core';
import type { AugmentModel, Verdict } from './models.js';

/** One image's labels and how many the model keeps after augmenting. */
export interface Tally {
  labels: number;
  keptBefore: number;
  keptAfter: number;
  scoreBefore: number[];
  scoreAfter: number[];
  top5After?: number;
}

export function detectionTally(before: Verdict, after: Verdict, labelScore: number): Tally {
  if (before.task !== 'detection' || after.task !== 'detection') throw new Error('detection verdicts expected');
  const labels: LabelBox[] = before.boxes.filter((b) => b.score >= labelScore);
  const b = matchDetections(labels, before.boxes);
  const a = matchDetections(labels, after.boxes);
  return { labels: labels.length, keptBefore: b.matched, keptAfter: a.matched, scoreBefore: b.scores, scoreAfter: a.scores };
}

export function classTally(before: Verdict, after: Verdict): Tally {
  if (before.task !== 'classification' || after.task !== 'classification') throw new Error('classification verdicts expected');
  const label = before.top[0].index;
  return {
    labels: 1,
    keptBefore: 1,
    keptAfter: after.top[0].index === label ? 1 : 0,
    scoreBefore: [before.probs[label]],
    scoreAfter: [after.probs[label]],
    top5After: after.top.some((p) => p.index === label) ? 1 : 0,
  };
}

export interface AccuracyRow {
  set: string;
  images: number;
  labels: number;
  before: number | null;
  after: number | null;
  meanScoreBefore: number | null;
  meanScoreAfter: number | null;
  top5After?: number | null;
}

export function accuracyRow(set: string, tallies: Tally[], task: AugmentModel['task']): AccuracyRow {
  const labels = tallies.reduce((s, t) => s + t.labels, 0);
  const row: AccuracyRow = {
    set,
    images: tallies.length,
    labels,
    before: labels ? tallies.reduce((s, t) => s + t.keptBefore, 0) / labels : null,
    after: labels ? tallies.reduce((s, t) => s + t.keptAfter, 0) / labels : null,
    // mean score of the labels: a label the model lost counts 0 after (detections), the class's probability (classifiers)
    meanScoreBefore: labels ? tallies.reduce((s, t) => s + t.scoreBefore.reduce((a, b) => a + b, 0), 0) / labels : null,
    meanScoreAfter: labels ? tallies.reduce((s, t) => s + t.scoreAfter.reduce((a, b) => a + b, 0), 0) / labels : null,
  };
  if (task === 'classification') row.top5After = labels ? tallies.reduce((s, t) => s + (t.top5After ?? 0), 0) / labels : null;
  return row;
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));

/** The accuracy table as Markdown-style lines. */
export function accuracyTable(rows: AccuracyRow[], task: AugmentModel['task']): string[] {
  const what = task === 'detection' ? 'labels kept (VOC match, IoU ≥ 0.5)' : 'top-1 = original top-1';
  const head = task === 'detection'
    ? `| images | n | labels | ${what}: before | after | mean label score: before | after |`
    : `| images | n | labels | ${what}: before | after | top-5 after | label probability: before | after |`;
  const out = [head, `|${head.split('|').slice(1, -1).map(() => '---').join('|')}|`];
  for (const r of rows) {
    out.push(task === 'detection'
      ? `| ${r.set} | ${r.images} | ${r.labels} | ${f3(r.before)} | ${f3(r.after)} | ${f3(r.meanScoreBefore)} | ${f3(r.meanScoreAfter)} |`
      : `| ${r.set} | ${r.images} | ${r.labels} | ${f3(r.before)} | ${f3(r.after)} | ${f3(r.top5After)} | ${f3(r.meanScoreBefore)} | ${f3(r.meanScoreAfter)} |`);
  }
  return out;
}

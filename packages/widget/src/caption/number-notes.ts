// What each number of a caption measures, in a short note built from the fact behind it (shown when
// the number is focused or hovered): "81 %: share of the heatmap's mass inside the dog's box (x 10–200,
// y 40–210 px; detector score 0.77)". The caption's own words stay core's (caption-text.ts).
import type { Box, CaptionFact } from '@saliency-explainer/core';

export type NumberKind = 'percent' | 'integer' | 'decimal';

/** A value of a fact that the caption may quote. */
export interface NumberSource {
  fact: CaptionFact;
  /** The fact's field ("mass", "after", "object.mass"). */
  field: string;
  value: number;
  kind: NumberKind;
}

/** Notes quote values a little more precisely than the caption: 0.6234 → "62.3 %". */
const share = (v: number) => `${(100 * v).toFixed(1)} %`;
const px = (b: Box) => `x\u00a0${Math.round(b[0])}–${Math.round(b[2])}, y\u00a0${Math.round(b[1])}–${Math.round(b[3])}\u00a0px`;

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** The note of one number; `label` is the caption's class. */
export function noteFor({ fact: f, field }: NumberSource, label: string): string {
  const cls = `“${label}”`;
  switch (f.kind) {
    case 'prediction':
      return field === 'rank'
        ? `“${f.label}” is the model's ${ordinal(f.rank)} most probable class`
        : `the model's probability for “${f.label}” (softmax over all classes)`;
    case 'where':
      return `share of the image where the heatmap is at least ${Math.round(f.level * 100)} % of its maximum (its strong part, within ${px(f.box)})`;
    case 'object':
      return `share of the heatmap's mass inside the ${f.label}'s box (${px(f.box)}; detector score ${f.score.toFixed(2)})` +
        (f.hit ? "; the heatmap's peak is in it" : '');
    case 'crop':
      return field === 'rank'
        ? `rank of ${cls} among the model's classes for the cropped image (${px(f.box)})`
        : `the model's probability for ${cls} when the image is cropped to the heatmap's strong part, padded (${px(f.box)}), and classified again`;
    case 'deletion':
      return field === 'fraction'
        ? "share of the input's pixels replaced by a blurred copy: the most salient ones by the heatmap"
        : `the model's probability for ${cls} once they are blurred (before: ${share(f.before)})`;
    case 'control':
      return `the model's probability for ${cls} when as many pixels in a random square region are blurred instead (seed ${f.seed}; ` +
        `${share(f.overlap)} of them are among the most salient; before: ${share(f.before)})`;
    case 'contrast':
      if (field === 'fraction') return 'the top region of each heatmap compared: this share of its most salient pixels';
      if (field === 'overlap') return `overlap (intersection over union) of this heatmap's top region with that of “${f.label}” (probability ${share(f.probability)})`;
      return f.object ? `share of the “${f.label}” heatmap's mass inside the ${f.object.label}'s box (${px(f.object.box)})` : '';
    case 'human': {
      const metric = f.metric.toUpperCase();
      const who = `${f.people} ${f.source === 'crowd' ? 'people clicking' : 'eye-tracked observers'}`;
      if (field === 'score') return `${metric} between this heatmap and the attention map of ${who}`;
      if (field === 'ceiling') return `${metric} of half of the ${who} predicting the other half (split-half agreement, the human ceiling)`;
      return `the heatmap's ${metric} with people (${f.score.toFixed(3)}) as a share of the people's own agreement (${f.ceiling.toFixed(3)})`;
    }
  }
}

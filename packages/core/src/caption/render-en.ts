// Caption facts → plain English. Every number in the text is a fact's value, rounded: shares and
// probabilities as whole percents (one decimal below 1 %), ranks as they are, human scores to two
// decimals; every word of judgement follows from a quoted number by a fixed rule (an object's box
// holding ≥ 50 % of the map is where the evidence "lies"; a box with < 20 % holds "little";
// top regions overlapping ≥ 50 % are "the same place", < 25 % "elsewhere"). Another language or
// style is another file with the same signature. A free-text captioner's phrase is no fact: it is
// quoted as one sentence of its own at the end (A captioner describes the region as "…".).
import type {
  CaptionerPhrase, CaptionFact, ContrastFact, ControlFact, CropFact, DeletionFact, HumanFact, ObjectFact, Position, PredictionFact, WhereFact,
} from './facts.js';

/** A box holding at least this share of the map is where the evidence lies. */
export const LIES_ON = 0.5;
/** A box holding less than this share holds little of it. */
export const LITTLE = 0.2;

/** 0.623 → "62 %"; 0.0042 → "0.4 %"; 0.00042 → "0.04 %"; below 0.0095 % → "0 %". */
export function percent(v: number): string {
  const p = 100 * v;
  if (p >= 0.95 || p < 0.0095) return `${Math.round(p)} %`;
  return `${p.toFixed(p >= 0.095 ? 1 : 2)} %`;
}

const article = (label: string) => (/^[aeiou]/i.test(label) ? 'an' : 'a');
const ORDINALS = ['', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];

/** "the dog"; with several of a label, by their place from the left: "the left horse", "the second-from-left horse". */
function objectName(o: ObjectFact, all: readonly ObjectFact[]): string {
  const same = all.filter((x) => x.label === o.label).sort((a, b) => a.box[0] + a.box[2] - (b.box[0] + b.box[2]));
  if (same.length === 1) return `the ${o.label}`;
  const i = same.indexOf(o);
  if (same.length === 2) return `the ${i === 0 ? 'left' : 'right'} ${o.label}`;
  if (i === 0) return `the leftmost ${o.label}`;
  if (i === same.length - 1) return `the rightmost ${o.label}`;
  return i < ORDINALS.length ? `the ${ORDINALS[i]}-from-left ${o.label}` : `another ${o.label}`;
}

function place(p: Position): string {
  if (p === 'most of the image') return 'over most of the image';
  if (p === 'centre') return 'in the centre';
  return `at the ${p}`;
}

function prediction(p: PredictionFact): string {
  if (p.rank === 1) return `The model sees ${article(p.label)} ${p.label} (${percent(p.probability)}).`;
  return `The model gives ${p.label} ${percent(p.probability)} (rank ${p.rank}).`;
}

function evidence(w: WhereFact | undefined, objects: readonly ObjectFact[]): string | undefined {
  if (!w) return undefined;
  if (!objects.length) return `Its evidence lies ${place(w.position)}, its strong part covering ${percent(w.area)} of the image.`;
  const [main] = objects;
  const name = objectName(main, objects);
  const little = objects.slice(1).filter((o) => o.mass < LITTLE).sort((a, b) => a.mass - b.mass).slice(0, 2);
  const rest = little.map((o) => `${objectName(o, objects)}'s only ${percent(o.mass)}`);
  const tail = rest.length ? `, ${rest.join(', ')}` : '';
  if (main.mass >= LIES_ON) return `Its evidence lies on ${name}, ${place(w.position)}: ${percent(main.mass)} of the map is inside ${name}'s box${tail}.`;
  return `Its evidence lies ${place(w.position)}; ${name}'s box holds the largest share of it (${percent(main.mass)})${tail}.`;
}

function crop(c: CropFact | undefined, p: PredictionFact): string | undefined {
  if (!c) return undefined;
  const value = percent(c.probability);
  if (c.survives) return `Cropped to that region, the image is ${p.rank === 1 ? 'still' : 'first'} ${article(p.label)} ${p.label} (${value}).`;
  return `Cropped to that region, the ${p.label} is ${p.rank === 1 ? 'no longer first' : 'not first either'} (${value}, rank ${c.rank}).`;
}

function change(before: number, after: number): string {
  const a = percent(after);
  if (a === percent(before)) return `stays at ${a}`;
  return `${after < before ? 'falls' : 'rises'} to ${a}`;
}

function deletion(d: DeletionFact | undefined, c: ControlFact | undefined, label: string): string | undefined {
  if (!d) return undefined;
  const control = c ? ` (a random region of the same size: ${percent(c.after)})` : '';
  return `With the most salient ${percent(d.fraction)} of the pixels blurred out, the ${label} ${change(d.before, d.after)}${control}.`;
}

function contrast(k: ContrastFact): string {
  const where = k.overlap >= 0.5 ? 'in the same place' : k.overlap < 0.25 ? 'elsewhere' : 'partly in the same place';
  const regions = `their top ${percent(k.fraction)} regions overlap ${percent(k.overlap)}`;
  const o = k.object;
  if (o && o.mass >= LIES_ON) return `The ${k.label} evidence lies ${where}, on the ${o.label} (${regions}).`;
  const most = o ? `; the ${o.label}'s box holds the largest share of it (${percent(o.mass)})` : '';
  return `The ${k.label} evidence lies ${where} (${regions})${most}.`;
}

function human(h: HumanFact): string {
  const who = h.source === 'crowd' ? "people's clicks" : "people's eye fixations";
  return `It matches ${who} at ${percent(h.share)} of the agreement between people (${h.metric.toUpperCase()} ${h.score.toFixed(2)} against ${h.ceiling.toFixed(2)}).`;
}

/** A captioner's phrase, quoted and attributed, apart from what was measured. */
export function captionerSentence(c: CaptionerPhrase): string {
  const text = c.text.replace(/\s+/g, ' ').trim();
  return text ? `A captioner describes the region as "${text}".` : '';
}

/** The facts of one map as two to five sentences; a captioner's phrase, when given, as one quoted sentence after them. */
export function renderEnglish(facts: readonly CaptionFact[], captioner?: CaptionerPhrase): string {
  const of = <K extends CaptionFact['kind']>(kind: K) => facts.filter((f): f is Extract<CaptionFact, { kind: K }> => f.kind === kind);
  const [p] = of('prediction');
  if (!p) return '';
  const sentences = [
    prediction(p),
    evidence(of('where')[0], of('object')),
    crop(of('crop')[0], p),
    deletion(of('deletion')[0], of('control')[0], p.label),
    ...of('contrast').slice(0, 2).map(contrast),
    ...of('human').map(human),
    captioner && captionerSentence(captioner),
  ];
  return sentences.filter((s): s is string => !!s).join(' ');
}

// A caption's text cut into sentences and numbers, each number tied to the fact behind it. The
// words are core's: each sentence is what core's renderEnglish writes for the prediction fact plus
// that sentence's facts (in renderEnglish's order: prediction, evidence, crop, deletion, contrasts,
// human), so nothing of the wording is repeated here. The numbers are then found in each sentence and
// matched, in order, with the values of its facts they round to (noteFor says what each measures).
import { captionerSentence, renderEnglish, type CaptionerPhrase, type CaptionFact, type CaptionFactKind } from '@saliency-explainer/core';
import { noteFor, type NumberKind, type NumberSource } from './number-notes.js';

/** A number of the caption: its text as written, the fact and field it quotes, and what it measures. */
export interface CaptionNumber {
  text: string;
  kind: CaptionFactKind;
  field: string;
  note: string;
}

export type CaptionPiece = string | CaptionNumber;

export interface CaptionSentence {
  /** Which of renderEnglish's sentences (captioner: a free-text captioner's quoted phrase, no numbers of ours). */
  role: 'prediction' | 'evidence' | 'crop' | 'deletion' | 'contrast' | 'human' | 'captioner';
  pieces: CaptionPiece[];
}

type Of<K extends CaptionFactKind> = Extract<CaptionFact, { kind: K }>;

/** Signed decimals, optionally followed by " %", not part of a word. */
const NUMBER = /(?<![\w.])-?\d+(?:\.\d+)?(?: %)?(?![\w])/g;

function tokenKind(token: string): NumberKind {
  if (token.endsWith('%')) return 'percent';
  return token.includes('.') ? 'decimal' : 'integer';
}

/** Whether `value` written as `token` rounds to it (percents are shares × 100). */
function matches(token: string, source: NumberSource): boolean {
  const kind = tokenKind(token);
  if (kind !== source.kind) return false;
  const digits = token.replace(/ %$/, '');
  const decimals = digits.split('.')[1]?.length ?? 0;
  const shown = Number(digits);
  const value = kind === 'percent' ? 100 * source.value : source.value;
  return Math.abs(value - shown) <= 0.5 * 10 ** -decimals + 1e-9;
}

/** The sentence's text cut at its numbers, each matched with the next source (in order) it rounds to. */
function cut(text: string, sources: readonly NumberSource[], label: string): CaptionPiece[] {
  const pieces: CaptionPiece[] = [];
  let at = 0;
  let next = 0;
  for (const m of text.matchAll(NUMBER)) {
    const token = m[0];
    let found = -1;
    for (let i = next; i < sources.length; i++) {
      if (matches(token, sources[i])) {
        found = i;
        break;
      }
    }
    // a number no fact of the sentence gives (a digit in a label) stays text
    if (found < 0) continue;
    const s = sources[found];
    next = found + 1;
    if (m.index > at) pieces.push(text.slice(at, m.index));
    pieces.push({ text: token, kind: s.fact.kind, field: s.field, note: `${token}: ${noteFor(s, label)}` });
    at = m.index + token.length;
  }
  if (at < text.length) pieces.push(text.slice(at));
  return pieces;
}

const source = (fact: CaptionFact, field: string, value: number, kind: NumberKind): NumberSource => ({ fact, field, value, kind });

/** The facts of each sentence renderEnglish writes, and the numbers they may quote, in order. */
function groups(facts: readonly CaptionFact[], p: Of<'prediction'>): { role: CaptionSentence['role']; facts: CaptionFact[]; sources: NumberSource[] }[] {
  const of = <K extends CaptionFactKind>(kind: K) => facts.filter((f): f is Of<K> => f.kind === kind);
  const where = of('where')[0];
  const objects = of('object');
  const crop = of('crop')[0];
  const deletion = of('deletion')[0];
  const control = of('control')[0];
  const out: ReturnType<typeof groups> = [];
  if (where) {
    // the main object first, then the others by mass, smallest first (renderEnglish names the small ones so)
    const [main, ...rest] = objects;
    const sources = main
      ? [main, ...[...rest].sort((a, b) => a.mass - b.mass)].map((o) => source(o, 'mass', o.mass, 'percent'))
      : [source(where, 'area', where.area, 'percent')];
    out.push({ role: 'evidence', facts: [where, ...objects], sources });
  }
  if (crop) out.push({ role: 'crop', facts: [crop], sources: [source(crop, 'probability', crop.probability, 'percent'), source(crop, 'rank', crop.rank, 'integer')] });
  if (deletion) {
    const sources = [source(deletion, 'fraction', deletion.fraction, 'percent'), source(deletion, 'after', deletion.after, 'percent')];
    if (control) sources.push(source(control, 'after', control.after, 'percent'));
    out.push({ role: 'deletion', facts: control ? [deletion, control] : [deletion], sources });
  }
  for (const k of of('contrast').slice(0, 2)) {
    const sources = [source(k, 'fraction', k.fraction, 'percent'), source(k, 'overlap', k.overlap, 'percent')];
    if (k.object) sources.push(source(k, 'object.mass', k.object.mass, 'percent'));
    out.push({ role: 'contrast', facts: [k], sources });
  }
  for (const h of of('human')) {
    out.push({ role: 'human', facts: [h], sources: [source(h, 'share', h.share, 'percent'), source(h, 'score', h.score, 'decimal'), source(h, 'ceiling', h.ceiling, 'decimal')] });
  }
  return out.map((g) => ({ ...g, facts: [p, ...g.facts] }));
}

/**
 * The caption of `facts` as sentences of text and numbers; their text joined by spaces is exactly
 * renderEnglish(facts, captioner). Null when the facts are not a caption renderEnglish cuts that way
 * (no prediction). A captioner's phrase is the last sentence, one piece of text: its words are quoted,
 * never matched with measured numbers.
 */
export function captionSentences(facts: readonly CaptionFact[], captioner?: CaptionerPhrase): CaptionSentence[] | null {
  const p = facts.find((f): f is Of<'prediction'> => f.kind === 'prediction');
  if (!p) return null;
  const first = renderEnglish([p]);
  const predictionSources = [source(p, 'probability', p.probability, 'percent'), source(p, 'rank', p.rank, 'integer')];
  const sentences: { role: CaptionSentence['role']; text: string; sources: NumberSource[] }[] = [{ role: 'prediction', text: first, sources: predictionSources }];
  for (const g of groups(facts, p)) {
    const both = renderEnglish(g.facts);
    if (!both.startsWith(`${first} `)) return null;
    sentences.push({ role: g.role, text: both.slice(first.length + 1), sources: g.sources });
  }
  if (sentences.map((s) => s.text).join(' ') !== renderEnglish(facts)) return null;
  const cutSentences: CaptionSentence[] = sentences.map((s) => ({ role: s.role, pieces: cut(s.text, s.sources, p.label) }));
  const quoted = captioner ? captionerSentence(captioner) : '';
  return quoted ? [...cutSentences, { role: 'captioner', pieces: [quoted] }] : cutSentences;
}

/** The plain text of sentences (what renderEnglish wrote). */
export function sentencesText(sentences: readonly CaptionSentence[]): string {
  return sentences.map((s) => s.pieces.map((p) => (typeof p === 'string' ? p : p.text)).join('')).join(' ');
}

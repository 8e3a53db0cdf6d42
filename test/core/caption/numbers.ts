// For caption tests: every number a text states, and the renderings a fact's values may have
// (computed here, not by the renderer): shares and probabilities as percents (whole, one decimal
// below 1 %, two below 0.1 %, "0" below 0.0095 %), ranks as integers, human scores to two decimals.
import type { CaptionFact } from '../../../packages/core/src/caption/facts.js';

export const numbersIn = (text: string): string[] => text.match(/\d+(?:\.\d+)?/g) ?? [];

export function pct(v: number): string {
  const p = 100 * v;
  if (p >= 0.95 || p < 0.0095) return String(Math.round(p));
  return p.toFixed(p >= 0.095 ? 1 : 2);
}

/** Every rendering of every number of the facts. */
export function renderings(facts: readonly CaptionFact[]): Set<string> {
  const out = new Set<string>();
  for (const f of facts) {
    switch (f.kind) {
      case 'prediction': out.add(pct(f.probability)).add(String(f.rank)); break;
      case 'where': out.add(pct(f.area)); break;
      case 'object': out.add(pct(f.mass)); break;
      case 'crop': out.add(pct(f.probability)).add(String(f.rank)); break;
      case 'deletion': case 'control': out.add(pct(f.before)).add(pct(f.after)).add(pct(f.fraction)); break;
      case 'contrast': out.add(pct(f.overlap)).add(pct(f.fraction)); if (f.object) out.add(pct(f.object.mass)); break;
      case 'human': out.add(pct(f.share)).add(f.score.toFixed(2)).add(f.ceiling.toFixed(2)); break;
    }
  }
  return out;
}

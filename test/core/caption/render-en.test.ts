// The English renderer: every number in the text is one of the facts' values, rounded; the words
// follow the numbers (lies on / only / falls / rises / stays / elsewhere).
import { describe, it, expect } from 'vitest';
import { renderEnglish } from '../../../packages/core/src/caption/render-en.js';
import type { CaptionFact, ObjectFact } from '../../../packages/core/src/caption/facts.js';
import { numbersIn, pct, renderings } from './numbers.js';

const obj = (label: string, box: ObjectFact['box'], mass: number, main = false): ObjectFact =>
  ({ kind: 'object', classIndex: 0, label, score: 0.8, box, mass, hit: main, main });

const both: CaptionFact[] = [
  { kind: 'prediction', classIndex: 243, label: 'bull mastiff', probability: 0.6195, rank: 1 },
  { kind: 'where', position: 'top left', box: [10, 5, 80, 60], area: 0.081, centroid: [0.2, 0.2], level: 0.5 },
  obj('dog', [5, 0, 120, 110], 0.8123, true),
  obj('cat', [60, 100, 200, 220], 0.0312),
  { kind: 'crop', box: [3, 0, 90, 70], probability: 0.7149, rank: 1, survives: true },
  { kind: 'deletion', before: 0.6195, after: 0.0401, fraction: 0.2 },
  { kind: 'control', before: 0.6195, after: 0.5837, fraction: 0.2, region: [0, 100, 100, 200], overlap: 0.05, seed: 0 },
  { kind: 'contrast', classIndex: 282, label: 'tiger cat', probability: 0.0002, overlap: 0.0871, fraction: 0.2, object: { label: 'cat', box: [60, 100, 200, 220], mass: 0.74 } },
  { kind: 'human', source: 'eye-tracking', metric: 'cc', score: 0.4123, ceiling: 0.6388, share: 0.4123 / 0.6388, people: 15 },
];

function expectOnlyFactNumbers(facts: CaptionFact[]): string {
  const text = renderEnglish(facts);
  const allowed = renderings(facts);
  for (const n of numbersIn(text)) expect(allowed, `${n} in: ${text}`).toContain(n);
  return text;
}

describe('renderEnglish', () => {
  it('writes the issue\'s example from its facts, every number a fact', () => {
    const text = expectOnlyFactNumbers(both);
    expect(text).toContain('The model sees a bull mastiff (62 %).');
    expect(text).toContain("Its evidence lies on the dog, at the top left: 81 % of the map is inside the dog's box, the cat's only 3 %.");
    expect(text).toContain('Cropped to that region, the image is still a bull mastiff (71 %).');
    expect(text).toContain('the bull mastiff falls to 4 % (a random region of the same size: 58 %)');
    expect(text).toContain('The tiger cat evidence lies elsewhere, on the cat (their top 20 % regions overlap 9 %).');
    expect(text).toContain("It matches people's eye fixations at 65 % of the agreement between people (CC 0.41 against 0.64).");
    expect(numbersIn(text)).toEqual(['62', '81', '3', '71', '20', '4', '58', '20', '9', '65', '0.41', '0.64']);
  });

  it('rounds small shares to one or two decimals, and says "rises" and "stays" when they do', () => {
    const facts: CaptionFact[] = [
      { kind: 'prediction', classIndex: 1, label: 'espresso', probability: 0.0042, rank: 7 },
      { kind: 'deletion', before: 0.0042, after: 0.00043, fraction: 0.2 },
      { kind: 'control', before: 0.0042, after: 0.0251, fraction: 0.2, region: [0, 0, 1, 1], overlap: 0, seed: 0 },
    ];
    const text = expectOnlyFactNumbers(facts);
    expect(text).toBe('The model gives espresso 0.4 % (rank 7). With the most salient 20 % of the pixels blurred out, the espresso falls to 0.04 % (a random region of the same size: 3 %).');
    const rises = expectOnlyFactNumbers([facts[0], { kind: 'deletion', before: 0.0042, after: 0.9, fraction: 0.1 }]);
    expect(rises).toContain('the espresso rises to 90 %');
    const stays = expectOnlyFactNumbers([facts[0], { kind: 'deletion', before: 0.0042, after: 0.00415, fraction: 0.1 }]);
    expect(stays).toContain('the espresso stays at 0.4 %');
    expect(pct(0.00004)).toBe('0');
  });

  it('names a box holding under half the map as holding the largest share, and tells two horses apart', () => {
    const facts: CaptionFact[] = [
      { kind: 'prediction', classIndex: 339, label: 'sorrel', probability: 0.3, rank: 1 },
      { kind: 'where', position: 'right', box: [200, 100, 300, 200], area: 0.05, centroid: [0.8, 0.5], level: 0.5 },
      obj('horse', [250, 120, 330, 190], 0.38, true),
      obj('horse', [150, 110, 200, 160], 0.06),
      obj('person', [10, 10, 50, 200], 0.12),
    ];
    const text = expectOnlyFactNumbers(facts);
    expect(text).toContain("Its evidence lies at the right; the right horse's box holds the largest share of it (38 %), the left horse's only 6 %, the person's only 12 %.");
  });

  it('without objects, says where and how much of the image; a lost crop says so with its rank', () => {
    const facts: CaptionFact[] = [
      { kind: 'prediction', classIndex: 5, label: 'tabby', probability: 0.44, rank: 1 },
      { kind: 'where', position: 'most of the image', box: [0, 0, 100, 100], area: 0.62, centroid: [0.5, 0.5], level: 0.5 },
      { kind: 'crop', box: [0, 0, 100, 100], probability: 0.12, rank: 3, survives: false },
    ];
    const text = expectOnlyFactNumbers(facts);
    expect(text).toContain('Its evidence lies over most of the image, its strong part covering 62 % of the image.');
    expect(text).toContain('Cropped to that region, the tabby is no longer first (12 %, rank 3).');
  });
});

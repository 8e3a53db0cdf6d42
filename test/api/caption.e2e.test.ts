// Heatmap.caption and Explanation.caption through the API: computed on an engine worker on first
// request (detector, crop, deletion and control runs), stored, read back; the same text and facts as
// core's captionMap computed here with a separate engine and detector; the dog and the cat of both.png
// named for their classes; a human fact once the image has imported eye tracking (a new stored caption).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { captionMap, Explainer, postprocess, preprocess, type Caption } from '../../packages/core/src/index.js';
import { loadCaptionDetector } from '../../packages/api/src/cli/captions.js';
import { loadManifestModel } from '../../packages/api/src/models/loader.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const modelsDir = resolve(root, 'models');
const photo = readFileSync(resolve(root, '../shared/data/images/both.png'));
const FACTS = 'kind classIndex label probability rank position box area centroid level score mass main hit survives before after fraction region overlap seed object { label box mass } source metric ceiling share people';
const CAPTIONS = `query($id: ID!) { explanation(id: $id) { heatmaps { method classIndex raw width height caption { text facts { ${FACTS} } computeMs cached } } } }`;

type Fact = Record<string, unknown> & { kind: string };
const main = (facts: Fact[]) => facts.find((f) => f.kind === 'object' && f.main);
/** A GraphQL fact without the fields its kind does not have (null there), for comparison with core's. */
const own = (f: Fact) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null));

for (const db of testDatabases()) {
  describe.skipIf(!!db.skipReason)(`Heatmap.caption on ${db.provider}`, () => {
    let s: TestServer;
    let explanationId: string;
    let imageId: string;
    beforeAll(async () => {
      s = await startTestServer(await db.url(), { SALIENCY_MODELS: 'squeezenet1.0' });
      const ex = await s.gql('mutation($d: String!) { explain(input: { image: $d, classes: [243, 282] }) { id image { id } } }', { d: photo.toString('base64') });
      explanationId = ex.data!.explain.id;
      imageId = ex.data!.explain.image.id;
    }, 120_000);
    afterAll(() => s?.close());

    it('names the dog for the bull mastiff and the cat for the tiger cat, with the facts core measures', async () => {
      const r = await s.gql(CAPTIONS, { id: explanationId });
      expect(r.errors).toBeUndefined();
      const [dog, cat] = r.data!.explanation.heatmaps;
      expect(dog.caption.cached).toBe(false);
      expect(main(dog.caption.facts)?.label).toBe('dog');
      expect(main(cat.caption.facts)?.label).toBe('cat');
      expect(dog.caption.text).toMatch(/bull mastiff/);
      expect(dog.caption.facts.map((f: Fact) => f.kind)).toEqual(expect.arrayContaining(['prediction', 'where', 'object', 'crop', 'deletion', 'control', 'contrast']));
      // the explanation's caption is its first heatmap's, read back
      const first = await s.gql('query($id: ID!) { explanation(id: $id) { caption { text cached } } }', { id: explanationId });
      expect(first.data!.explanation.caption).toEqual({ text: dog.caption.text, cached: true });

      // the same caption from core, here, with a separate engine and detector
      const m = loadManifestModel(modelsDir, 'squeezenet1.0');
      const engine = await Explainer.create(ort, m.bytes, m.spec, m.labels);
      const detector = await loadCaptionDetector(modelsDir);
      try {
        const image = (await decodeImage(photo, 1e8)).image;
        const input = preprocess(image, m.spec.input);
        const subject = { image, spec: m.spec.input, input, probabilities: await engine.predict(input), labels: m.labels, detections: await detector.detect(image) };
        const final = (h: { raw: number[]; width: number; height: number }) => postprocess(Float32Array.from(h.raw), h.height, h.width, 224, 224).map;
        const score = (b: Float32Array, n: number) => engine.forwardInputs(b, n);
        for (const [h, other] of [[dog, cat], [cat, dog]]) {
          const want: Caption = await captionMap(score, subject, { classIndex: h.classIndex, map: final(h) }, [{ classIndex: other.classIndex, map: final(other) }]);
          expect(h.caption.text).toBe(want.text);
          expect(h.caption.facts.map(own)).toEqual(JSON.parse(JSON.stringify(want.facts)));
        }
      } finally {
        await engine.release();
        await detector.release();
      }

      const again = (await s.gql(CAPTIONS, { id: explanationId })).data!.explanation.heatmaps[0].caption;
      expect(again.cached).toBe(true);
      expect(again.text).toBe(dog.caption.text);
      expect(again.computeMs).toBe(dog.caption.computeMs);
    }, 180_000);

    it('adds a human fact once the image has eye tracking, as a new stored caption', async () => {
      const before = (await s.gql(CAPTIONS, { id: explanationId })).data!.explanation.heatmaps[0].caption;
      expect(before.facts.some((f: Fact) => f.kind === 'human')).toBe(false);
      // three observers looking at the dog's head (top left of both.png) and two at the cat
      const people = [[[60, 60], [70, 80]], [[65, 70]], [[50, 90], [80, 60]], [[170, 120]], [[180, 130], [160, 110]]];
      await s.server.services.storage.addAnnotations(people.map((points, i) => ({
        imageId, source: 'EYE_TRACKING' as const, annotator: `test:${i}`, task: 'FREE_VIEWING', classIndex: null, model: null,
        prompt: null, nonce: null, points: points.map(([x, y]) => ({ x, y })), durationMs: null,
      })));
      const after = (await s.gql(CAPTIONS, { id: explanationId })).data!.explanation.heatmaps[0].caption;
      expect(after.facts.map((f: Fact) => f.kind)).toContain("human");
      expect(after.cached).toBe(false);
      const human = after.facts.find((f: Fact) => f.kind === 'human');
      expect(human).toMatchObject({ source: 'eye-tracking', metric: 'cc', people: 5 });
      expect(human.share).toBeCloseTo(human.score / human.ceiling, 12);
      expect(await s.errorCode(CAPTIONS.replace('caption {', 'caption(seed: -1) {'), { id: explanationId })).toBe('BAD_REQUEST');
    }, 180_000);
  });
}

// `saliency-explainer import-fixations` (the command's main, in process) on SQLite and PostgreSQL: an
// OSIE subset, counts, idempotence, and Image.humanAttention(EYE_TRACKING) equal to the density and the
// ceiling computed here from the fixations; JSON and CSV points files; bad inputs with their exit codes
// and nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { densityMap, humanCeiling, parseOsie, type Fixation } from '../../packages/core/src/index.js';
import { humanReference } from '../../packages/api/src/annotations/human-reference.js';
import { main } from '../../packages/api/src/cli/main.js';
import { openStorage } from '../../packages/api/src/storage/open.js';
import type { Storage } from '../../packages/api/src/storage/types.js';
import { startTestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const osieDir = resolve(root, '../shared/data/osie');
const OSIE = parseOsie(JSON.parse(readFileSync(join(osieDir, 'fixations.json'), 'utf8')));
const stimulus = (file: string) => join(osieDir, 'stimuli', file);
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

interface Run { code: number; out: string; err: string }
async function cli(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['import-fixations', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l), errIsTTY: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function counts(r: Run) {
  const m = /images (\d+) \((\d+) new\); annotations (\d+) \((\d+) new, (\d+) already stored\)/.exec(r.out);
  if (!m) throw new Error(`no counts in: ${r.out}\n${r.err}`);
  const [images, imagesNew, annotations, added, skipped] = m.slice(1).map(Number);
  return { images, imagesNew, annotations, added, skipped };
}

async function withStorage<T>(url: string, fn: (s: Storage) => Promise<T>): Promise<T> {
  const s = await openStorage(url);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const tally = (url: string) => withStorage(url, async (s) => {
  const ids = await Promise.all(['1001.jpg', '1002.jpg', '1003.jpg', '1004.jpg'].map(async (f) => ((await s.getImage(sha(stimulus(f)))) ? 1 : 0)));
  const annotations = await Promise.all(['1001.jpg', '1002.jpg', '1003.jpg', '1004.jpg'].map((f) => s.countAnnotations(sha(stimulus(f)), 'EYE_TRACKING')));
  return { images: ids.reduce((a: number, b) => a + b, 0), annotations: annotations.reduce((a, b) => a + b, 0) };
});

const toFrame = (points: readonly Fixation[], s: number) => points.map((p) => ({ x: (p.x + 0.5) * s - 0.5, y: (p.y + 0.5) * s - 0.5 }));

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'saliency-import-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const db of testDatabases()) {
  describe.skipIf(!!db.skipReason)(`import-fixations on ${db.provider}`, () => {
    it('imports an OSIE subset once; humanAttention(EYE_TRACKING) is the fixations\' density and ceiling', async () => {
      const url = await db.url();
      const first = await cli('--osie', osieDir, '--limit', '2', '--database-url', url);
      expect(first.code, first.err).toBe(0);
      const observers = (f: string) => OSIE.find((o) => o.file === f)!.observers.filter((o) => o.length > 0).length;
      const n2 = observers('1001.jpg') + observers('1002.jpg');
      expect(counts(first)).toEqual({ images: 2, imagesNew: 2, annotations: n2, added: n2, skipped: 0 });
      const again = await cli('--osie', osieDir, '--images', '1002.jpg,1001.jpg', '--database-url', url);
      expect(counts(again)).toEqual({ images: 2, imagesNew: 0, annotations: n2, added: 0, skipped: n2 });
      const more = await cli('--osie', osieDir, '--limit', '3', '--database-url', url);
      const n3 = n2 + observers('1003.jpg');
      expect(counts(more)).toEqual({ images: 3, imagesNew: 1, annotations: n3, added: n3 - n2, skipped: n2 });
      expect(await tally(url)).toEqual({ images: 3, annotations: n3 });

      const rows = await withStorage(url, (s) => s.listAnnotations(sha(stimulus('1001.jpg')), { source: 'EYE_TRACKING' }));
      const osie = OSIE.find((o) => o.file === '1001.jpg')!;
      expect(rows.map((r) => r.annotator).sort()).toEqual(osie.observers.map((_, i) => `osie:${i}`).sort());
      for (const r of rows) {
        const observer = Number(r.annotator.split(':')[1]);
        expect(r).toMatchObject({ task: 'FREE_VIEWING', classIndex: null, nonce: null, prompt: null });
        expect(r.points).toEqual(osie.observers[observer].map((f) => ({ x: f.x, y: f.y, duration: f.duration })));
      }

      const s = await startTestServer(url, { SALIENCY_MODELS: 'squeezenet1.0' });
      try {
        const id = sha(stimulus('1001.jpg'));
        const r = await s.gql(`query($id: ID!) { image(id: $id) { width height humanAttention(source: EYE_TRACKING) {
          source annotators pointCount sigma points { x y annotator } agreement { splitHalf { metric value } leaveOneOut { metric value } } } } }`, { id });
        expect(r.errors).toBeUndefined();
        const ha = r.data!.image.humanAttention;
        // annotations come back oldest first; the import wrote them in observer order
        const people = rows.map((row) => OSIE.find((o) => o.file === '1001.jpg')!.observers[Number(row.annotator.split(':')[1])]);
        expect(ha).toMatchObject({ source: 'EYE_TRACKING', annotators: 15, pointCount: people.flat().length, sigma: 24 });
        expect(ha.points).toEqual(people.flatMap((p, annotator) => p.map((f) => ({ x: f.x, y: f.y, annotator }))));
        const map = (await humanReference(s.server.services, (await s.server.services.storage.getImage(id))!, 'EYE_TRACKING'))!;
        const expected = densityMap(toFrame(osie.observers.flat(), 0.5), 400, 300, { sigma: 12 });
        const peak = Math.max(...expected.values);
        const worst = map.density.values.reduce((m, v, i) => Math.max(m, Math.abs(v - expected.values[i])), 0);
        expect(worst).toBeLessThan(1e-6 * peak);
        const ceiling = humanCeiling(people.map((p) => toFrame(p, 0.5)), 400, 300, { sigma: 12, metrics: ['cc', 'nss', 'auc-judd', 'sim'], repetitions: 10, seed: 0, outOfBounds: 'clamp' });
        for (const kind of ['splitHalf', 'leaveOneOut'] as const) {
          for (const g of ha.agreement[kind] as { metric: string; value: number }[]) expect(Math.abs(g.value - ceiling[kind][g.metric].mean)).toBeLessThan(1e-9);
        }
        expect((await s.gql(`query($id: ID!) { image(id: $id) { humanAttention(source: CROWD) { annotators } } }`, { id })).data!.image.humanAttention).toBeNull();
      } finally {
        await s.close();
      }
    }, 120_000);

    it('JSON and CSV points files, per observer, idempotently', async () => {
      const url = await db.url();
      const image = stimulus('1004.jpg');
      const json = join(work, `${db.provider}-points.json`);
      writeFileSync(json, JSON.stringify({ fixations: [{ x: 10, y: 20, observer: 1 }, { x: 30.5, y: 40, observer: 2, duration: 180 }, { x: 50, y: 60, observer: 1 }] }));
      const r = await cli('--image', image, '--points', json, '--dataset-name', 'lab', '--database-url', url);
      expect(r.code, r.err).toBe(0);
      expect(counts(r)).toEqual({ images: 1, imagesNew: 1, annotations: 2, added: 2, skipped: 0 });
      expect(counts(await cli('--image', image, '--points', json, '--dataset-name', 'lab', '--database-url', url))).toMatchObject({ added: 0, skipped: 2 });
      const csv = join(work, `${db.provider}-points.csv`);
      writeFileSync(csv, 'x,y,duration\n100,200,250\n799,599,\n');
      expect(counts(await cli('--image', image, '--points', csv, '--database-url', url))).toMatchObject({ imagesNew: 0, added: 1, skipped: 0 });
      const plain = join(work, `${db.provider}-plain.json`);
      writeFileSync(plain, JSON.stringify([{ x: 1, y: 2 }]));
      expect(counts(await cli('--image', image, '--points', plain, '--dataset-name', 'other', '--database-url', url))).toMatchObject({ added: 1 });
      const rows = await withStorage(url, (s) => s.listAnnotations(sha(image), { source: 'EYE_TRACKING' }));
      const byAnnotator = Object.fromEntries(rows.map((row) => [row.annotator, row.points]));
      expect(byAnnotator).toEqual({
        'lab:1': [{ x: 10, y: 20 }, { x: 50, y: 60 }],
        'lab:2': [{ x: 30.5, y: 40, duration: 180 }],
        'import:0': [{ x: 100, y: 200, duration: 250 }, { x: 799, y: 599 }],
        'other:0': [{ x: 1, y: 2 }],
      });
    });

    it('bad inputs: a clear message, their exit code, and nothing written', async () => {
      const url = await db.url();
      const image = stimulus('1004.jpg');
      const file = (name: string, text: string | Buffer) => {
        const p = join(work, `${db.provider}-${name}`);
        writeFileSync(p, text);
        return p;
      };
      const expectFail = async (code: number, message: RegExp, ...argv: string[]) => {
        const r = await cli(...argv, '--database-url', url);
        expect([r.code, r.err]).toEqual([code, expect.stringMatching(message)]);
      };
      // input errors (3): the image is not stored either
      await expectFail(3, /off\.json: point 1: \(800, 10\) is not on the 800×600 image/, '--image', image, '--points', file('off.json', '[{"x": 1, "y": 1}, {"x": 800, "y": 10}]'));
      await expectFail(3, /broken\.json: JSON/, '--image', image, '--points', file('broken.json', '[{"x": 1,'));
      await expectFail(3, /bad\.csv: line 2: y must be a finite number/, '--image', image, '--points', file('bad.csv', 'x,y\n1,zz\n'));
      await expectFail(3, /cannot read the points file/, '--image', image, '--points', join(work, 'missing.json'));
      await expectFail(3, /garbage\.jpg: not a readable image/, '--image', file('garbage.jpg', Buffer.from('not an image at all')), '--points', file('ok.json', '[{"x": 1, "y": 1}]'));
      await expectFail(3, /fixations\.json: .*ENOENT/, '--osie', work);
      await expectFail(3, /9999\.jpg is not in/, '--osie', osieDir, '--images', '1001.jpg,9999.jpg');
      // an OSIE folder whose stimulus is not the size its fixations were recorded on
      const fake = join(work, `${db.provider}-osie`);
      mkdirSync(join(fake, 'stimuli'), { recursive: true });
      copyFileSync(resolve(root, '../shared/data/images/both.png'), join(fake, 'stimuli', 'a.jpg'));
      writeFileSync(join(fake, 'fixations.json'), JSON.stringify({ images: [{ image: 'a.jpg', width: 800, height: 600, subjects: [{ x: [1], y: [1], duration_ms: [100] }] }] }));
      await expectFail(3, /a\.jpg is 224×224, but .* records 800×600/, '--osie', fake);
      writeFileSync(join(fake, 'fixations.json'), JSON.stringify({ images: [{ image: 'a.jpg', width: 800, height: 600, subjects: [{ x: [900], y: [1] }] }] }));
      await expectFail(3, /fixations\.json: .*lies outside the 800×600 image/, '--osie', fake);
      // usage errors (2)
      await expectFail(2, /either --osie DIR or --image FILE --points FILE/);
      await expectFail(2, /either --osie DIR or --image/, '--osie', osieDir, '--image', image);
      await expectFail(2, /--image needs --points/, '--image', image);
      await expectFail(2, /--images and --limit cannot be used together/, '--osie', osieDir, '--images', '1001.jpg', '--limit', '1');
      await expectFail(2, /--limit must be an integer in 1/, '--osie', osieDir, '--limit', '0');
      await expectFail(2, /--dataset-name must be/, '--osie', osieDir, '--dataset-name', 'a:b');
      await expectFail(2, /Unknown option/, '--osie', osieDir, '--frobnicate');
      expect(await tally(url)).toEqual({ images: 0, annotations: 0 });
      // an unusable database (1)
      const r = await cli('--image', image, '--points', file('ok2.json', '[{"x": 1, "y": 1}]'), '--database-url', 'mysql://x@localhost/db');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error: /);
    });
  });
}

describe('import-fixations help', () => {
  it('is listed in the main help and has its own', async () => {
    const out: string[] = [];
    expect(await main(['--help'], { out: (l) => out.push(l), err: () => undefined, errIsTTY: false })).toBe(0);
    expect(out.join('\n')).toMatch(/saliency-explainer import-fixations --osie DIR/);
    const own = await cli('--help');
    expect([own.code, own.out]).toEqual([0, expect.stringMatching(/--dataset-name NAME/)]);
  });
});

// `saliency-explainer export-annotations` on SQLite and PostgreSQL: OSIE fixations imported by
// import-fixations come back out exactly (JSON Lines and CSV), crowd clicks come out moved by −0.5
// into the same pixel-centre convention, page boundaries lose nothing, images are written with their
// bytes, and bad flags are usage errors (exit 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseOsie } from '../../packages/core/src/index.js';
import { main } from '../../packages/api/src/cli/main.js';
import { CSV_HEADER } from '../../packages/api/src/cli/export-command.js';
import { testDatabases } from '../support/databases.js';
import { openTestStorage } from '../support/open-storage.js';

const root = resolve(__dirname, '../..');
const osieDir = resolve(root, '../shared/data/osie');
const OSIE = parseOsie(JSON.parse(readFileSync(join(osieDir, 'fixations.json'), 'utf8')));
const FILES = ['1001.jpg', '1002.jpg'];
const sha = (file: string) => createHash('sha256').update(readFileSync(join(osieDir, 'stimuli', file))).digest('hex');

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), errIsTTY: false });
  return { code, out, err: err.join('\n') };
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'saliency-export-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const db of testDatabases()) {
  describe.skipIf(!!db.skipReason)(`export-annotations on ${db.provider}`, () => {
    it('writes imported fixations back exactly, crowd clicks in the same convention, with the images', async () => {
      const url = await db.url();
      expect((await cli('import-fixations', '--osie', osieDir, '--images', FILES.join(','), '--database-url', url)).code).toBe(0);
      const storage = await openTestStorage(url);
      const crowdImage = sha('1001.jpg');
      await storage.addAnnotation({
        imageId: crowdImage, source: 'CROWD', annotator: 'c'.repeat(64), task: 'FIND', classIndex: 3, model: 'squeezenet1.0',
        prompt: 'Click where you look to find the tiger shark.', nonce: 'n0nce', points: [{ x: 10.5, y: 20.25, t: 400 }, { x: 0, y: 599.75, t: 900 }], durationMs: 900,
      });

      const jsonl = await cli('export-annotations', '--database-url', url);
      expect(jsonl.code).toBe(0);
      const rows = jsonl.out.map((l) => JSON.parse(l));
      const observers = FILES.flatMap((f) => OSIE.find((o) => o.file === f)!.observers.filter((o) => o.length > 0));
      expect(rows).toHaveLength(observers.length + 1);
      expect(jsonl.err).toMatch(new RegExp(`${observers.length + 1} annotations, .* 2 images`));
      for (const f of FILES) {
        const im = OSIE.find((o) => o.file === f)!;
        const mine = rows.filter((r) => r.image === sha(f) && r.source === 'EYE_TRACKING');
        expect(mine.map((r) => r.annotator)).toEqual(im.observers.map((o, i) => (o.length ? `osie:${i}` : null)).filter(Boolean));
        mine.forEach((r) => {
          const observer = im.observers[Number(r.annotator.split(':')[1])];
          expect(r.points.map((p: { x: number; y: number }) => [p.x, p.y])).toEqual(observer.map((p) => [p.x, p.y]));
          expect([r.width, r.height, r.task]).toEqual([800, 600, 'FREE_VIEWING']);
        });
      }
      const crowd = rows.find((r) => r.source === 'CROWD');
      expect(crowd).toMatchObject({ image: crowdImage, task: 'FIND', classIndex: 3, model: 'squeezenet1.0', durationMs: 900, points: [{ x: 10, y: 19.75, t: 400 }, { x: -0.5, y: 599.25, t: 900 }] });

      // CSV: one row per point, the same numbers; one source and one image
      const out = join(work, `${db.provider}.csv`);
      const images = join(work, `${db.provider}-images`);
      const csv = await cli('export-annotations', '--format', 'csv', '--source', 'eye-tracking', '--image', sha('1002.jpg'), '-o', out, '--images-dir', images, '--database-url', url);
      expect(csv.code).toBe(0);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      expect(lines[0]).toBe(CSV_HEADER);
      const im2 = OSIE.find((o) => o.file === '1002.jpg')!;
      expect(lines).toHaveLength(1 + im2.observers.flat().length);
      const first = lines[1].split(',');
      expect(first.slice(0, 5)).toEqual([sha('1002.jpg'), 'EYE_TRACKING', 'osie:0', 'FREE_VIEWING', '']);
      expect([Number(first[5]), Number(first[6])]).toEqual([im2.observers[0][0].x, im2.observers[0][0].y]);
      expect(readdirSync(images)).toEqual([`${sha('1002.jpg')}.jpeg`]);
      expect(readFileSync(join(images, `${sha('1002.jpg')}.jpeg`)).equals(readFileSync(join(osieDir, 'stimuli', '1002.jpg')))).toBe(true);
    });

    it('pages through many annotations without losing or repeating one', async () => {
      const url = await db.url();
      expect((await cli('import-fixations', '--osie', osieDir, '--limit', '40', '--database-url', url)).code).toBe(0); // 600 annotations: two pages
      const storage = await openTestStorage(url);
      const all = await cli('export-annotations', '--database-url', url);
      const ids = all.out.map((l) => JSON.parse(l).id as string);
      const expected = OSIE.slice(0, 40).reduce((n, o) => n + o.observers.filter((f) => f.length > 0).length, 0);
      expect(ids).toHaveLength(expected);
      expect(new Set(ids).size).toBe(expected);
      const page = await storage.annotationsPage({}, 7);
      const next = await storage.annotationsPage({}, 7, page[6].id);
      expect([...page, ...next].map((a) => a.id)).toEqual(ids.slice(0, 14));
    });
  });
}

describe('export-annotations --format dataset, then eval on it', () => {
  it('writes OSIE’s layout that parses back to the stored points, and eval ranks maps on it under its own name', async () => {
    const db = testDatabases().find((d) => d.provider === 'sqlite')!;
    const url = await db.url();
    expect((await cli('import-fixations', '--osie', osieDir, '--images', FILES.join(','), '--database-url', url)).code).toBe(0);
    const storage = await openTestStorage(url);
    // two crowd annotators looking for class 3 on 1002.jpg, one describing it
    const click = (points: { x: number; y: number }[]) => points.map((p, k) => ({ x: p.x + 0.5, y: p.y + 0.5, t: 300 * (k + 1) }));
    const im2 = OSIE.find((o) => o.file === '1002.jpg')!;
    for (const [i, task] of (['FIND', 'FIND', 'DESCRIBE'] as const).entries()) {
      await storage.addAnnotation({
        imageId: sha('1002.jpg'), source: 'CROWD', annotator: `${i}`.repeat(64), task, classIndex: task === 'FIND' ? 3 : null, model: task === 'FIND' ? 'squeezenet1.0' : null,
        prompt: null, nonce: `ds-${i}`, points: click(im2.observers[i]), durationMs: null,
      });
    }

    // eye tracking: the OSIE data back, byte for byte and fixation for fixation
    const eyeDir = join(work, 'eye-dataset');
    const eye = await cli('export-annotations', '--format', 'dataset', '--source', 'eye-tracking', '-o', eyeDir, '--database-url', url);
    expect(eye.code).toBe(0);
    const back = parseOsie(JSON.parse(readFileSync(join(eyeDir, 'fixations.json'), 'utf8')));
    expect(back.map((b) => b.file)).toEqual(FILES.map((f) => `${sha(f)}.jpeg`));
    back.forEach((b, i) => {
      const orig = OSIE.find((o) => o.file === FILES[i])!;
      expect([b.width, b.height]).toEqual([orig.width, orig.height]);
      const strip = (obs: { x: number; y: number; duration?: number }[][]) => obs.filter((o) => o.length).map((o) => o.map((f) => [f.x, f.y, f.duration]));
      expect(strip(b.observers)).toEqual(strip(orig.observers));
      expect(readFileSync(join(eyeDir, 'stimuli', b.file)).equals(readFileSync(join(osieDir, 'stimuli', FILES[i])))).toBe(true);
    });

    // the crowd that looked for class 3: clicks −0.5 into pixel centres, +1 in the file
    const crowdDir = join(work, 'crowd-dataset');
    expect((await cli('export-annotations', '--format', 'dataset', '--task', 'find', '--class', '3', '-o', crowdDir, '--database-url', url)).code).toBe(0);
    const crowd = parseOsie(JSON.parse(readFileSync(join(crowdDir, 'fixations.json'), 'utf8')));
    expect(crowd).toHaveLength(1);
    expect(crowd[0].observers.map((o) => o.map((f) => [f.x, f.y]))).toEqual([0, 1].map((i) => im2.observers[i].map((f) => [f.x, f.y])));

    // the leaderboard of that data set, under its own name
    const out = join(work, 'crowd-report');
    const ev = await cli('eval', '--dataset', 'my-crowd', '--data-dir', crowdDir, '--methods', 'gradcam', '--baselines', 'center-bias',
      '--workers', '0', '--no-progress', '-o', out, '--database-url', url);
    expect(ev.code, ev.err).toBe(0);
    const report = readFileSync(join(out, 'leaderboard.md'), 'utf8');
    expect(report.split('\n')[0]).toBe('# MY-CROWD leaderboard');
    expect(report).toMatch(/human ceiling \(split-half\)/);
    expect(report).toMatch(/squeezenet1\.0 · fire9\/concat_2 · Grad-CAM/);
    expect((await cli('eval', '--dataset', 'my-crowd', '--methods', 'gradcam')).code).toBe(2); // a name of yours needs --data-dir
  }, 240_000);
});

describe('export-annotations flags', () => {
  it('refuses bad flags with exit code 2', async () => {
    for (const argv of [['--source', 'nope'], ['--format', 'xml'], ['--image', 'abc'], ['stray'], ['--format', 'dataset'], ['--task', 'find'], ['--class', '3'], ['--task', 'describe', '--class', '1'], ['--task', 'find', '--class', '2', '--source', 'eye-tracking']]) {
      const r = await cli('export-annotations', ...argv);
      expect([r.code, argv]).toEqual([2, argv]);
    }
    const help = await cli('export-annotations', '--help');
    expect(help.out.join('\n')).toMatch(/pixel centres at integers/);
  });
});

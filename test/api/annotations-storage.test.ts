// Annotation storage on SQLite and PostgreSQL: round trips, the "no class" key (stored as -1, so that
// a second DESCRIBE of the same annotator collides: NULLs never do), replayed nonces and duplicate keys
// refused by the unique indexes also under concurrent inserts, and the bulk import: one transaction,
// idempotent, all or nothing.
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { createPrismaClient } from '../../packages/api/src/storage/open.js';
import { StorageError, type NewAnnotation, type Storage } from '../../packages/api/src/storage/types.js';
import { testDatabases } from '../support/databases.js';
import { openTestStorage } from '../support/open-storage.js';

const open = openTestStorage;

function imageFor(bytes: Uint8Array) {
  return { image: { id: createHash('sha256').update(bytes).digest('hex'), width: 800, height: 600, format: 'jpeg', byteLength: bytes.byteLength }, bytes };
}

async function storedImage(storage: Storage): Promise<string> {
  const { image, bytes } = imageFor(randomBytes(64));
  await storage.putImage(image, bytes);
  return image.id;
}

const hash = () => randomBytes(32).toString('hex');
const nonce = () => randomBytes(16).toString('base64url');

function crowd(imageId: string, overrides: Partial<NewAnnotation> = {}): NewAnnotation {
  return {
    imageId, source: 'CROWD', annotator: hash(), task: 'DESCRIBE', classIndex: null, model: null,
    prompt: 'Click where you look to tell what this image shows.', nonce: nonce(),
    points: [{ x: 10.5, y: 20.25, t: 0 }, { x: 799.9, y: 599.5, t: 1234.5 }], durationMs: 1234.5, ...overrides,
  };
}

function tracked(imageId: string, observer: number): NewAnnotation {
  return {
    imageId, source: 'EYE_TRACKING', annotator: `osie:${observer}`, task: 'FREE_VIEWING', classIndex: null, model: null, prompt: null, nonce: null,
    points: [{ x: 100 + observer, y: 200, duration: 250 }], durationMs: null,
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StorageError) return e.code;
    throw e;
  }
  return 'OK';
}

for (const db of testDatabases()) {
  describe.skipIf(db.skipReason !== null)(`annotation storage on ${db.provider}${db.skipReason ? ` (skipped: ${db.skipReason})` : ''}`, () => {
    it('round-trips annotations, stores "no class" as -1, lists oldest first by source, counts', async () => {
      const url = await db.url();
      const storage = await open(url);
      const imageId = await storedImage(storage);
      const a = await storage.addAnnotation(crowd(imageId));
      const b = await storage.addAnnotation(crowd(imageId, { task: 'FIND', classIndex: 281, model: 'squeezenet1.0', prompt: 'Click where you look to find the tabby, tabby cat.' }));
      const [c] = [await storage.addAnnotations([tracked(imageId, 0), tracked(imageId, 1)])];
      expect(c).toEqual({ imagesAdded: 0, added: 2, skipped: 0 });
      expect(a).toMatchObject({ id: expect.any(String), createdAt: expect.any(Date), classIndex: null, source: 'CROWD', points: [{ x: 10.5, y: 20.25, t: 0 }, { x: 799.9, y: 599.5, t: 1234.5 }] });
      expect(b.classIndex).toBe(281);

      const all = await storage.listAnnotations(imageId);
      expect(all.map((r) => r.id).slice(0, 2)).toEqual([a.id, b.id]);
      expect(all).toHaveLength(4);
      expect(all[0]).toEqual(a);
      const eye = await storage.listAnnotations(imageId, { source: 'EYE_TRACKING' });
      expect(eye.map((r) => [r.annotator, r.points, r.nonce, r.classIndex])).toEqual([
        ['osie:0', [{ x: 100, y: 200, duration: 250 }], null, null],
        ['osie:1', [{ x: 101, y: 200, duration: 250 }], null, null],
      ]);
      expect(await storage.listAnnotations(imageId, { source: 'CROWD', limit: 1 })).toEqual([a]);
      expect(await storage.countAnnotations(imageId, 'CROWD')).toBe(2);
      expect(await storage.countAnnotations(imageId, 'EYE_TRACKING')).toBe(2);
      expect(await storage.listAnnotations('0'.repeat(64))).toEqual([]);

      // pages, oldest first, as listAnnotations orders them; the cursor continues after the last item
      // (two of the imported annotations share a createdAt: the id breaks the tie)
      const pages: string[][] = [];
      let after: string | null = null;
      for (;;) {
        const p = await storage.pageAnnotations(imageId, undefined, 3, after);
        expect(p.totalCount).toBe(4);
        pages.push(p.items.map((r) => r.id));
        if (!p.hasNextPage) break;
        after = p.endCursor;
      }
      expect(pages.map((p) => p.length)).toEqual([3, 1]);
      expect(pages.flat()).toEqual(all.map((r) => r.id));
      const eyePage = await storage.pageAnnotations(imageId, 'EYE_TRACKING', 1);
      expect([eyePage.items[0].id, eyePage.hasNextPage, eyePage.totalCount]).toEqual([eye[0].id, true, 2]);
      expect((await storage.pageAnnotations(imageId, 'EYE_TRACKING', 1, eyePage.endCursor)).items.map((r) => r.id)).toEqual([eye[1].id]);
      expect(storage.annotationCursor(eye[0])).toBe(eyePage.endCursor);
      expect(await codeOf(storage.pageAnnotations(imageId, undefined, 2, 'not a cursor!'))).toBe('BAD_CURSOR');

      const { client } = createPrismaClient(url);
      try {
        const rows = await client.annotation.findMany({ where: { imageId }, orderBy: { createdAt: 'asc' } });
        expect(rows.map((r) => r.classIndex).sort()).toEqual([-1, -1, -1, 281].sort());
      } finally {
        await client.$disconnect();
      }
    });

    it('refuses a second annotation of the same annotator, image, task and class (also without a class), and a reused nonce', async () => {
      const storage = await open(await db.url());
      const imageId = await storedImage(storage);
      const first = crowd(imageId);
      await storage.addAnnotation(first);
      // same key, new nonce: DUPLICATE (the -1 key collides where a NULL would not)
      expect(await codeOf(storage.addAnnotation({ ...first, nonce: nonce() }))).toBe('DUPLICATE');
      // same nonce, another annotator: REPLAYED
      expect(await codeOf(storage.addAnnotation({ ...first, annotator: hash() }))).toBe('REPLAYED');
      // the very same submission again (both indexes collide): REPLAYED
      expect(await codeOf(storage.addAnnotation(first))).toBe('REPLAYED');
      // the same annotator on another task or class is fine
      expect(await codeOf(storage.addAnnotation({ ...first, nonce: nonce(), task: 'FIND', classIndex: 3 }))).toBe('OK');
      expect(await codeOf(storage.addAnnotation({ ...first, nonce: nonce(), task: 'FIND', classIndex: 4 }))).toBe('OK');
      expect(await codeOf(storage.addAnnotation({ ...first, nonce: nonce(), task: 'FIND', classIndex: 4 }))).toBe('DUPLICATE');
      expect(await codeOf(storage.addAnnotation(crowd('f'.repeat(64))))).toBe('NOT_FOUND');
      expect(await storage.countAnnotations(imageId, 'CROWD')).toBe(3);
    });

    it('lets exactly one of concurrent duplicates and replays through', async () => {
      const storage = await open(await db.url());
      const imageId = await storedImage(storage);
      const annotator = hash();
      const dupes = await Promise.all(Array.from({ length: 6 }, () => codeOf(storage.addAnnotation(crowd(imageId, { annotator })))));
      expect(dupes.sort()).toEqual(['DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'OK']);
      const shared = nonce();
      const replays = await Promise.all(Array.from({ length: 6 }, () => codeOf(storage.addAnnotation(crowd(imageId, { nonce: shared })))));
      expect(replays.sort()).toEqual(['OK', 'REPLAYED', 'REPLAYED', 'REPLAYED', 'REPLAYED', 'REPLAYED']);
      expect(await storage.countAnnotations(imageId, 'CROWD')).toBe(2);
    });

    it('imports images and annotations in one transaction, idempotently, all or nothing', async () => {
      const url = await db.url();
      const storage = await open(url);
      const images = [imageFor(randomBytes(100)), imageFor(randomBytes(100))];
      const annotations = images.flatMap(({ image }) => [0, 1, 2].map((o) => tracked(image.id, o)));
      expect(await storage.addAnnotations(annotations, images)).toEqual({ imagesAdded: 2, added: 6, skipped: 0 });
      expect(await storage.addAnnotations(annotations, images)).toEqual({ imagesAdded: 0, added: 0, skipped: 6 });
      const more = [...annotations, tracked(images[0].image.id, 3)];
      expect(await storage.addAnnotations(more, images)).toEqual({ imagesAdded: 0, added: 1, skipped: 6 });
      expect(await storage.getImage(images[1].image.id)).toMatchObject({ width: 800, height: 600, format: 'jpeg' });
      expect(Buffer.from((await storage.getImageBytes(images[1].image.id))!)).toEqual(Buffer.from(images[1].bytes));

      // an annotation of an image that is neither stored nor imported fails the whole import: the new
      // image of the same call is not stored either
      const fresh = imageFor(randomBytes(100));
      const bad = [tracked(fresh.image.id, 0), tracked('e'.repeat(64), 0)];
      expect(await codeOf(storage.addAnnotations(bad, [fresh]))).toBe('NOT_FOUND');
      expect(await storage.getImage(fresh.image.id)).toBeNull();
      expect(await storage.countAnnotations(fresh.image.id, 'EYE_TRACKING')).toBe(0);
      // the same key twice in one import is refused before anything is written
      await expect(storage.addAnnotations([tracked(fresh.image.id, 0), tracked(fresh.image.id, 0)], [fresh])).rejects.toThrow(/twice/);
      expect(await storage.getImage(fresh.image.id)).toBeNull();

      // concurrent identical imports converge on one copy
      const other = imageFor(randomBytes(100));
      const batch = [0, 1, 2, 3].map((o) => tracked(other.image.id, o));
      const raced = await Promise.all([1, 2, 3].map(() => storage.addAnnotations(batch, [other])));
      expect(raced.reduce((n, r) => n + r.added, 0)).toBe(4);
      expect(raced.reduce((n, r) => n + r.imagesAdded, 0)).toBe(1);
      expect(await storage.countAnnotations(other.image.id, 'EYE_TRACKING')).toBe(4);
    });

    it('refuses malformed annotations before writing', async () => {
      const storage = await open(await db.url());
      const imageId = await storedImage(storage);
      await expect(storage.addAnnotation(crowd(imageId, { points: [{ x: Number.NaN, y: 1 }] }))).rejects.toThrow(RangeError);
      await expect(storage.addAnnotation(crowd(imageId, { classIndex: -1 }))).rejects.toThrow(RangeError);
      await expect(storage.addAnnotation(crowd(imageId, { source: 'PREDICTED' as 'CROWD' }))).rejects.toThrow(TypeError);
      expect(await storage.countAnnotations(imageId, 'CROWD')).toBe(0);
    });
  });
}

// The Prisma storage layer on SQLite and PostgreSQL: migrations, dedupe under races, bit-exact maps, atomic writes, pagination.
import { describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { migrate } from '../../packages/api/src/storage/migrate.js';
import { defaultMigrationsDir, readMigrations } from '../../packages/api/src/storage/migrations.js';
import { createPrismaClient, openStorage } from '../../packages/api/src/storage/open.js';
import type { StorageClient } from '../../packages/api/src/storage/prisma-storage.js';
import {
  StorageError, type ExplanationRecord, type HeatmapRecord, type NewExplanation, type Storage, type StoredModel,
} from '../../packages/api/src/storage/types.js';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { prisma6Cli, prisma6Schema, readModels } from '../../prisma/lib/schemas.mjs';
import { testDatabases } from '../support/databases.js';
import { openTestStorage } from '../support/open-storage.js';

const root = resolve(__dirname, '../..');
const run = promisify(execFile);

const open = openTestStorage;

/** A second, raw Prisma client on the same database, for looking behind the Storage interface. */
async function withRaw<T>(url: string, fn: (client: StorageClient) => Promise<T>): Promise<T> {
  const { client } = createPrismaClient(url);
  try {
    return await fn(client);
  } finally {
    await client.$disconnect();
  }
}

const model = (id = 'squeezenet1.0', numClasses = 1000): StoredModel => ({ id, task: 'classification', inputWidth: 224, inputHeight: 224, numClasses });

function imageOf(bytes: Uint8Array) {
  return { id: createHash('sha256').update(bytes).digest('hex'), width: 2, height: 3, format: 'png', byteLength: bytes.byteLength };
}

async function storedImage(storage: Storage, size = 64) {
  const bytes = randomBytes(size);
  const image = imageOf(bytes);
  await storage.putImage(image, bytes);
  return image;
}

function heatmap(method: string, width: number, height: number, fill: (i: number) => number): HeatmapRecord {
  return { method, classIndex: 281, label: 'tabby, tabby cat', score: 0.4375, width, height, raw: Float32Array.from({ length: width * height }, (_, i) => fill(i)) };
}

function explanation(imageId: string, overrides: Partial<NewExplanation> = {}): NewExplanation {
  return {
    requestKey: randomBytes(32).toString('hex'),
    imageId,
    model: model(),
    layer: 'fire9/concat',
    target: 'PROBABILITY',
    methods: ['gradcam', 'gradcam++'],
    predictions: [{ classIndex: 281, label: 'tabby, tabby cat', score: 0.4375123456789 }, { classIndex: 285, label: 'Egyptian cat', score: 0.1 }],
    heatmaps: [heatmap('gradcam', 13, 13, (i) => i / 7), heatmap('gradcam++', 13, 13, (i) => Math.sqrt(i))],
    computeMs: 123.456,
    ...overrides,
  };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function expectSameHeatmaps(got: HeatmapRecord[], want: HeatmapRecord[]) {
  expect(got.map(({ raw, ...rest }) => rest)).toEqual(want.map(({ raw, ...rest }) => rest));
  got.forEach((h, i) => expect(bits(h.raw)).toEqual(bits(want[i].raw)));
}

for (const db of testDatabases()) {
  describe.skipIf(db.skipReason !== null)(`storage on ${db.provider}${db.skipReason ? ` (skipped: ${db.skipReason})` : ''}`, () => {
    it('applies the migrations once, records them as Prisma does, and tolerates concurrent runs', async () => {
      const migrations = await readMigrations(defaultMigrationsDir(), db.provider);
      const url = await db.url();
      const first = await migrate(url);
      expect(first).toEqual({ provider: db.provider, applied: migrations.map((m) => m.name), total: migrations.length });
      expect((await migrate(url)).applied).toEqual([]);

      const rows = await withRaw(url, (c) => c.$queryRawUnsafe<Record<string, unknown>[]>(
        'SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM _prisma_migrations ORDER BY started_at',
      ));
      expect(rows).toHaveLength(migrations.length);
      rows.forEach((row, i) => {
        const file = migrations[i];
        expect(row.migration_name).toBe(file.name);
        expect(row.checksum).toBe(file.checksum);
        expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(Number(row.applied_steps_count)).toBe(1);
        expect(row.logs).toBeNull();
        expect(row.rolled_back_at).toBeNull();
        const started = new Date(row.started_at as string | Date).getTime();
        const finished = new Date(row.finished_at as string | Date).getTime();
        expect(Number.isFinite(started) && Number.isFinite(finished) && started <= finished).toBe(true);
      });
      expect(migrations[0].checksum).toBe(createHash('sha256').update(migrations[0].sql).digest('hex'));

      const racedUrl = await db.url();
      const raced = await Promise.all([migrate(racedUrl), migrate(racedUrl), migrate(racedUrl)]);
      expect(raced.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.name).sort());
      const racedRows = await withRaw(racedUrl, (c) => c.$queryRawUnsafe<{ n: unknown }[]>('SELECT COUNT(*) AS n FROM _prisma_migrations'));
      expect(Number(racedRows[0].n)).toBe(migrations.length);
    });

    it.skipIf(db.provider !== 'sqlite')("agrees with Prisma's own migrate deploy and migrate status", async () => {
      const work = mkdtempSync(join(tmpdir(), 'saliency-prisma6-'));
      try {
        const schema = join(work, 'schema.prisma');
        writeFileSync(schema, prisma6Schema('sqlite', readModels()));
        const prisma6 = (url: string, ...args: string[]) => run(process.execPath, [prisma6Cli, 'migrate', ...args, '--config', join(root, 'prisma/prisma6.config.mjs')], {
          cwd: work,
          env: { ...process.env, PRISMA6_PROVIDER: 'sqlite', PRISMA6_SCHEMA: schema, PRISMA6_DATABASE_URL: url, CHECKPOINT_DISABLE: '1' },
        });
        // our runner first, then Prisma finds nothing to do
        const ours = await db.url();
        await migrate(ours);
        expect((await prisma6(ours, 'status')).stdout).toMatch(/Database schema is up to date/);
        expect((await prisma6(ours, 'deploy')).stdout).toMatch(/No pending migrations to apply/);
        // Prisma first, then our runner finds nothing to do
        const theirs = await db.url();
        await prisma6(theirs, 'deploy');
        expect((await migrate(theirs)).applied).toEqual([]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('stores a heatmap\'s caption or faithfulness once per options, keeps the first under a race, and refuses unknown heatmaps', async () => {
      const url = await db.url();
      const storage = await open(url);
      const image = await storedImage(storage);
      const saved = await storage.saveExplanation(explanation(image.id));
      const key = { explanationId: saved.id, position: 1, kind: 'caption' as const, optionsKey: 'a1b2c3d4e5f60718' };
      expect(await storage.getHeatmapResult(key)).toBeNull();
      const value = { text: 'The model sees a tabby cat (44 %).', facts: [{ kind: 'prediction', classIndex: 281, probability: 0.4375123456789, rank: 1 }] };
      const [a, b, c] = await Promise.all([
        storage.saveHeatmapResult({ ...key, value, computeMs: 12.5 }),
        storage.saveHeatmapResult({ ...key, value: { other: true }, computeMs: 99 }),
        storage.saveHeatmapResult({ ...key, value: { other: 2 }, computeMs: 98 }),
      ]);
      // one row; every writer gets that row back
      expect(new Set([a, b, c].map((r) => JSON.stringify(r.value))).size).toBe(1);
      const got = await storage.getHeatmapResult(key);
      expect(got).toMatchObject({ ...key, value: a.value, computeMs: a.computeMs });
      expect(got!.createdAt).toBeInstanceOf(Date);
      // other kinds, options and heatmaps are other rows
      await storage.saveHeatmapResult({ ...key, kind: 'faithfulness', value: { deletion: { auc: 0.125 } }, computeMs: 1 });
      await storage.saveHeatmapResult({ ...key, optionsKey: 'ffffffffffffffff', value: { seed: 1 }, computeMs: 1 });
      expect((await storage.getHeatmapResult({ ...key, kind: 'faithfulness' }))!.value).toEqual({ deletion: { auc: 0.125 } });
      expect(await storage.getHeatmapResult({ ...key, position: 0 })).toBeNull();
      const rows = await withRaw(url, (cl) => cl.heatmapResult.count());
      expect(rows).toBe(3);
      // exact JSON numbers survive
      expect((got!.value as typeof value).facts[0].probability).toBe(0.4375123456789);
      await expect(storage.saveHeatmapResult({ ...key, position: 7, value, computeMs: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await storage.close();
    });

    it('upserts models', async () => {
      const url = await db.url();
      const storage = await open(url);
      await storage.upsertModel(model('resnet18', 1000));
      await storage.upsertModel({ ...model('resnet18', 10), inputWidth: 256 });
      const rows = await withRaw(url, (c) => c.model.findMany());
      expect(rows).toEqual([{ id: 'resnet18', task: 'classification', inputWidth: 256, inputHeight: 224, numClasses: 10 }]);
    });

    it('stores an image once per sha256, also when two uploads race', async () => {
      const url = await db.url();
      const storage = await open(url);
      const pool = randomBytes(1000);
      const bytes = pool.subarray(100, 612); // a view in the middle of a larger buffer
      const image = imageOf(bytes);
      const first = await storage.putImage(image, bytes);
      expect(first).toEqual({ ...image, createdAt: expect.any(Date) });
      const again = await storage.putImage(image, Uint8Array.from(bytes));
      expect(again).toEqual(first);
      expect(await storage.getImage(image.id)).toEqual(first);
      expect(Buffer.from((await storage.getImageBytes(image.id))!)).toEqual(Buffer.from(bytes));
      expect(await storage.getImage('0'.repeat(64))).toBeNull();
      expect(await storage.getImageBytes('0'.repeat(64))).toBeNull();

      const other = randomBytes(2048);
      const raced = await Promise.all([1, 2, 3, 4].map(() => storage.putImage(imageOf(other), other)));
      expect(new Set(raced.map((r) => r.createdAt.getTime())).size).toBe(1);
      expect(await withRaw(url, (c) => c.image.count())).toBe(2);
    });

    it('round-trips an explanation with bit-exact Float32 heatmaps', async () => {
      const storage = await open(await db.url());
      const image = await storedImage(storage);
      const special = [0, -0, 1e-38, 3.4e38, -3.4e38, 1.401298464324817e-45, 1.1754943508222875e-38, 0.1, Math.PI, Number.NaN, Number.POSITIVE_INFINITY, 65504.125];
      const backing = new Float32Array(special.length + 3);
      backing.set(special, 2);
      const heatmaps: HeatmapRecord[] = [
        { method: 'gradcam', classIndex: 281, label: 'tabby, tabby cat', score: 0.4375123456789, width: 4, height: 3, raw: backing.subarray(2, 2 + special.length) },
        heatmap('scorecam', 7, 7, (i) => Math.fround(i * 1e-3)),
        heatmap('eigencam', 1, 1, () => 1e-38),
        heatmap('layercam', 0, 0, () => 0),
      ];
      const input = explanation(image.id, { heatmaps, methods: ['gradcam', 'scorecam', 'eigencam', 'layercam'] });
      const saved = await storage.saveExplanation(input);
      const { model: m, ...rest } = input;
      const expected: Omit<ExplanationRecord, 'heatmaps'> = { ...rest, id: saved.id, modelId: m.id, createdAt: saved.createdAt };
      delete (expected as Partial<ExplanationRecord>).heatmaps;
      for (const got of [saved, await storage.getExplanation(saved.id), await storage.findExplanationByKey(input.requestKey)]) {
        expect(got).not.toBeNull();
        const { heatmaps: gotMaps, ...gotRest } = got!;
        expect(gotRest).toEqual(expected);
        expectSameHeatmaps(gotMaps, heatmaps);
        expect(Object.is(gotMaps[0].raw[1], -0)).toBe(true);
      }
      expect(typeof saved.id).toBe('string');
      expect(saved.createdAt).toBeInstanceOf(Date);
      expect(await storage.getExplanation('nope')).toBeNull();
      expect(await storage.findExplanationByKey('nope')).toBeNull();
      // the query-cost estimate's extent: four maps, the largest grid 7 × 7 (a 4 × 3 one and two smaller)
      expect(await storage.heatmapExtent(saved.id)).toEqual({ count: 4, rawCells: 49 });
      expect(await storage.heatmapExtent('nope')).toEqual({ count: 0, rawCells: 0 });
    });

    it('keeps one explanation per requestKey, also when the same request is saved concurrently', async () => {
      const url = await db.url();
      const storage = await open(url);
      const image = await storedImage(storage);
      const input = explanation(image.id);
      const first = await storage.saveExplanation(input);
      const second = await storage.saveExplanation({ ...input, computeMs: 999, layer: 'other' });
      expect(second.id).toBe(first.id);
      expect(second.layer).toBe('fire9/concat');

      const racedInput = explanation(image.id, { model: model('new-model', 10) });
      const raced = await Promise.all([1, 2, 3, 4].map(() => storage.saveExplanation(racedInput)));
      expect(new Set(raced.map((r) => r.id)).size).toBe(1);
      raced.forEach((r) => expectSameHeatmaps(r.heatmaps, racedInput.heatmaps));
      await withRaw(url, async (c) => {
        expect(await c.explanation.count()).toBe(2);
        expect(await c.heatmap.count()).toBe(4);
        expect(await c.model.count()).toBe(2);
      });

      // different requests that bring the same new model at the same time
      const fresh = await Promise.all([1, 2, 3, 4].map(() => storage.saveExplanation(explanation(image.id, { model: model('fresh-model', 3) }))));
      expect(new Set(fresh.map((r) => r.id)).size).toBe(4);
      expect(await withRaw(url, (c) => c.model.findUnique({ where: { id: 'fresh-model' } }))).toMatchObject({ numClasses: 3 });
    });

    it('keeps one explanation per requestKey when two processes save the same requests', async () => {
      const url = await db.url();
      const storage = await open(url);
      const image = await storedImage(storage);
      const keys = Array.from({ length: 30 }, (_, i) => `${randomBytes(8).toString('hex')}-${i}`);
      const dir = mkdtempSync(join(tmpdir(), 'saliency-child-'));
      const script = join(dir, 'child.mts');
      writeFileSync(script, [
        `import { openStorage } from ${JSON.stringify(join(root, 'packages/api/src/storage/open.js'))};`,
        'const [url, imageId, ...keys] = process.argv.slice(2);',
        'const storage = await openStorage(url);',
        "console.log('ready');",
        "await new Promise((go) => process.stdin.once('data', go));", // start together with the parent
        'const ids = [];',
        "for (const requestKey of keys) ids.push((await storage.saveExplanation({ requestKey, imageId, model: { id: 'm', task: 'classification', inputWidth: 1, inputHeight: 1, numClasses: 2 }, layer: 'l', target: 'LOGIT', methods: [], predictions: [], heatmaps: [], computeMs: 1 })).id);",
        'await storage.close();',
        'console.log(JSON.stringify(ids));',
        'process.exit(0);',
      ].join('\n'));
      try {
        const child = spawn(process.execPath, ['--import', 'tsx', script, url, image.id, ...keys], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        const exited = new Promise<number | null>((done) => child.on('exit', done));
        await new Promise<void>((ready, fail) => {
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.startsWith('ready\n')) ready();
          });
          child.on('exit', (code) => fail(new Error(`child exited (${code}) before it was ready: ${out}`)));
        });
        child.stdin.write('go\n');
        const ours: string[] = [];
        for (const requestKey of keys) ours.push((await storage.saveExplanation(explanation(image.id, { requestKey, model: model('m', 2), heatmaps: [] }))).id);
        expect(await exited).toBe(0);
        expect(JSON.parse(out.slice('ready\n'.length))).toEqual(ours);
        expect(await withRaw(url, (c) => c.explanation.count())).toBe(keys.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it.skipIf(db.provider !== 'sqlite' || !existsSync('/proc/self/fd'))('keeps one SQLite connection across transactions (no file handle per write)', async () => {
      const storage = await open(await db.url());
      const image = await storedImage(storage);
      await storage.saveExplanation(explanation(image.id));
      const before = readdirSync('/proc/self/fd').length;
      for (let i = 0; i < 100; i++) await storage.saveExplanation(explanation(image.id, { heatmaps: [] }));
      expect(readdirSync('/proc/self/fd').length - before).toBeLessThan(10);
    });

    it('writes nothing when any part of the transaction fails', async () => {
      const url = await db.url();
      const storage = await open(url);
      const image = await storedImage(storage);

      // the explanation insert fails (unknown image) after the model upsert in the same transaction
      const missing = explanation('f'.repeat(64), { model: model('rolled-back-1') });
      const error = await storage.saveExplanation(missing).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).code).toBe('NOT_FOUND');

      // the heatmap insert fails (a NOT NULL column given null) after the explanation insert
      const badHeatmap = explanation(image.id, { model: model('rolled-back-2'), heatmaps: [{ ...heatmap('gradcam', 2, 2, () => 1), label: null as unknown as string }] });
      const error2 = await storage.saveExplanation(badHeatmap).catch((e: unknown) => e);
      expect(error2).toBeInstanceOf(StorageError);
      expect((error2 as StorageError).code).toBe('DATABASE');

      await withRaw(url, async (c) => {
        expect(await c.explanation.count()).toBe(0);
        expect(await c.heatmap.count()).toBe(0);
        expect(await c.model.count()).toBe(0);
      });
      expect(await storage.findExplanationByKey(badHeatmap.requestKey)).toBeNull();
      // values the columns cannot hold on every provider are refused before anything is written
      const tooBig = explanation(image.id, { heatmaps: [{ ...heatmap('gradcam', 2, 2, () => 1), classIndex: 2 ** 31 }] });
      await expect(storage.saveExplanation(tooBig)).rejects.toThrow(RangeError);
      await expect(storage.saveExplanation(explanation(image.id, { heatmaps: [heatmap('gradcam', 2, 2, () => 1)].map((h) => ({ ...h, width: 3 })) })))
        .rejects.toThrow(/raw has 4 values, expected width × height = 6/);
      // and the storage still works afterwards
      expect((await storage.saveExplanation(explanation(image.id))).heatmaps).toHaveLength(2);
    });

    it('pages newest first with opaque cursors, stable under equal createdAt, and filters', async () => {
      const url = await db.url();
      const storage = await open(url);
      const [imageA, imageB] = [await storedImage(storage), await storedImage(storage)];
      const saved: ExplanationRecord[] = [];
      for (let i = 0; i < 7; i++) {
        const e = explanation(i % 2 === 0 ? imageA.id : imageB.id, { model: i < 4 ? model('m1') : model('m2') });
        saved.push(await storage.saveExplanation(e));
      }
      const byRecency = [...saved].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

      async function walk(filter: { imageId?: string; modelId?: string }, first: number) {
        const pages = [];
        let after: string | null = null;
        for (;;) {
          const page = await storage.listExplanations(filter, first, after);
          pages.push(page);
          if (page.items.length > 0) expect(page.endCursor).toBe(storage.cursorOf(page.items.at(-1)!));
          if (!page.hasNextPage) return pages;
          after = page.endCursor;
          expect(after).toEqual(expect.any(String));
        }
      }

      const pages = await walk({}, 3);
      expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
      expect(pages.map((p) => p.hasNextPage)).toEqual([true, true, false]);
      expect(pages.map((p) => p.totalCount)).toEqual([7, 7, 7]);
      expect(pages.flatMap((p) => p.items.map((e) => e.id))).toEqual(byRecency.map((e) => e.id));
      expectSameHeatmaps(pages[0].items[0].heatmaps, byRecency[0].heatmaps);

      const afterLast = await storage.listExplanations({}, 3, pages[2].endCursor);
      expect(afterLast).toEqual({ items: [], endCursor: null, hasNextPage: false, totalCount: 7 });
      const none = await storage.listExplanations({}, 0);
      expect(none).toEqual({ items: [], endCursor: null, hasNextPage: true, totalCount: 7 });

      // equal timestamps: the id breaks the tie, pages neither skip nor repeat
      const same = new Date('2024-05-06T07:08:09.123Z');
      await withRaw(url, (c) => c.explanation.updateMany({ data: { createdAt: same } }));
      const tied = await walk({}, 3);
      const tiedIds = tied.flatMap((p) => p.items.map((e) => e.id));
      expect(tiedIds).toEqual(saved.map((e) => e.id).sort().reverse());
      expect(tied.flatMap((p) => p.items).every((e) => e.createdAt.getTime() === same.getTime())).toBe(true);

      const onlyA = await walk({ imageId: imageA.id }, 3);
      expect(onlyA.flatMap((p) => p.items.map((e) => e.id))).toEqual(tiedIds.filter((id) => saved.find((e) => e.id === id)!.imageId === imageA.id));
      expect(onlyA[0].totalCount).toBe(4);
      const onlyM2 = await walk({ modelId: 'm2' }, 2);
      expect(onlyM2.flatMap((p) => p.items.map((e) => e.modelId))).toEqual(['m2', 'm2', 'm2']);
      expect(onlyM2.map((p) => p.totalCount)).toEqual([3, 3]);
      const both = await storage.listExplanations({ imageId: imageB.id, modelId: 'm1' }, 10);
      expect(both.items.map((e) => e.id).sort()).toEqual([saved[1].id, saved[3].id].sort());
      expect(both).toMatchObject({ totalCount: 2, hasNextPage: false });
      expect(await storage.listExplanations({ imageId: 'unknown' }, 5)).toEqual({ items: [], endCursor: null, hasNextPage: false, totalCount: 0 });
    });

    it('rejects malformed cursors with BAD_CURSOR', async () => {
      const storage = await open(await db.url());
      const garbage = ['not a cursor!', '', 'Zm9v', Buffer.from('abc:def').toString('base64url'), Buffer.from('123').toString('base64url'), 'MTIzOmFi=', '%%%'];
      for (const after of garbage) {
        const error = await storage.listExplanations({}, 3, after).catch((e: unknown) => e);
        expect(error, after).toBeInstanceOf(StorageError);
        expect((error as StorageError).code, after).toBe('BAD_CURSOR');
      }
    });

    it('pings, and opens a database whose folder does not exist yet', async () => {
      const url = db.provider === 'sqlite' ? `${(await db.url()).replace(/test\.db$/, '')}a/b/c/saliency.db` : await db.url();
      const storage = await open(url);
      expect(storage.provider).toBe(db.provider);
      await expect(storage.ping()).resolves.toBeUndefined();
    });
  });
}

describe('migrations', () => {
  it('cover every change of prisma/schema.prisma (npm run db:migration -- --check)', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'prisma/migration.mjs'), '--check'], { cwd: root });
    expect(stdout).toMatch(/the migrations cover prisma\/schema.prisma/);
  });
});

describe('openStorage', () => {
  it('refuses URLs of other databases, with a clear message and no password', async () => {
    const error = await openStorage('mysql://root:secret@localhost/db').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/unsupported database URL "mysql:\/\/root:\*\*\*@localhost\/db": use file:<path>/);
  });
});

// Annotations behind two API replicas (two `saliency-explainer serve` processes) on one PostgreSQL
// database, with no SALIENCY_ANNOTATION_SECRET: a ticket issued by one replica is taken by the other
// (the HMAC key is kept in the database), a ticket used on replica A is refused on replica B
// (REPLAYED_SUBMISSION: the Annotation table's unique nonce), and the abuse limits count the requests
// made to both together (the counters live in PostgreSQL): the fourth submission from one address
// within the minute is refused whichever replica gets it, as is the third new annotator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const ready = existsSync(resolve(root, 'packages/api/dist/annotations/limiters.js'));
const postgres = testDatabases().find((d) => d.provider === 'postgresql')!;
const photos = ['cat.jpg', 'dog.jpg', 'horses.jpg'].map((f) => readFileSync(resolve(root, '../shared/data/images', f)));

const START = `mutation($input: StartAnnotationInput!) { startAnnotation(input: $input) { ticket annotatorToken } }`;
const SUBMIT = `mutation($input: SubmitAnnotationInput!) { submitAnnotation(input: $input) { id } }`;

interface Replica { child: ChildProcess; url: string; log: string }

function serve(databaseUrl: string): Promise<Replica> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--database-url', databaseUrl, '--models', 'squeezenet1.0'], {
    cwd: root,
    env: {
      ...process.env, DATABASE_URL: '', SALIENCY_ANNOTATION_SECRET: '', SALIENCY_ANNOTATION_RATE: '3', SALIENCY_ANNOTATION_NEW_ANNOTATORS: '2',
      SALIENCY_ANNOTATION_MIN_FIRST_CLICK_MS: '0', SALIENCY_ANNOTATION_MIN_CLICK_INTERVAL_MS: '0', SALIENCY_WORKERS: '1', SALIENCY_HEAVY_WORKERS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r: Replica = { child, url: '', log: '' };
  return new Promise((ok, fail) => {
    child.stdout!.on('data', (d) => {
      r.log += d;
      const m = /API on (http:\/\/\S+)\/graphql/.exec(r.log);
      if (m && !r.url) ok(Object.assign(r, { url: m[1] }));
    });
    child.stderr!.on('data', (d) => (r.log += d));
    child.on('exit', (code) => fail(new Error(`serve exited ${code}: ${r.log}`)));
  });
}

async function gql(r: Replica, query: string, variables: Record<string, unknown>): Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const res = await fetch(`${r.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return res.json() as Promise<any>;
}

describe.skipIf(!ready || postgres.skipReason !== null)('annotations across two replicas on PostgreSQL', () => {
  let a: Replica;
  let b: Replica;
  const images: string[] = [];

  beforeAll(async () => {
    const url = await postgres.url();
    a = await serve(url);
    b = await serve(url);
    for (const p of photos) images.push((await gql(a, 'mutation($d: String!) { uploadImage(data: $d) { id } }', { d: p.toString('base64') })).data.uploadImage.id);
  }, 180_000);

  afterAll(async () => {
    for (const r of [a, b]) {
      if (r && r.child.exitCode === null) {
        const exited = new Promise((done) => r.child.once('exit', done));
        r.child.kill('SIGTERM');
        await exited;
      }
    }
  });

  it('one ticket key, one replay check and one set of abuse counters for both', async () => {
    const clicks = [{ x: 10, y: 10, t: 0 }, { x: 20, y: 20, t: 1 }];
    const start = (r: Replica, imageId: string, annotatorToken?: string) => gql(r, START, { input: { imageId, ...(annotatorToken ? { annotatorToken } : {}) } });
    const submit = (r: Replica, ticket: string) => gql(r, SUBMIT, { input: { ticket, clicks } });

    // new annotators: one on A, one on B, the third (on A) over the limit of 2 an hour from this address
    const s1 = (await start(a, images[0])).data.startAnnotation;
    const other = await start(b, images[0]);
    expect(other.errors).toBeUndefined();
    const third = await start(a, images[0]);
    expect(third.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(third.errors?.[0].message).toMatch(/SALIENCY_ANNOTATION_NEW_ANNOTATORS/);

    // a ticket from A used on A, then replayed on B: refused as used (not as a forged ticket)
    const first = await submit(a, s1.ticket);
    expect(first.errors).toBeUndefined();
    const replay = await submit(b, s1.ticket);
    expect(replay.errors?.[0].extensions?.code).toBe('REPLAYED_SUBMISSION');

    // a ticket issued by A is taken by B: the replicas sign with the database's key
    const s2 = (await start(a, images[1], s1.annotatorToken)).data.startAnnotation;
    const onB = await submit(b, s2.ticket);
    expect(onB.errors).toBeUndefined();

    // three submissions from this address this minute (the first on A; the replay and s2's on B): the
    // fourth is refused on A, though A itself has seen only one
    const s3 = (await start(b, images[2], s1.annotatorToken)).data.startAnnotation;
    const fourth = await submit(a, s3.ticket);
    expect(fourth.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(fourth.errors?.[0].message).toMatch(/SALIENCY_ANNOTATION_RATE/);
    expect(Number(fourth.errors?.[0].extensions?.retryAfter)).toBeGreaterThan(0);
  }, 120_000);
});

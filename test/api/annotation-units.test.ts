// Units of the annotation service: tickets (sign, verify, tamper, expiry, malformed), annotator tokens,
// the click rules at their boundaries, the settings, the points-file parser of import-fixations, and the
// service on SQLite with a fake clock and fake labels: prompts, budgets, both rate-limit keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnknownModelError } from '@saliency-explainer/core';
import { AnnotationService, DESCRIBE_PROMPT } from '../../packages/api/src/annotations/service.js';
import {
  annotatorHash, isToken, randomToken, signTicket, ticketSecret, TicketError, verifyTicket, type TicketPayload,
} from '../../packages/api/src/annotations/tickets.js';
import { AnnotationError, checkClicks, CLICK_TIME_GRACE_MS, type ClickRules } from '../../packages/api/src/annotations/validate.js';
import { parsePoints } from '../../packages/api/src/cli/points-file.js';
import { CliError } from '../../packages/api/src/errors.js';
import { settingsFromEnv } from '../../packages/api/src/server/settings.js';
import { openStorage } from '../../packages/api/src/storage/open.js';
import type { Storage } from '../../packages/api/src/storage/types.js';

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');
const T0 = Date.UTC(2026, 10, 30, 8, 0, 0);

function payload(overrides: Partial<TicketPayload> = {}): TicketPayload {
  return {
    v: 1, imageId: 'a'.repeat(64), task: 'DESCRIBE', classIndex: null, model: null, prompt: DESCRIBE_PROMPT,
    annotator: 'b'.repeat(64), nonce: randomToken(), issuedAt: T0, expiresAt: T0 + 1_800_000, maxClicks: 50, timeLimit: 120, ...overrides,
  };
}

function ticketCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TicketError) return e.code;
    throw e;
  }
  return 'OK';
}

describe('tickets', () => {
  it('verify returns what sign signed: base64url JSON and an HMAC-SHA256 of it', () => {
    const p = payload({ task: 'FIND', classIndex: 281, model: 'squeezenet1.0', prompt: 'Click where you look to find the tabby, tabby cat.' });
    const t = signTicket(p, SECRET);
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyTicket(t, SECRET, T0 + 1000)).toEqual(p);
    // independently: the body is the JSON, the signature an HMAC over the context line and the body
    const [body, sig] = t.split('.');
    expect(JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))).toEqual(p);
    const mac = createHmac('sha256', SECRET).update('saliency-explainer annotation ticket v1\n').update(body).digest('base64url');
    expect(sig).toBe(mac);
  });

  it('refuses altered, forged and malformed tickets with BAD_TICKET', () => {
    const p = payload();
    const t = signTicket(p, SECRET);
    const [body, sig] = t.split('.');
    // a richer budget under the old signature
    const richer = Buffer.from(JSON.stringify({ ...p, maxClicks: 5000 })).toString('base64url');
    expect(ticketCode(() => verifyTicket(`${richer}.${sig}`, SECRET, T0))).toBe('BAD_TICKET');
    // one flipped signature character, a truncated one, another key
    const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
    expect(ticketCode(() => verifyTicket(`${body}.${flipped}`, SECRET, T0))).toBe('BAD_TICKET');
    expect(ticketCode(() => verifyTicket(`${body}.${sig.slice(0, 20)}`, SECRET, T0))).toBe('BAD_TICKET');
    expect(ticketCode(() => verifyTicket(t, randomBytes(32), T0))).toBe('BAD_TICKET');
    for (const junk of ['', 'x', 'a.b.c', `${body}.`, `.${sig}`, `${body}.${sig}!`, '%%%.%%%', 'a'.repeat(5000)]) {
      expect(ticketCode(() => verifyTicket(junk, SECRET, T0))).toBe('BAD_TICKET');
    }
    // a valid signature over something that is not a ticket is still refused
    const signed = (obj: unknown) => {
      const b = Buffer.from(JSON.stringify(obj)).toString('base64url');
      return `${b}.${createHmac('sha256', SECRET).update('saliency-explainer annotation ticket v1\n').update(b).digest('base64url')}`;
    };
    expect(ticketCode(() => verifyTicket(signed([1, 2]), SECRET, T0))).toBe('BAD_TICKET');
    expect(ticketCode(() => verifyTicket(signed({ ...p, v: 2 }), SECRET, T0))).toBe('BAD_TICKET');
    expect(ticketCode(() => verifyTicket(signed({ ...p, maxClicks: 0 }), SECRET, T0))).toBe('BAD_TICKET');
    expect(ticketCode(() => verifyTicket(signed({ ...p, annotator: 'not a hash' }), SECRET, T0))).toBe('BAD_TICKET');
    expect(ticketCode(() => verifyTicket(signed({ ...p, task: 'FREE_VIEWING' }), SECRET, T0))).toBe('BAD_TICKET');
  });

  it('expires after expiresAt (TICKET_EXPIRED), checked only after the signature', () => {
    const t = signTicket(payload(), SECRET);
    expect(ticketCode(() => verifyTicket(t, SECRET, T0 + 1_800_000))).toBe('OK');
    expect(ticketCode(() => verifyTicket(t, SECRET, T0 + 1_800_001))).toBe('TICKET_EXPIRED');
    expect(ticketCode(() => verifyTicket(t, randomBytes(32), T0 + 1_800_001))).toBe('BAD_TICKET');
  });

  it('annotator tokens: 128 random bits as 22 canonical base64url characters, stored as their sha256', () => {
    const tokens = Array.from({ length: 200 }, randomToken);
    expect(new Set(tokens).size).toBe(200);
    for (const t of tokens) {
      expect(isToken(t)).toBe(true);
      expect(Buffer.from(t, 'base64url')).toHaveLength(16);
    }
    const t = tokens[0];
    expect(annotatorHash(t)).toBe(createHash('sha256').update(t).digest('hex'));
    expect(isToken(t.slice(1))).toBe(false);
    expect(isToken(`${t}A`)).toBe(false);
    expect(isToken(`${t.slice(0, 21)}+`)).toBe(false);
    expect(isToken(`${t.slice(0, 21)}B`)).toBe(false); // non-canonical: the last character's low 4 bits are not 0
    expect(isToken('a'.repeat(22))).toBe(false); // 'a' = 26: low bits set
    expect(isToken(`${'a'.repeat(21)}A`)).toBe(true);
    expect(ticketSecret('x'.repeat(16))).toEqual(Buffer.from('x'.repeat(16)));
    expect(ticketSecret(null)).toHaveLength(32);
  });
});

describe('click rules', () => {
  const rules: ClickRules = { maxClicks: 3, timeLimit: 10, width: 800, height: 600, elapsedMs: 60_000, minFirstClickMs: 0, minClickIntervalMs: 0 };
  const code = (clicks: { x: number; y: number; t: number }[], r: Partial<ClickRules> = {}) => {
    try {
      checkClicks(clicks, { ...rules, ...r });
    } catch (e) {
      if (e instanceof AnnotationError) return e.code;
      throw e;
    }
    return 'OK';
  };
  const at = (x: number, y: number, t = 0) => ({ x, y, t });

  it('counts and bounds', () => {
    expect(code([])).toBe('NO_CLICKS');
    expect(code([at(0, 0), at(799.999, 599.999, 1), at(400, 300, 2)])).toBe('OK');
    expect(code([at(0, 0), at(1, 1), at(2, 2), at(3, 3)])).toBe('TOO_MANY_CLICKS');
    for (const [x, y] of [[-0.001, 0], [0, -0.001], [800, 0], [0, 600], [Number.NaN, 1], [1, Number.POSITIVE_INFINITY]]) {
      expect(code([at(x, y)])).toBe('CLICK_OUT_OF_BOUNDS');
    }
  });

  it('times: not negative, not decreasing, within the limit and the time that passed (each with the grace)', () => {
    expect(code([at(1, 1, 0), at(1, 1, 0), at(1, 1, 5)])).toBe('OK');
    expect(code([at(1, 1, -1)])).toBe('BAD_CLICK_TIMES');
    expect(code([at(1, 1, 5), at(1, 1, 4)])).toBe('BAD_CLICK_TIMES');
    expect(code([at(1, 1, Number.NaN)])).toBe('BAD_CLICK_TIMES');
    expect(code([at(1, 1, 10_000 + CLICK_TIME_GRACE_MS)])).toBe('OK');
    expect(code([at(1, 1, 10_000 + CLICK_TIME_GRACE_MS + 1)])).toBe('BAD_CLICK_TIMES');
    // the client claims 5 s of viewing, but only 1 s passed since the ticket was issued
    expect(code([at(1, 1, 1000 + CLICK_TIME_GRACE_MS)], { elapsedMs: 1000 })).toBe('OK');
    expect(code([at(1, 1, 5000)], { elapsedMs: 1000 })).toBe('BAD_CLICK_TIMES');
  });

  it('humanly impossible timing: a first click too soon, or two clicks too close together (IMPOSSIBLE_TIMING)', () => {
    const human = { minFirstClickMs: 150, minClickIntervalMs: 100 };
    expect(code([at(1, 1, 150), at(2, 2, 250), at(3, 3, 351)], human)).toBe('OK');
    // the fakes: every click at t = 0, or 1 ms apart
    expect(code([at(1, 1, 0), at(2, 2, 0), at(3, 3, 0)], human)).toBe('IMPOSSIBLE_TIMING');
    expect(code([at(1, 1, 500), at(2, 2, 501), at(3, 3, 502)], human)).toBe('IMPOSSIBLE_TIMING');
    expect(code([at(1, 1, 149)], human)).toBe('IMPOSSIBLE_TIMING');
    expect(code([at(1, 1, 150), at(2, 2, 249)], human)).toBe('IMPOSSIBLE_TIMING');
    // the other time rules come first: a decreasing time is BAD_CLICK_TIMES, not impossible
    expect(code([at(1, 1, 500), at(2, 2, 400)], human)).toBe('BAD_CLICK_TIMES');
  });
});

describe('settings', () => {
  it('defaults, and errors for bad values', () => {
    expect(settingsFromEnv({}).annotation).toEqual({
      maxClicks: 50, timeLimitSeconds: 120, ticketTtlSeconds: 1800, submissionsPerMinute: 10, secret: null, humanMapSigma: 0.03, alignmentMaxSide: 400,
      newAnnotatorsPerHour: 20, minFirstClickMs: 150, minClickIntervalMs: 100,
    });
    const s = settingsFromEnv({ SALIENCY_ANNOTATION_RATE: '0', SALIENCY_ANNOTATION_SECRET: 's'.repeat(32), SALIENCY_ALIGNMENT_MAX_SIDE: '256', SALIENCY_HUMAN_MAP_SIGMA: '0.05' }).annotation;
    expect(s).toMatchObject({ submissionsPerMinute: 0, secret: 's'.repeat(32), alignmentMaxSide: 256, humanMapSigma: 0.05 });
    expect(() => settingsFromEnv({ SALIENCY_ANNOTATION_SECRET: 'short' })).toThrow(/at least 16/);
    expect(() => settingsFromEnv({ SALIENCY_ANNOTATION_MAX_CLICKS: '0' })).toThrow(/positive integer/);
    expect(() => settingsFromEnv({ SALIENCY_ANNOTATION_MAX_CLICKS: '2.5' })).toThrow(/positive integer/);
    expect(() => settingsFromEnv({ SALIENCY_ALIGNMENT_MAX_SIDE: 'big' })).toThrow(/non-negative number/);
  });
});

describe('points files', () => {
  const parse = (text: string) => parsePoints(text, 'p', 800, 600);
  const code = (text: string) => {
    try {
      parse(text);
    } catch (e) {
      if (e instanceof CliError) return `${e.exitCode}:${e.code}:${e.message}`;
      throw e;
    }
    return 'OK';
  };

  it('JSON lists, with or without observers, and {fixations}', () => {
    expect(parse('[{"x": 1, "y": 2}, {"x": 3.5, "y": 4, "duration": 250}]')).toEqual([{ observer: '0', points: [{ x: 1, y: 2 }, { x: 3.5, y: 4, duration: 250 }] }]);
    expect(parse('{"fixations": [{"x": 1, "y": 2, "observer": 2}, {"x": 3, "y": 4, "observer": "s1"}, {"x": 5, "y": 6, "observer": 2}]}')).toEqual([
      { observer: '2', points: [{ x: 1, y: 2 }, { x: 5, y: 6 }] },
      { observer: 's1', points: [{ x: 3, y: 4 }] },
    ]);
    expect(parse('[{"x": -0.5, "y": 599.49}]')[0].points).toEqual([{ x: -0.5, y: 599.49 }]);
  });

  it('CSV with a header in any order', () => {
    expect(parse('y,x,duration,observer\r\n2,1,100,a\n\n4,3,,b\n')).toEqual([
      { observer: 'a', points: [{ x: 1, y: 2, duration: 100 }] },
      { observer: 'b', points: [{ x: 3, y: 4 }] },
    ]);
    expect(parse('\uFEFFx,y\n10,20\n')).toEqual([{ observer: '0', points: [{ x: 10, y: 20 }] }]);
  });

  it('bad files name the entry and exit 3', () => {
    expect(code('[{"x": 1}]')).toMatch(/^3:BAD_POINTS:p: point 0: y must be a finite number/);
    expect(code('[{"x": 799.5, "y": 1}]')).toMatch(/^3:BAD_POINTS:p: point 0: .* is not on the 800×600 image/);
    expect(code('{"points": []}')).toMatch(/^3:BAD_POINTS:.*expected an array/);
    expect(code('[]')).toMatch(/^3:BAD_POINTS:.*no points/);
    expect(code('[{"x": 1, "y": 1, "observer": 1}, {"x": 1, "y": 1}]')).toMatch(/^3:BAD_POINTS:p: point 1: either every point names its observer/);
    expect(code('{"fixations": [1]')).toMatch(/^3:BAD_POINTS:p: JSON/);
    expect(code('x,y,z\n1,2,3')).toMatch(/^3:BAD_POINTS:p: line 1: unknown column 'z'/);
    expect(code('x\n1')).toMatch(/must name x and y/);
    expect(code('x,y\n1,2\n3\n')).toMatch(/^3:BAD_POINTS:p: line 3: 1 values for 2 columns/);
    expect(code('x,y\n1,abc\n')).toMatch(/line 2: y must be a finite number/);
    expect(code('x,y,duration\n1,2,-5\n')).toMatch(/duration must be ≥ 0/);
    expect(code('x,y,observer\n1,2,a b\n')).toMatch(/observer must be/);
  });
});

describe('the service (SQLite, fake clock, fake labels)', () => {
  let dir: string;
  let storage: Storage;
  let imageId: string;
  // the service imports core as a package, so the error class comes from there too
  const labels = { defaultId: 'toy', get: async (id: string) => {
    if (id !== 'toy') throw new UnknownModelError(id, ['toy']);
    return { labels: ['cat', 'tiger cat', 'dog'] };
  } };
  const settings = {
    maxClicks: 5, timeLimitSeconds: 30, ticketTtlSeconds: 60, submissionsPerMinute: 2, secret: 'k'.repeat(32), humanMapSigma: 0.03, alignmentMaxSide: 400,
    newAnnotatorsPerHour: 0, minFirstClickMs: 150, minClickIntervalMs: 100,
  };
  const click = (t: number) => ({ x: 10, y: 10, t });
  /** The service's start from one client address. */
  const start = (svc: AnnotationService, input: Parameters<AnnotationService['start']>[0], client = 'address-0') => svc.start(input, client);
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof AnnotationError) return e.code;
      throw e;
    }
    return 'OK';
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'saliency-annot-'));
    storage = await openStorage(`file:${join(dir, 'db.sqlite')}`);
    const bytes = randomBytes(32);
    imageId = createHash('sha256').update(bytes).digest('hex');
    await storage.putImage({ id: imageId, width: 600, height: 400, format: 'png', byteLength: 32 }, bytes);
  });
  afterAll(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sessions: prompts, classes, budgets, bubble geometry, tokens', async () => {
    const svc = new AnnotationService(storage, labels, settings);
    svc.clock = () => T0;
    const d = await start(svc, { imageId });
    expect(d).toMatchObject({ task: 'DESCRIBE', classIndex: null, prompt: DESCRIBE_PROMPT, maxClicks: 5, timeLimitSeconds: 30, bubbleRadius: 32, blurSigma: 40, expiresAt: new Date(T0 + 60_000) });
    expect(isToken(d.annotatorToken)).toBe(true);
    const f = await start(svc, { imageId, task: 'FIND', classIndex: 1, annotatorToken: d.annotatorToken, maxClicks: 2, timeLimitSeconds: 5.5 });
    expect(f).toMatchObject({ prompt: 'Click where you look to find the tiger cat.', classIndex: 1, maxClicks: 2, timeLimitSeconds: 5.5, annotatorToken: d.annotatorToken });
    const p = verifyTicket(f.ticket, Buffer.from(settings.secret), T0);
    expect(p).toMatchObject({ imageId, task: 'FIND', classIndex: 1, model: 'toy', annotator: annotatorHash(d.annotatorToken), maxClicks: 2, timeLimit: 5.5, issuedAt: T0 });
    expect(await code(start(svc, { imageId, task: 'FIND', classIndex: 3 }))).toBe('BAD_CLASS');
    expect(await code(start(svc, { imageId, task: 'FIND' }))).toBe('BAD_REQUEST');
    expect(await code(start(svc, { imageId, task: 'FIND', classIndex: 0, model: 'nope' }))).toBe('UNKNOWN_MODEL');
    expect(await code(start(svc, { imageId, classIndex: 0 }))).toBe('BAD_REQUEST');
    // more than the server allows is capped to its limits; nonsense is refused
    expect(await start(svc, { imageId, maxClicks: 6, timeLimitSeconds: 31 })).toMatchObject({ maxClicks: 5, timeLimitSeconds: 30 });
    expect(await code(start(svc, { imageId, maxClicks: 0 }))).toBe('BAD_REQUEST');
    expect(await code(start(svc, { imageId, maxClicks: 2.5 }))).toBe('BAD_REQUEST');
    expect(await code(start(svc, { imageId, timeLimitSeconds: 0 }))).toBe('BAD_REQUEST');
    expect(await code(start(svc, { imageId, annotatorToken: 'short' }))).toBe('BAD_REQUEST');
    expect(await code(start(svc, { imageId: 'c'.repeat(64) }))).toBe('NOT_FOUND');
  });

  it('the fake clock: a client cannot claim more time than passed; tickets expire', async () => {
    const svc = new AnnotationService(storage, labels, { ...settings, submissionsPerMinute: 0 });
    let now = T0;
    svc.clock = () => now;
    const s = await start(svc, { imageId });
    now = T0 + 3000;
    expect(await code(svc.submit(s.ticket, [click(200), click(6000)], 'c'))).toBe('BAD_CLICK_TIMES');
    now = T0 + 60_001;
    expect(await code(svc.submit(s.ticket, [click(200), click(6000)], 'c'))).toBe('TICKET_EXPIRED');
    now = T0 + 7000;
    expect(await code(svc.submit(s.ticket, [click(200), click(6000)], 'c'))).toBe('OK');
    expect(await code(svc.submit(s.ticket, [click(200), click(6000)], 'c'))).toBe('REPLAYED_SUBMISSION');
  });

  it('rate limits per annotator (across addresses) and per address (across annotators)', async () => {
    const svc = new AnnotationService(storage, labels, settings); // 2 per minute
    svc.clock = () => T0;
    const one = (await start(svc, { imageId })).annotatorToken;
    const tickets = await Promise.all([0, 1, 2].map((c) => start(svc, { imageId, task: 'FIND', classIndex: c, annotatorToken: one })));
    expect(await code(svc.submit(tickets[0].ticket, [click(200)], 'address-1'))).toBe('OK');
    expect(await code(svc.submit(tickets[1].ticket, [click(200)], 'address-2'))).toBe('OK');
    expect(await code(svc.submit(tickets[2].ticket, [click(200)], 'address-3'))).toBe('RATE_LIMITED');
    const others = await Promise.all([0, 1, 2].map(() => start(svc, { imageId, task: 'FIND', classIndex: 2 })));
    expect(await code(svc.submit(others[0].ticket, [click(200)], 'address-9'))).toBe('OK');
    expect(await code(svc.submit(others[1].ticket, [click(200)], 'address-9'))).toBe('OK');
    expect(await code(svc.submit(others[2].ticket, [click(200)], 'address-9'))).toBe('RATE_LIMITED');
  });

  it('new annotators per address per hour: sessions without a token are counted, sessions of a known annotator are not', async () => {
    const svc = new AnnotationService(storage, labels, { ...settings, newAnnotatorsPerHour: 3 });
    svc.clock = () => T0;
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push((await start(svc, { imageId }, 'address-a')).annotatorToken);
    expect(new Set(tokens).size).toBe(3);
    const fourth = await code(start(svc, { imageId }, 'address-a'));
    expect(fourth).toBe('RATE_LIMITED');
    const refused = await start(svc, { imageId }, 'address-a').catch((e: AnnotationError) => e);
    expect((refused as AnnotationError).extra.retryAfter).toBeGreaterThan(0);
    // a known annotator from the same address, and a new one from another address, still start
    expect(await code(start(svc, { imageId, annotatorToken: tokens[0] }, 'address-a'))).toBe('OK');
    expect(await code(start(svc, { imageId }, 'address-b'))).toBe('OK');
    // an invalid request is refused for what it is and does not use up the allowance
    const fresh = new AnnotationService(storage, labels, { ...settings, newAnnotatorsPerHour: 1 });
    expect(await code(start(fresh, { imageId, task: 'FIND', classIndex: 99 }, 'address-c'))).toBe('BAD_CLASS');
    expect(await code(start(fresh, { imageId }, 'address-c'))).toBe('OK');
  });
});

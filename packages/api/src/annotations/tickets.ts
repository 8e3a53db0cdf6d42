// Annotation tickets and annotator tokens. A ticket is what startAnnotation hands out and
// submitAnnotation takes back: the session's terms (image, task, class, click budget, time limit,
// issue and expiry time, a random single-use nonce, the annotator's hash) as base64url JSON, followed by
// an HMAC-SHA256 of that text under the server's secret. The server keeps no session state: a ticket
// it signed is proof of what it offered, a client cannot change a term (more clicks, another image,
// a later expiry, someone else's annotator hash) without breaking the signature, and the nonce lets
// the database refuse a second submission of the same ticket (its unique index).
// Annotator tokens are 128 random bits as 22 base64url characters, kept by the client; the server only
// ever stores their sha256.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The terms of one annotation session. */
export interface TicketPayload {
  /** Format version. */
  v: 1;
  imageId: string;
  task: 'DESCRIBE' | 'FIND';
  classIndex: number | null;
  /** The model whose labels name the class (FIND); null otherwise. */
  model: string | null;
  /** The instruction shown. */
  prompt: string;
  /** sha256 hex of the annotator token. */
  annotator: string;
  /** 128 random bits, base64url: the ticket's single-use id. */
  nonce: string;
  /** ms since the epoch (server clock). */
  issuedAt: number;
  expiresAt: number;
  maxClicks: number;
  /** Seconds from showing the image to the last click. */
  timeLimit: number;
}

/** Why a ticket was refused: BAD_TICKET (malformed, forged, tampered) or TICKET_EXPIRED. */
export class TicketError extends Error {
  constructor(readonly code: 'BAD_TICKET' | 'TICKET_EXPIRED', message: string) {
    super(message);
    this.name = 'TicketError';
  }
}

/** Domain separation: this key signs nothing but tickets of this format. */
const CONTEXT = 'saliency-explainer annotation ticket v1\n';
const B64URL = /^[A-Za-z0-9_-]+$/;
const TOKEN = /^[A-Za-z0-9_-]{22}$/;
const HEX64 = /^[0-9a-f]{64}$/;

function mac(secret: Uint8Array, body: string): Buffer {
  return createHmac('sha256', secret).update(CONTEXT).update(body).digest();
}

/** `body.signature`, both base64url. */
export function signTicket(payload: TicketPayload, secret: Uint8Array): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The payload's shape, checked field by field after the signature (a valid signature over old fields must not crash us). */
function checkPayload(p: unknown): TicketPayload {
  const bad = (what: string) => new TicketError('BAD_TICKET', `the ticket is malformed (${what})`);
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw bad('not an object');
  const t = p as Record<string, unknown>;
  if (t.v !== 1) throw bad('unknown version');
  if (typeof t.imageId !== 'string' || !HEX64.test(t.imageId)) throw bad('imageId');
  if (t.task !== 'DESCRIBE' && t.task !== 'FIND') throw bad('task');
  if (!(t.classIndex === null || isInt(t.classIndex, 0))) throw bad('classIndex');
  if (!(t.model === null || typeof t.model === 'string')) throw bad('model');
  if (typeof t.prompt !== 'string') throw bad('prompt');
  if (typeof t.annotator !== 'string' || !HEX64.test(t.annotator)) throw bad('annotator');
  if (typeof t.nonce !== 'string' || !TOKEN.test(t.nonce)) throw bad('nonce');
  if (!isTime(t.issuedAt) || !isTime(t.expiresAt) || t.expiresAt < t.issuedAt) throw bad('times');
  if (!isInt(t.maxClicks, 1)) throw bad('maxClicks');
  if (!isTime(t.timeLimit)) throw bad('timeLimit');
  return t as unknown as TicketPayload;
}

/**
 * The payload of a ticket this secret signed, refused with BAD_TICKET when it is malformed or its
 * signature does not match (compared in constant time), and TICKET_EXPIRED after `expiresAt`.
 */
export function verifyTicket(ticket: string, secret: Uint8Array, now: number): TicketPayload {
  if (typeof ticket !== 'string' || ticket.length > 4096) throw new TicketError('BAD_TICKET', 'the ticket is malformed');
  const parts = ticket.split('.');
  if (parts.length !== 2 || !B64URL.test(parts[0]) || !B64URL.test(parts[1])) throw new TicketError('BAD_TICKET', 'the ticket is malformed (expected body.signature in base64url)');
  const [body, signature] = parts;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new TicketError('BAD_TICKET', 'the ticket\'s signature does not match (forged, altered, or signed before a server restart without SALIENCY_ANNOTATION_SECRET)');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new TicketError('BAD_TICKET', 'the ticket is malformed (not JSON)');
  }
  const payload = checkPayload(json);
  if (now > payload.expiresAt) {
    throw new TicketError('TICKET_EXPIRED', `the ticket expired at ${new Date(payload.expiresAt).toISOString()} (SALIENCY_ANNOTATION_TICKET_TTL); start a new session`);
  }
  return payload;
}

/** 128 random bits as 22 base64url characters (annotator tokens and ticket nonces). */
export function randomToken(): string {
  return randomBytes(16).toString('base64url');
}

/** Whether `token` is one randomToken could have made: 22 base64url characters, canonical (the last one encodes 2 bits). */
export function isToken(token: string): boolean {
  return TOKEN.test(token) && Buffer.from(token, 'base64url').toString('base64url') === token;
}

/** What is stored for an annotator: the sha256 of the token, lower-case hex. */
export function annotatorHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The HMAC key: the configured secret's bytes, or 32 random bytes for this process. */
export function ticketSecret(configured: string | null): Uint8Array {
  return configured === null ? randomBytes(32) : Buffer.from(configured, 'utf8');
}

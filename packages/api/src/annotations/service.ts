// The annotation service behind startAnnotation and submitAnnotation: hands out signed tickets
// (tickets.ts) for stored images, and turns a ticket plus clicks into one stored CROWD annotation after
// every check (validate.ts), the rate limits (per annotator hash and per client address: in memory, or
// in PostgreSQL shared by replicas; limiters.ts) and the database's unique indexes (replay, duplicate).
// Stateless apart from the rate limiters, the pooled-attention cache and the HMAC key, so replicas
// sharing the key (SALIENCY_ANNOTATION_SECRET, or on PostgreSQL one kept in the database) agree.
// `clock` is the server's time in ms; tests replace it to move time without sleeping.
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { bubbleGeometry, UnknownModelError } from '@saliency-explainer/core';
import type { AnnotationSettings } from '../server/settings.js';
import { StorageError, type AnnotationRecord, type ImageRecord, type NewAnnotation, type Storage } from '../storage/types.js';
import { HumanAttentionPool } from './human-attention.js';
import { Scoring } from './scoring.js';
import { annotatorHash, isToken, randomToken, signTicket, ticketSecret, TicketError, verifyTicket, type TicketPayload } from './tickets.js';
import { AnnotationError, checkClicks, type Click } from './validate.js';
import { memoryAnnotationLimiters, type AnnotationLimiters } from './limiters.js';

export type AnnotationTask = 'DESCRIBE' | 'FIND';

/** What the service needs of the model pool: the served ids and a model's labels. */
export interface LabelSource {
  readonly defaultId: string;
  get(id: string): Promise<{ labels: string[] }>;
}

export interface StartInput {
  imageId: string;
  task?: AnnotationTask | null;
  classIndex?: number | null;
  model?: string | null;
  annotatorToken?: string | null;
  maxClicks?: number | null;
  timeLimitSeconds?: number | null;
}

export interface StartedSession {
  ticket: string;
  annotatorToken: string;
  image: ImageRecord;
  task: AnnotationTask;
  classIndex: number | null;
  prompt: string;
  maxClicks: number;
  timeLimitSeconds: number;
  bubbleRadius: number;
  blurSigma: number;
  expiresAt: Date;
}

export const DESCRIBE_PROMPT = 'Click where you look to tell what this image shows.';
export const findPrompt = (label: string) => `Click where you look to find the ${label}.`;

export class AnnotationService {
  /** The server's time in ms since the epoch. */
  clock: () => number = Date.now;
  readonly human: HumanAttentionPool;
  private readonly secret: Uint8Array;
  private readonly limiter: RateLimiterAbstract | null;
  /** New annotator tokens per client address per hour. */
  private readonly newAnnotators: RateLimiterAbstract | null;

  constructor(
    private readonly storage: Storage,
    private readonly models: LabelSource,
    readonly settings: AnnotationSettings,
    /** Where agreement is computed (default: on this thread). */
    scoring: Scoring = new Scoring({ inline: true }),
    /** The abuse counters (default: this process's memory). */
    limiters: AnnotationLimiters = memoryAnnotationLimiters(settings),
  ) {
    this.secret = ticketSecret(settings.secret);
    this.limiter = limiters.submissions;
    this.newAnnotators = limiters.newAnnotators;
    this.human = new HumanAttentionPool(storage, { sigmaFraction: settings.humanMapSigma, maxSide: settings.alignmentMaxSide }, scoring);
  }

  /**
   * A signed session for one annotation. Without an annotatorToken a new annotator is made, at most
   * SALIENCY_ANNOTATION_NEW_ANNOTATORS per hour from one client address (`client`, never stored): one
   * address cannot invent a crowd.
   */
  async start(input: StartInput, client: string): Promise<StartedSession> {
    const image = await this.storage.getImage(input.imageId);
    if (!image) throw new AnnotationError('NOT_FOUND', `no image ${input.imageId}`);
    const task = input.task ?? 'DESCRIBE';
    const { maxClicks, timeLimit } = this.budget(input);
    let token = input.annotatorToken ?? null;
    if (token !== null && !isToken(token)) throw new AnnotationError('BAD_REQUEST', 'annotatorToken must be a token this server issued (22 base64url characters)');

    let classIndex: number | null = null;
    let model: string | null = null;
    let prompt = DESCRIBE_PROMPT;
    if (task === 'FIND') {
      if (input.classIndex == null) throw new AnnotationError('BAD_REQUEST', 'a FIND task needs classIndex, the class to look for');
      model = input.model ?? this.models.defaultId;
      const labels = await this.labels(model);
      if (!Number.isInteger(input.classIndex) || input.classIndex < 0 || input.classIndex >= labels.length) {
        throw new AnnotationError('BAD_CLASS', `class ${input.classIndex} is not in 0..${labels.length - 1} of model ${model}`);
      }
      classIndex = input.classIndex;
      prompt = findPrompt(labels[classIndex]);
    } else if (input.classIndex != null) {
      throw new AnnotationError('BAD_REQUEST', 'classIndex is only for the FIND task');
    }
    // a new annotator is counted only once the request is otherwise valid
    if (token === null) {
      await this.consumeFrom(this.newAnnotators, `new:${client}`, `more than ${this.settings.newAnnotatorsPerHour} new annotators per hour from ${client} (SALIENCY_ANNOTATION_NEW_ANNOTATORS); send the annotatorToken of an earlier session`);
      token = randomToken();
    }

    const issuedAt = this.clock();
    const expiresAt = issuedAt + this.settings.ticketTtlSeconds * 1000;
    const payload: TicketPayload = {
      v: 1, imageId: image.id, task, classIndex, model, prompt, annotator: annotatorHash(token), nonce: randomToken(),
      issuedAt, expiresAt, maxClicks, timeLimit,
    };
    const bubble = bubbleGeometry(image.width, image.height);
    return {
      ticket: signTicket(payload, this.secret), annotatorToken: token, image, task, classIndex, prompt, maxClicks,
      timeLimitSeconds: timeLimit, bubbleRadius: bubble.radius, blurSigma: bubble.blurSigma, expiresAt: new Date(expiresAt),
    };
  }

  /** The instruction of a task: DESCRIBE_PROMPT, or findPrompt of the class's label (UNKNOWN_MODEL, BAD_CLASS). */
  async promptFor(task: AnnotationTask, classIndex: number | null, model: string | null): Promise<string> {
    if (task === 'DESCRIBE') return DESCRIBE_PROMPT;
    const labels = await this.labels(model ?? this.models.defaultId);
    if (classIndex === null || !Number.isInteger(classIndex) || classIndex < 0 || classIndex >= labels.length) {
      throw new AnnotationError('BAD_CLASS', `class ${classIndex} is not in 0..${labels.length - 1} of model ${model ?? this.models.defaultId}`);
    }
    return findPrompt(labels[classIndex]);
  }

  /**
   * A signed ticket under terms the server fixed (campaigns): the annotator is given by its hash, the
   * budget is not capped by the settings (the campaign's were checked against them when it was made).
   */
  issue(image: ImageRecord, terms: { task: AnnotationTask; classIndex: number | null; model: string | null; prompt: string; annotator: string; maxClicks: number; timeLimit: number; blurFraction?: number | null }): Omit<StartedSession, 'annotatorToken'> {
    const issuedAt = this.clock();
    const expiresAt = issuedAt + this.settings.ticketTtlSeconds * 1000;
    const payload: TicketPayload = {
      v: 1, imageId: image.id, task: terms.task, classIndex: terms.classIndex, model: terms.model, prompt: terms.prompt, annotator: terms.annotator,
      nonce: randomToken(), issuedAt, expiresAt, maxClicks: terms.maxClicks, timeLimit: terms.timeLimit,
    };
    const bubble = bubbleGeometry(image.width, image.height);
    const blurSigma = terms.blurFraction == null ? bubble.blurSigma : terms.blurFraction * Math.max(image.width, image.height);
    return {
      ticket: signTicket(payload, this.secret), image, task: terms.task, classIndex: terms.classIndex, prompt: terms.prompt, maxClicks: terms.maxClicks,
      timeLimitSeconds: terms.timeLimit, bubbleRadius: bubble.radius, blurSigma, expiresAt: new Date(expiresAt),
    };
  }

  /** Store the clicks of a session; `client` is the caller's address (rate limit only, never stored). */
  async submit(ticket: string, clicks: readonly Click[], client: string): Promise<AnnotationRecord> {
    const { annotation, ticket: t } = await this.accept(ticket, clicks, client);
    try {
      return await this.storage.addAnnotation(annotation);
    } catch (e) {
      throw this.refusal(e, t);
    }
  }

  /** A storage error of an annotation's INSERT as the API's refusal (REPLAYED_SUBMISSION, DUPLICATE_SUBMISSION); others as they are. */
  refusal(e: unknown, t: TicketPayload): unknown {
    if (e instanceof StorageError && e.code === 'REPLAYED') return new AnnotationError('REPLAYED_SUBMISSION', 'this ticket was used already; start a new session');
    if (e instanceof StorageError && e.code === 'DUPLICATE') {
      return new AnnotationError('DUPLICATE_SUBMISSION', `this annotator has already annotated this image for ${t.task}${t.classIndex === null ? '' : ` class ${t.classIndex}`}`);
    }
    return e;
  }

  /**
   * Every check of a submission short of the INSERT (rate limits, ticket, clicks): the annotation to
   * store and the ticket's terms. `extra` adds a caller's own rules on the clicks (campaigns).
   */
  async accept(ticket: string, clicks: readonly Click[], client: string, extra?: (t: TicketPayload) => void): Promise<{ annotation: NewAnnotation; ticket: TicketPayload }> {
    await this.consume(`address:${client}`, `from ${client}`);
    let t: TicketPayload;
    try {
      t = verifyTicket(ticket, this.secret, this.clock());
    } catch (e) {
      if (e instanceof TicketError) throw new AnnotationError(e.code, e.message);
      throw e;
    }
    await this.consume(`annotator:${t.annotator}`, 'by this annotator');
    const image = await this.storage.getImage(t.imageId);
    if (!image) throw new AnnotationError('NOT_FOUND', `no image ${t.imageId}`);
    checkClicks(clicks, {
      maxClicks: t.maxClicks, timeLimit: t.timeLimit, width: image.width, height: image.height, elapsedMs: this.clock() - t.issuedAt,
      minFirstClickMs: this.settings.minFirstClickMs, minClickIntervalMs: this.settings.minClickIntervalMs,
    });
    extra?.(t);
    return {
      ticket: t,
      annotation: {
        imageId: t.imageId, source: 'CROWD', annotator: t.annotator, task: t.task, classIndex: t.classIndex, model: t.model,
        prompt: t.prompt, nonce: t.nonce, points: clicks.map((c) => ({ x: c.x, y: c.y, t: c.t })), durationMs: clicks[clicks.length - 1].t,
      },
    };
  }

  /** The session's click budget and time limit: the settings, or less when the client asks for less. */
  private budget(input: StartInput): { maxClicks: number; timeLimit: number } {
    // a client may ask for less than the server allows; more is capped to the server's limit
    const { maxClicks, timeLimitSeconds } = this.settings;
    const clicks = input.maxClicks ?? maxClicks;
    if (!Number.isInteger(clicks) || clicks < 1) {
      throw new AnnotationError('BAD_REQUEST', `maxClicks must be a positive integer (at most ${maxClicks}, SALIENCY_ANNOTATION_MAX_CLICKS), not ${clicks}`);
    }
    const seconds = input.timeLimitSeconds ?? timeLimitSeconds;
    if (!(Number.isFinite(seconds) && seconds > 0)) {
      throw new AnnotationError('BAD_REQUEST', `timeLimitSeconds must be positive (at most ${timeLimitSeconds}, SALIENCY_ANNOTATION_TIME_LIMIT), not ${seconds}`);
    }
    return { maxClicks: Math.min(clicks, maxClicks), timeLimit: Math.min(seconds, timeLimitSeconds) };
  }


  private async labels(model: string): Promise<string[]> {
    try {
      return (await this.models.get(model)).labels;
    } catch (e) {
      if (e instanceof UnknownModelError) throw new AnnotationError('UNKNOWN_MODEL', e.message);
      throw new AnnotationError('MODEL_UNAVAILABLE', `model '${model}' cannot be loaded: ${(e as Error).message}`);
    }
  }

  private consume(key: string, who: string): Promise<void> {
    return this.consumeFrom(this.limiter, key, `more than ${this.settings.submissionsPerMinute} annotations per minute ${who} (SALIENCY_ANNOTATION_RATE)`);
  }

  private async consumeFrom(limiter: RateLimiterAbstract | null, key: string, why: string): Promise<void> {
    if (!limiter) return;
    try {
      await limiter.consume(key);
    } catch (r) {
      if (!(r instanceof RateLimiterRes)) throw r;
      const wait = Math.max(1, Math.ceil(r.msBeforeNext / 1000));
      throw new AnnotationError('RATE_LIMITED', `${why}; retry in ${wait} s`, { retryAfter: wait });
    }
  }
}

// Campaigns: the organiser's operations behind the admin key (create, close, the full view, review) and
// the participant's (start a session, the next image, submit its clicks). Tickets, click checks and
// rate limits are the annotation service's; the campaign adds its terms (minimum clicks, refractory
// period), the assignment (store.ts: claims and acceptance in transactions) and the quality rules.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Fixation } from '@saliency-explainer/core';
import type { AnnotationService, StartedSession } from '../annotations/service.js';
import { annotatorHash, isToken, randomToken } from '../annotations/tickets.js';
import { AnnotationError, type Click } from '../annotations/validate.js';
import type { PrismaStorage } from '../storage/prisma-storage.js';
import { StorageError, type AnnotationRecord, type ImageRecord, type Storage } from '../storage/types.js';
import { crowdPoints, meanCurve, type CurvePoint, type Exclusion, type Frame } from './quality.js';
import { QualityRunner } from './quality-runner.js';
import {
  CampaignStore, type AssignmentPolicy, type CampaignImageRecord, type CampaignImageSpec, type CampaignRecord, type CampaignTask, type CampaignTerms, type ExclusionRecord, type SessionRecord,
} from './store.js';

export interface NewCampaignInput {
  name: string;
  images: { imageId: string; task?: CampaignTask | null; classIndex?: number | null; model?: string | null }[];
  goldImageIds?: string[] | null;
  perImage: number;
  perSession: number;
  maxClicks?: number | null;
  timeLimitSeconds?: number | null;
  minClicks?: number | null;
  refractoryMs?: number | null;
  blurFraction?: number | null;
  completionCode?: string | null;
  redirectUrl?: string | null;
  /** BALANCED (default) or ADAPTIVE: the least stable pooled maps first. */
  assignment?: AssignmentPolicy | null;
}

/** What a participant gets next: an image with its ticket, or the end (with the completion code). */
export interface NextStep {
  session: SessionRecord;
  campaign: CampaignRecord;
  /** Accepted images of this session, and how many it has in all. */
  done: number;
  total: number;
  annotation: Omit<StartedSession, 'annotatorToken'> | null;
  finished: boolean;
  /** No image has a free slot (every image has its quota or is in flight). */
  noneLeft: boolean;
}

/** What Campaign is resolved from. */
export type CampaignParent = CampaignRecord;

/** What CampaignStep is resolved from. */
export interface StepParent extends NextStep {
  sessionToken: string;
  submitted?: AnnotationRecord | null;
}

export interface ImageProgress {
  image: CampaignImageRecord;
  /** Accepted annotations by participants not excluded. */
  kept: number;
  inFlight: number;
}

export class CampaignService {
  readonly store: CampaignStore;
  /** The server's time in ms (tests move it). */
  clock: () => number = () => this.annotations.clock();

  constructor(
    private readonly storage: Storage,
    private readonly annotations: AnnotationService,
    /** SALIENCY_ADMIN_KEY; null: organiser operations are refused (never open). */
    private readonly adminKey: string | null,
    readonly frame: Frame,
    /** Where the review and the reliability curve are computed (the server: a worker thread; default: inline). */
    readonly quality: QualityRunner = new QualityRunner({ inline: true }),
  ) {
    this.store = new CampaignStore((storage as PrismaStorage).client);
  }

  /**
   * Throws unless `authorization` is `Bearer <the admin key>`: ADMIN_DISABLED when no key is configured,
   * UNAUTHENTICATED when none or another is sent (compared in constant time, as hashes).
   */
  authorize(authorization: string | undefined): void {
    if (this.adminKey === null) throw new AnnotationError('ADMIN_DISABLED', 'campaign administration is off: the server has no SALIENCY_ADMIN_KEY');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) throw new AnnotationError('UNAUTHENTICATED', 'campaign administration needs the header Authorization: Bearer <SALIENCY_ADMIN_KEY>');
    const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
    if (!timingSafeEqual(h(m[1]), h(this.adminKey))) throw new AnnotationError('UNAUTHENTICATED', 'the admin key is wrong');
  }

  async create(input: NewCampaignInput): Promise<CampaignRecord> {
    const s = this.annotations.settings;
    const bad = (m: string) => new AnnotationError('BAD_REQUEST', m);
    const int = (v: number, what: string, min: number, max = 2 ** 31 - 1) => {
      if (!Number.isInteger(v) || v < min || v > max) throw bad(`${what} must be an integer in ${min}..${max}, not ${v}`);
      return v;
    };
    if (!input.name.trim()) throw bad('a campaign needs a name');
    const maxClicks = int(input.maxClicks ?? Math.min(20, s.maxClicks), 'maxClicks', 1, s.maxClicks);
    const minClicks = int(input.minClicks ?? 1, 'minClicks', 1, maxClicks);
    const timeLimitSeconds = input.timeLimitSeconds ?? Math.min(30, s.timeLimitSeconds);
    if (!(timeLimitSeconds > 0 && timeLimitSeconds <= s.timeLimitSeconds)) throw bad(`timeLimitSeconds must be in (0, ${s.timeLimitSeconds}] (SALIENCY_ANNOTATION_TIME_LIMIT)`);
    const refractoryMs = int(input.refractoryMs ?? Math.max(300, s.minClickIntervalMs), 'refractoryMs', s.minClickIntervalMs, 60_000);
    if (input.blurFraction != null && !(input.blurFraction > 0 && input.blurFraction <= 0.5)) throw bad('blurFraction must be in (0, 0.5] (of the image\'s longer side)');
    if (input.redirectUrl != null && !/^https:\/\/\S+$/.test(input.redirectUrl)) throw bad('redirectUrl must be an https:// URL');
    const gold = new Set(input.goldImageIds ?? []);
    const seen = new Set<string>();
    const specs: CampaignImageSpec[] = [];
    const all = [...input.images.map((i) => ({ ...i, gold: false })), ...[...gold].map((imageId) => ({ imageId, task: 'DESCRIBE' as const, classIndex: null, model: null, gold: true }))];
    for (const im of all) {
      if (seen.has(im.imageId)) throw bad(`image ${im.imageId} is in the campaign twice (a gold image is not one of its images)`);
      seen.add(im.imageId);
      if (!(await this.storage.getImage(im.imageId))) throw new AnnotationError('NOT_FOUND', `no image ${im.imageId}`);
      const task = im.task ?? 'DESCRIBE';
      if (task === 'FIND') await this.annotations.promptFor('FIND', im.classIndex ?? null, im.model ?? null);
      else if (im.classIndex != null) throw bad('classIndex is only for the FIND task');
      specs.push({ imageId: im.imageId, task, classIndex: task === 'FIND' ? im.classIndex! : null, model: task === 'FIND' ? (im.model ?? null) : null, gold: im.gold });
    }
    const regular = specs.filter((i) => !i.gold).length;
    if (regular === 0) throw bad('a campaign needs at least one image');
    const perSession = int(input.perSession, 'perSession', 1, regular);
    const terms: CampaignTerms = {
      name: input.name.trim(), perImage: int(input.perImage, 'perImage', 1), perSession, maxClicks, timeLimitSeconds, minClicks, refractoryMs,
      blurFraction: input.blurFraction ?? null, completionCode: input.completionCode ?? null, redirectUrl: input.redirectUrl ?? null,
      assignment: input.assignment ?? 'BALANCED',
    };
    if (terms.assignment !== 'BALANCED' && terms.assignment !== 'ADAPTIVE') throw bad(`assignment must be BALANCED or ADAPTIVE, not ${String(terms.assignment)}`);
    return this.store.create(terms, specs);
  }

  async close(id: string): Promise<CampaignRecord> {
    const c = await this.store.setOpen(id, false);
    if (!c) throw new AnnotationError('NOT_FOUND', `no campaign ${id}`);
    return c;
  }

  async get(id: string): Promise<CampaignRecord> {
    const c = await this.store.get(id);
    if (!c) throw new AnnotationError('NOT_FOUND', `no campaign ${id}`);
    return c;
  }

  /**
   * A participant's session: a new one (a fresh anonymous annotator), or, when the link carries a
   * platform's participant id, that participant's one session of the campaign (so nobody sees an
   * image twice). The token is the participant's key to the session; only its sha256 is stored.
   */
  async startSession(campaignId: string, participantId: string | null): Promise<{ sessionToken: string; step: NextStep }> {
    const campaign = await this.get(campaignId);
    if (!campaign.open) throw new AnnotationError('CAMPAIGN_CLOSED', `campaign ${campaignId} is closed`);
    if (participantId !== null && (participantId.length === 0 || participantId.length > 200)) throw new AnnotationError('BAD_REQUEST', 'participantId must have 1..200 characters');
    const token = randomToken();
    const participant = participantId === null ? null : createHash('sha256').update(`${campaignId}\n${participantId}`).digest('hex');
    const { session, resumed } = await this.store.startSession(campaignId, annotatorHash(token), participant);
    // a resumed session keeps its annotator: its token is derived from nothing the client has, so a
    // resumed session is driven by the participant id and a fresh token mapped to the same session
    const sessionToken = resumed ? await this.rekey(session, token) : token;
    return { sessionToken, step: await this.nextFor(campaign, resumed ? { ...session, annotator: annotatorHash(sessionToken) } : session) };
  }

  /** A resumed session gets the new token (its annotator hash changes only while it has no annotation). */
  private async rekey(session: SessionRecord, token: string): Promise<string> {
    const accepted = (await this.store.assignments({ sessionId: session.id })).some((a) => a.status === 'ACCEPTED');
    if (accepted) throw new AnnotationError('BAD_SESSION', 'this participant has a session with annotations already; continue it with its session token');
    const { client } = this.storage as PrismaStorage;
    await client.campaignSession.update({ where: { id: session.id }, data: { annotator: annotatorHash(token) } });
    return token;
  }

  private async sessionOf(sessionToken: string): Promise<{ session: SessionRecord; campaign: CampaignRecord }> {
    if (!isToken(sessionToken)) throw new AnnotationError('BAD_SESSION', 'sessionToken must be a token this server issued');
    const session = await this.store.sessionByAnnotator(annotatorHash(sessionToken));
    if (!session) throw new AnnotationError('BAD_SESSION', 'no campaign session with this token');
    return { session, campaign: await this.get(session.campaignId) };
  }

  /** The session's current image (again, with a new ticket) or its next one, or the end. */
  async next(sessionToken: string): Promise<NextStep> {
    const { session, campaign } = await this.sessionOf(sessionToken);
    return this.nextFor(campaign, session);
  }

  private async nextFor(campaign: CampaignRecord, session: SessionRecord): Promise<NextStep> {
    const gold = (await this.store.images(campaign.id)).filter((i) => i.gold).length;
    const total = campaign.perSession + gold;
    const accepted = async () => (await this.store.assignments({ sessionId: session.id })).filter((a) => a.status === 'ACCEPTED').length;
    const base = { session, campaign, total };
    if (session.finishedAt) return { ...base, done: await accepted(), annotation: null, finished: true, noneLeft: false };
    if (!campaign.open) throw new AnnotationError('CAMPAIGN_CLOSED', `campaign ${campaign.id} is closed`);
    const now = this.clock();
    await this.store.releaseExpired(campaign.id, new Date(now));
    const expiresAt = new Date(now + this.annotations.settings.ticketTtlSeconds * 1000);
    const claim = await this.store.claim(campaign, session.id, expiresAt);
    const done = await accepted();
    if (claim.kind !== 'assigned') return { ...base, done, annotation: null, finished: claim.kind === 'finished', noneLeft: claim.kind === 'none-left' };
    const image = (await this.storage.getImage(claim.image.imageId))!;
    const prompt = await this.annotations.promptFor(claim.image.task, claim.image.classIndex, claim.image.model);
    const annotation = this.annotations.issue(image, {
      task: claim.image.task, classIndex: claim.image.classIndex, model: claim.image.model, prompt, annotator: session.annotator,
      maxClicks: campaign.maxClicks, timeLimit: campaign.timeLimitSeconds, blurFraction: campaign.blurFraction,
    });
    return { ...base, done, annotation, finished: false, noneLeft: false };
  }

  /** Stores the clicks of the session's current image (every check of submitAnnotation, plus the campaign's terms). */
  async submit(sessionToken: string, ticket: string, clicks: readonly Click[], client: string): Promise<{ annotation: AnnotationRecord; step: NextStep }> {
    const { session, campaign } = await this.sessionOf(sessionToken);
    const { annotation, ticket: t } = await this.annotations.accept(ticket, clicks, client, (t) => {
      if (t.annotator !== session.annotator) throw new AnnotationError('NOT_ASSIGNED', 'this ticket belongs to another session');
      if (clicks.length < campaign.minClicks) throw new AnnotationError('TOO_FEW_CLICKS', `${clicks.length} clicks; this campaign asks for at least ${campaign.minClicks}`);
      for (let i = 1; i < clicks.length; i++) {
        if (clicks[i].t - clicks[i - 1].t < campaign.refractoryMs) {
          throw new AnnotationError('BAD_CLICK_TIMES', `clicks ${i - 1} and ${i} are ${clicks[i].t - clicks[i - 1].t} ms apart; this campaign waits ${campaign.refractoryMs} ms between clicks`, { click: i });
        }
      }
    });
    let stored: AnnotationRecord;
    try {
      stored = (await this.store.accept(session.id, annotation)).annotation;
    } catch (e) {
      if (e instanceof StorageError && e.code === 'NOT_FOUND') throw new AnnotationError('NOT_ASSIGNED', e.message);
      throw this.annotations.refusal(e, t);
    }
    // ADAPTIVE: the image's stability with this annotation in, before the next claim reads it
    if (campaign.assignment === 'ADAPTIVE') await this.refreshStability(campaign.id, [stored.imageId]);
    const fresh = (await this.store.sessionByAnnotator(session.annotator))!;
    return { annotation: stored, step: campaign.open || fresh.finishedAt ? await this.nextFor(campaign, fresh) : { session: fresh, campaign, done: 0, total: 0, annotation: null, finished: false, noneLeft: false } };
  }

  /** Recomputes every participant's exclusions from the accepted annotations and stores them (with reasons). */
  async review(campaignId: string): Promise<ExclusionRecord[]> {
    await this.get(campaignId);
    const people = await this.store.acceptedAnnotations(campaignId);
    const images = await this.imagesOf([...new Set(people.map((p) => p.annotation.imageId))]);
    const goldIds = [...new Set(people.filter((p) => p.gold).map((p) => p.annotation.imageId))];
    const eye = new Map<string, Fixation[][]>();
    for (const id of goldIds) eye.set(id, await this.eyeTracking(id));
    const found: Exclusion[] = await this.quality.review(people, images, eye, this.frame);
    await this.store.replaceExclusions(campaignId, found);
    // the kept participants changed: so did the stabilities the ADAPTIVE order reads
    const campaign = await this.get(campaignId);
    if (campaign.assignment === 'ADAPTIVE') await this.refreshStability(campaignId, (await this.store.images(campaignId)).filter((i) => !i.gold).map((i) => i.imageId));
    return this.store.exclusions(campaignId);
  }

  /**
   * ADAPTIVE assignment: recomputes and stores the stability of `imageIds` (the split-half CC of each
   * one's pooled map of kept participants, in the quality worker), with the accepted count it saw.
   */
  async refreshStability(campaignId: string, imageIds: readonly string[]): Promise<void> {
    const [images, pooled] = await Promise.all([this.store.images(campaignId), this.pooled(campaignId)]);
    for (const imageId of imageIds) {
      const row = images.find((i) => i.imageId === imageId);
      if (!row || row.gold) continue;
      const image = (await this.storage.getImage(imageId))!;
      const people = pooled.get(imageId) ?? [];
      const stability = people.length >= 2 ? await this.quality.stability(image, people, this.frame) : null;
      await this.store.setStability(campaignId, imageId, stability, row.accepted);
    }
  }

  private async imagesOf(ids: string[]): Promise<Map<string, ImageRecord>> {
    const out = new Map<string, ImageRecord>();
    for (const id of ids) out.set(id, (await this.storage.getImage(id))!);
    return out;
  }

  private async eyeTracking(imageId: string): Promise<Fixation[][]> {
    return (await this.storage.listAnnotations(imageId, { source: 'EYE_TRACKING' })).map(crowdPoints);
  }

  /** Per image: accepted, kept (participants not excluded), in flight. */
  async progress(campaignId: string): Promise<ImageProgress[]> {
    const [images, people, exclusions] = await Promise.all([this.store.images(campaignId), this.store.acceptedAnnotations(campaignId), this.store.exclusions(campaignId)]);
    const out = new Set(exclusions.map((e) => e.sessionId));
    return images.map((image) => ({
      image,
      kept: people.filter((p) => p.annotation.imageId === image.imageId && !out.has(p.sessionId)).length,
      inFlight: image.taken - image.accepted,
    }));
  }

  /** The pooled annotations of the campaign, participants excluded left out: one list of points per person, by image. */
  async pooled(campaignId: string): Promise<Map<string, Fixation[][]>> {
    const [people, exclusions] = await Promise.all([this.store.acceptedAnnotations(campaignId), this.store.exclusions(campaignId)]);
    const out = new Set(exclusions.map((e) => e.sessionId));
    const byImage = new Map<string, Fixation[][]>();
    for (const p of people) {
      if (out.has(p.sessionId) || p.gold) continue;
      byImage.set(p.annotation.imageId, [...(byImage.get(p.annotation.imageId) ?? []), crowdPoints(p.annotation)]);
    }
    return byImage;
  }

  /** The reliability curve per image and overall (participants not excluded). */
  async reliability(campaignId: string, imageId?: string | null): Promise<CurvePoint[]> {
    const pooled = await this.pooled(campaignId);
    const ids = imageId ? [imageId] : [...pooled.keys()];
    const curves: CurvePoint[][] = [];
    for (const id of ids) {
      const people = pooled.get(id);
      if (!people || people.length < 2) continue;
      const image = (await this.storage.getImage(id))!;
      const eye = await this.eyeTracking(id);
      curves.push(await this.quality.reliability(image, people, this.frame, eye.length ? eye : null));
    }
    return meanCurve(curves);
  }
}

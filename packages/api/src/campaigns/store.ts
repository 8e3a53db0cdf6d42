// Campaign rows on the Prisma client of the storage (SQLite or PostgreSQL): campaigns, their images and
// counters, participant sessions, assignments and exclusions. The two operations that must hold under
// concurrency are each one transaction whose decisive statements are conditional writes:
//  * claim: `UPDATE CampaignImage SET taken = taken + 1 WHERE … AND taken < perImage` (updateMany; a
//    row count of 0 means another session took the last slot: try the next image). On PostgreSQL the
//    second of two concurrent UPDATEs waits for the first's row lock and re-reads the row; SQLite has one
//    writer at a time. So `taken` (accepted + in flight) never passes the quota on either.
//  * accept: the annotation INSERT (its unique indexes refuse replays and duplicates), the assignment
//    ASSIGNED → ACCEPTED (conditional on its status) and `accepted + 1` commit together or not at all.
import { randomBytes } from 'node:crypto';
import type { StorageClient } from '../storage/prisma-storage.js';
import { annotationData, toAnnotation, violatedUnique } from '../storage/annotation-rows.js';
import { StorageError, type AnnotationRecord, type NewAnnotation } from '../storage/types.js';

export type CampaignTask = 'DESCRIBE' | 'FIND';
export type AssignmentStatus = 'ASSIGNED' | 'ACCEPTED' | 'EXPIRED';
export type ExclusionRule = 'ONE_SPOT' | 'TIMING' | 'FAILED_GOLD' | 'LOW_AGREEMENT';
/** BALANCED: fewest claimed first; ADAPTIVE: least stable pooled map first (lowest split-half agreement). */
export type AssignmentPolicy = 'BALANCED' | 'ADAPTIVE';

export interface CampaignTerms {
  name: string;
  perImage: number;
  perSession: number;
  maxClicks: number;
  timeLimitSeconds: number;
  minClicks: number;
  refractoryMs: number;
  blurFraction: number | null;
  completionCode: string | null;
  redirectUrl: string | null;
  assignment: AssignmentPolicy;
}

export interface CampaignImageSpec {
  imageId: string;
  task: CampaignTask;
  classIndex: number | null;
  model: string | null;
  gold: boolean;
}

export interface CampaignRecord extends CampaignTerms {
  id: string;
  open: boolean;
  createdAt: Date;
  closedAt: Date | null;
}

export interface CampaignImageRecord extends CampaignImageSpec {
  campaignId: string;
  position: number;
  taken: number;
  accepted: number;
  /** ADAPTIVE: split-half CC of the image's pooled map (kept participants); null before 2 of them. */
  stability: number | null;
  /** `accepted` when `stability` was computed. */
  stabilityAt: number;
}

export interface SessionRecord {
  id: string;
  campaignId: string;
  annotator: string;
  participant: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface AssignmentRecord {
  id: string;
  sessionId: string;
  campaignId: string;
  imageId: string;
  position: number;
  gold: boolean;
  status: AssignmentStatus;
  annotationId: string | null;
  assignedAt: Date;
  expiresAt: Date;
}

export interface ExclusionRecord {
  sessionId: string;
  rule: ExclusionRule;
  detail: string;
  value: number | null;
  threshold: number | null;
  createdAt: Date;
}

/** What a claim found: an assignment (new or the one in flight), or why there is none. */
export type Claim =
  | { kind: 'assigned'; assignment: AssignmentRecord; image: CampaignImageRecord }
  | { kind: 'finished' }
  | { kind: 'none-left' };

const NO_CLASS = -1;

function prismaCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^P\d{4}$/.test(code) ? code : undefined;
}

type ImageRow = { campaignId: string; imageId: string; position: number; task: string; classIndex: number; model: string | null; gold: boolean; taken: number; accepted: number; stability: number | null; stabilityAt: number };

function toImage(r: ImageRow): CampaignImageRecord {
  return { ...r, task: r.task as CampaignTask, classIndex: r.classIndex === NO_CLASS ? null : r.classIndex };
}

function toAssignment(r: { id: string; sessionId: string; campaignId: string; imageId: string; position: number; gold: boolean; status: string; annotationId: string | null; assignedAt: Date; expiresAt: Date }): AssignmentRecord {
  return { ...r, status: r.status as AssignmentStatus };
}

/** A campaign id: 9 random bytes, 12 base64url characters (the link is the only way in for participants). */
export const newCampaignId = () => randomBytes(9).toString('base64url');

/** What newCampaignId makes (a link's id is checked against it before any database read). */
export const CAMPAIGN_ID = /^[A-Za-z0-9_-]{12}$/;

/** ADAPTIVE order: images without a stability yet (fewer than 2 kept people) first, then the least stable. */
function unstableFirst(a: CampaignImageRecord, b: CampaignImageRecord): number {
  const key = (i: CampaignImageRecord) => i.stability ?? -Infinity;
  const d = key(a) - key(b);
  return Number.isNaN(d) ? 0 : d;
}

type Tx = Parameters<Parameters<StorageClient['$transaction']>[0]>[0];

export class CampaignStore {
  constructor(private readonly client: StorageClient) {}

  /** Runs `fn` in a transaction, again (up to 5 times) when the database reports a write conflict or deadlock (P2034). */
  private async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.$transaction(fn);
      } catch (e) {
        if (prismaCode(e) === 'P2034' && attempt < 5) continue;
        throw e;
      }
    }
  }

  async create(terms: CampaignTerms, images: readonly CampaignImageSpec[]): Promise<CampaignRecord> {
    const id = newCampaignId();
    await this.transaction(async (tx) => {
      await tx.campaign.create({ data: { id, ...terms } });
      await tx.campaignImage.createMany({
        data: images.map((im, position) => ({ campaignId: id, imageId: im.imageId, position, task: im.task, classIndex: im.classIndex ?? NO_CLASS, model: im.model, gold: im.gold })),
      });
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<CampaignRecord | null> {
    const c = await this.client.campaign.findUnique({ where: { id } });
    return c && { ...c, assignment: c.assignment as AssignmentPolicy };
  }

  async list(): Promise<CampaignRecord[]> {
    return (await this.client.campaign.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] })).map((c) => ({ ...c, assignment: c.assignment as AssignmentPolicy }));
  }

  /** Stores an image's stability (ADAPTIVE), computed when it had `at` accepted annotations. */
  async setStability(campaignId: string, imageId: string, stability: number | null, at: number): Promise<void> {
    await this.client.campaignImage.updateMany({ where: { campaignId, imageId }, data: { stability, stabilityAt: at } });
  }

  async setOpen(id: string, open: boolean): Promise<CampaignRecord | null> {
    const n = await this.client.campaign.updateMany({ where: { id }, data: { open, closedAt: open ? null : new Date() } });
    return n.count === 0 ? null : this.get(id);
  }

  async images(campaignId: string): Promise<CampaignImageRecord[]> {
    return (await this.client.campaignImage.findMany({ where: { campaignId }, orderBy: { position: 'asc' } })).map(toImage);
  }

  /** The session of a participant id (hash) in a campaign, or a new one; `annotator` is the new session's. */
  async startSession(campaignId: string, annotator: string, participant: string | null): Promise<{ session: SessionRecord; resumed: boolean }> {
    if (participant !== null) {
      const existing = await this.client.campaignSession.findUnique({ where: { campaignId_participant: { campaignId, participant } } });
      if (existing) return { session: existing, resumed: true };
    }
    try {
      return { session: await this.client.campaignSession.create({ data: { campaignId, annotator, participant } }), resumed: false };
    } catch (e) {
      // the same participant started twice at once: one session
      if (prismaCode(e) === 'P2002' && participant !== null) {
        const raced = await this.client.campaignSession.findUnique({ where: { campaignId_participant: { campaignId, participant } } });
        if (raced) return { session: raced, resumed: true };
      }
      throw e;
    }
  }

  sessionByAnnotator(annotator: string): Promise<SessionRecord | null> {
    return this.client.campaignSession.findUnique({ where: { annotator } });
  }

  sessions(campaignId: string): Promise<SessionRecord[]> {
    return this.client.campaignSession.findMany({ where: { campaignId }, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }] });
  }

  async assignments(filter: { campaignId?: string; sessionId?: string }): Promise<AssignmentRecord[]> {
    return (await this.client.campaignAssignment.findMany({ where: filter, orderBy: [{ sessionId: 'asc' }, { position: 'asc' }] })).map(toAssignment);
  }

  /** The ACCEPTED annotations of a campaign with their session, for quality and pooling. */
  async acceptedAnnotations(campaignId: string): Promise<{ sessionId: string; gold: boolean; annotation: AnnotationRecord }[]> {
    const rows = await this.client.campaignAssignment.findMany({ where: { campaignId, status: 'ACCEPTED' }, select: { sessionId: true, gold: true, annotationId: true } });
    const ids = rows.map((r) => r.annotationId).filter((id): id is string => id !== null);
    const annotations = new Map((await this.client.annotation.findMany({ where: { id: { in: ids } } })).map((a) => [a.id, toAnnotation(a)]));
    return rows.flatMap((r) => {
      const a = r.annotationId ? annotations.get(r.annotationId) : undefined;
      return a ? [{ sessionId: r.sessionId, gold: r.gold, annotation: a }] : [];
    });
  }

  /** Puts the slots of assignments whose ticket expired back to their images (each one at most once). */
  async releaseExpired(campaignId: string, now: Date): Promise<number> {
    const expired = await this.client.campaignAssignment.findMany({ where: { campaignId, status: 'ASSIGNED', expiresAt: { lt: now } }, take: 100, select: { id: true, imageId: true, gold: true } });
    let released = 0;
    for (const a of expired) {
      released += await this.transaction(async (tx) => {
        const n = await tx.campaignAssignment.updateMany({ where: { id: a.id, status: 'ASSIGNED' }, data: { status: 'EXPIRED' } });
        if (n.count === 0) return 0;
        if (!a.gold) await tx.campaignImage.updateMany({ where: { campaignId, imageId: a.imageId, taken: { gt: 0 } }, data: { taken: { decrement: 1 } } });
        return 1;
      });
    }
    return released;
  }

  /**
   * The session's current image: the one in flight (its expiry moved to `expiresAt`, a new ticket goes
   * with it), else a new claim — the next gold image at a gold position, otherwise (ADAPTIVE: the least
   * stable image first, those without a stability before all; then as BALANCED) the image with the
   * fewest claimed slots (accepted + in flight: with many sessions at once, counting only accepted ones
   * would send every starting session to the same image), then fewest accepted, then the organiser's
   * order, that the session has not seen and that has a free slot — else finished or none left.
   */
  async claim(campaign: CampaignRecord, sessionId: string, expiresAt: Date): Promise<Claim> {
    return this.transaction(async (tx) => {
      const mine = (await tx.campaignAssignment.findMany({ where: { sessionId }, orderBy: { position: 'asc' } })).map(toAssignment);
      const current = mine.find((a) => a.status === 'ASSIGNED');
      if (current) {
        const n = await tx.campaignAssignment.updateMany({ where: { id: current.id, status: 'ASSIGNED' }, data: { expiresAt } });
        if (n.count === 1) {
          const image = await tx.campaignImage.findUnique({ where: { campaignId_imageId: { campaignId: campaign.id, imageId: current.imageId } } });
          return { kind: 'assigned', assignment: { ...current, expiresAt }, image: toImage(image!) };
        }
      }
      const done = mine.filter((a) => a.status === 'ACCEPTED');
      const images = (await tx.campaignImage.findMany({ where: { campaignId: campaign.id }, orderBy: { position: 'asc' } })).map(toImage);
      const gold = images.filter((i) => i.gold);
      const total = campaign.perSession + gold.length;
      if (done.length >= total) return { kind: 'finished' };
      const seen = new Set(mine.map((a) => a.imageId));
      const position = mine.length === 0 ? 0 : mine[mine.length - 1].position + 1;
      // gold images at evenly spaced places among the session's accepted ones
      const goldDone = done.filter((a) => a.gold).length;
      const goldSlot = gold.length > 0 && goldDone < gold.length && done.length >= Math.floor(((goldDone + 1) * total) / (gold.length + 1));
      const regularDone = done.length - goldDone;
      const pickGold = goldSlot || regularDone >= campaign.perSession;
      if (pickGold) {
        const next = gold.find((g) => !seen.has(g.imageId));
        if (next) {
          const row = await tx.campaignAssignment.create({ data: { sessionId, campaignId: campaign.id, imageId: next.imageId, position, gold: true, status: 'ASSIGNED', expiresAt } });
          return { kind: 'assigned', assignment: toAssignment(row), image: next };
        }
        if (regularDone >= campaign.perSession) return { kind: 'finished' };
      }
      const candidates = images
        .filter((i) => !i.gold && !seen.has(i.imageId) && i.taken < campaign.perImage)
        .sort((a, b) => (campaign.assignment === 'ADAPTIVE' ? unstableFirst(a, b) : 0) || a.taken - b.taken || a.accepted - b.accepted || a.position - b.position);
      for (const c of candidates) {
        // the decisive statement: a slot is claimed only while taken < perImage
        const n = await tx.campaignImage.updateMany({ where: { campaignId: campaign.id, imageId: c.imageId, taken: { lt: campaign.perImage } }, data: { taken: { increment: 1 } } });
        if (n.count === 0) continue;
        const row = await tx.campaignAssignment.create({ data: { sessionId, campaignId: campaign.id, imageId: c.imageId, position, gold: false, status: 'ASSIGNED', expiresAt } });
        return { kind: 'assigned', assignment: toAssignment(row), image: { ...c, taken: c.taken + 1 } };
      }
      return { kind: 'none-left' };
    });
  }

  /**
   * Stores the annotation of the session's in-flight assignment of its image and counts it, in one
   * transaction. StorageError NOT_FOUND when the session has no such assignment in flight; REPLAYED /
   * DUPLICATE as Storage.addAnnotation.
   */
  async accept(sessionId: string, annotation: NewAnnotation): Promise<{ annotation: AnnotationRecord; finished: boolean }> {
    try {
      return await this.transaction(async (tx) => {
        const assignment = await tx.campaignAssignment.findUnique({ where: { sessionId_imageId: { sessionId, imageId: annotation.imageId } } });
        if (!assignment || assignment.status !== 'ASSIGNED') {
          throw new StorageError('NOT_FOUND', assignment ? `the assignment of image ${annotation.imageId} is ${assignment.status.toLowerCase()}` : `image ${annotation.imageId} is not assigned to this session`);
        }
        const row = await tx.annotation.create({ data: annotationData(annotation) });
        const n = await tx.campaignAssignment.updateMany({ where: { id: assignment.id, status: 'ASSIGNED' }, data: { status: 'ACCEPTED', annotationId: row.id, acceptedAt: new Date() } });
        if (n.count === 0) throw new StorageError('NOT_FOUND', `the assignment of image ${annotation.imageId} is no longer in flight`);
        // a gold image holds no slot while in flight (every participant sees it): its taken follows accepted
        await tx.campaignImage.updateMany({
          where: { campaignId: assignment.campaignId, imageId: assignment.imageId },
          data: assignment.gold ? { accepted: { increment: 1 }, taken: { increment: 1 } } : { accepted: { increment: 1 } },
        });
        const session = await tx.campaignSession.findUnique({ where: { id: sessionId }, include: { campaign: { select: { perSession: true } } } });
        const gold = await tx.campaignImage.count({ where: { campaignId: assignment.campaignId, gold: true } });
        const accepted = await tx.campaignAssignment.count({ where: { sessionId, status: 'ACCEPTED' } });
        const finished = accepted >= session!.campaign.perSession + gold;
        if (finished) await tx.campaignSession.update({ where: { id: sessionId }, data: { finishedAt: new Date() } });
        return { annotation: toAnnotation(row), finished };
      });
    } catch (e) {
      if (prismaCode(e) === 'P2002') {
        const replayed = violatedUnique(e).some((f) => /nonce/i.test(f))
          || (annotation.nonce !== null && (await this.client.annotation.count({ where: { nonce: annotation.nonce } })) > 0);
        throw new StorageError(replayed ? 'REPLAYED' : 'DUPLICATE', replayed ? 'an annotation was already submitted with this ticket' : `image ${annotation.imageId} is annotated by this participant already`);
      }
      throw e;
    }
  }

  /** Replaces the stored exclusions of the campaign's sessions with `exclusions` (one transaction). */
  async replaceExclusions(campaignId: string, exclusions: readonly Omit<ExclusionRecord, 'createdAt'>[]): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.campaignExclusion.deleteMany({ where: { session: { campaignId } } });
      if (exclusions.length > 0) await tx.campaignExclusion.createMany({ data: exclusions.map((e) => ({ ...e })) });
    });
  }

  /** The accepted annotations of an image by participants with an exclusion (in any campaign): left out of its pooled map. */
  async excludedAnnotations(imageId: string): Promise<string[]> {
    const rows = await this.client.campaignAssignment.findMany({
      where: { imageId, status: 'ACCEPTED', annotationId: { not: null }, session: { exclusions: { some: {} } } },
      select: { annotationId: true },
    });
    return rows.map((r) => r.annotationId!);
  }

  async exclusions(campaignId: string): Promise<ExclusionRecord[]> {
    const rows = await this.client.campaignExclusion.findMany({ where: { session: { campaignId } }, orderBy: [{ sessionId: 'asc' }, { rule: 'asc' }] });
    return rows.map((r) => ({ ...r, rule: r.rule as ExclusionRule }));
  }
}

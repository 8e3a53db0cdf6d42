// The resolvers of the campaign part of schema.graphql, merged with the others by start.ts. Every
// organiser field checks the admin key first (CampaignService.authorize); participant fields need only
// the campaign id or the session token. Translation only: the work is CampaignService's.
import type { AnnotationTask, Resolvers } from '../generated/graphql.js';
import type { ApiContext } from '../server/context.js';
import { apiError } from '../server/errors.js';
import { typed } from '../annotations/resolvers.js';
import type { CampaignService, NextStep, StepParent } from './service.js';
import { reliabilitySvg } from './plot.js';

function campaigns(ctx: ApiContext): CampaignService {
  return ctx.campaigns;
}

/** Organiser operations: the admin key, then `fn`. */
function admin<T>(ctx: ApiContext, fn: (c: CampaignService) => Promise<T>): Promise<T> {
  return typed(async () => {
    campaigns(ctx).authorize(ctx.authorization);
    return fn(campaigns(ctx));
  });
}

const step = (sessionToken: string, s: NextStep, submitted?: StepParent['submitted']): StepParent => ({ ...s, sessionToken, submitted });

export const campaignResolvers: Resolvers = {
  Query: {
    campaign: (_p, { id }, ctx) => admin(ctx, (c) => c.store.get(id)),
    campaigns: (_p, _a, ctx) => admin(ctx, (c) => c.store.list()),
    campaignInfo: (_p, { id }, ctx) => typed(() => campaigns(ctx).store.get(id)),
  },
  Mutation: {
    createCampaign: (_p, { input }, ctx) => admin(ctx, (c) => c.create(input)),
    closeCampaign: (_p, { id }, ctx) => admin(ctx, async (c) => {
      const closed = await c.close(id);
      await c.review(id);
      return closed;
    }),
    reviewCampaign: (_p, { id }, ctx) => admin(ctx, (c) => c.review(id)),
    startCampaignSession: (_p, { campaignId, participantId }, ctx) => typed(async () => {
      const { sessionToken, step: s } = await campaigns(ctx).startSession(campaignId, participantId ?? null);
      return step(sessionToken, s);
    }),
    nextCampaignImage: (_p, { sessionToken }, ctx) => typed(async () => step(sessionToken, await campaigns(ctx).next(sessionToken))),
    submitCampaignAnnotation: (_p, { input }, ctx) => typed(async () => {
      const { annotation, step: s } = await campaigns(ctx).submit(input.sessionToken, input.ticket, input.clicks, ctx.client);
      return step(input.sessionToken, s, annotation);
    }),
  },
  CampaignStep: {
    campaignId: (s) => s.campaign.id,
    annotation: (s) => (s.annotation ? { ...s.annotation, annotatorToken: s.sessionToken } : null),
    minClicks: (s) => s.campaign.minClicks,
    refractoryMs: (s) => s.campaign.refractoryMs,
    completionCode: (s) => (s.finished ? s.campaign.completionCode : null),
    redirectUrl: (s) => (s.finished ? s.campaign.redirectUrl : null),
    submitted: (s) => s.submitted ?? null,
  },
  Campaign: {
    link: (c) => `/c/${c.id}`,
    images: (c, _a, ctx) => campaigns(ctx).progress(c.id),
    participants: async (c, _a, ctx) => {
      const [sessions, exclusions] = await Promise.all([campaigns(ctx).store.sessions(c.id), campaigns(ctx).store.exclusions(c.id)]);
      return { sessions: sessions.length, finished: sessions.filter((s) => s.finishedAt).length, excluded: new Set(exclusions.map((e) => e.sessionId)).size };
    },
    exclusions: (c, _a, ctx) => campaigns(ctx).store.exclusions(c.id),
    reliability: (c, { imageId }, ctx) => campaigns(ctx).reliability(c.id, imageId),
    reliabilitySvg: async (c, { imageId }, ctx) => reliabilitySvg(await campaigns(ctx).reliability(c.id, imageId)),
  },
  CampaignImageProgress: {
    image: async (p, _a, ctx) => {
      const image = await ctx.storage.getImage(p.image.imageId);
      if (!image) throw apiError('NOT_FOUND', `no image ${p.image.imageId}`);
      return image;
    },
    task: (p) => p.image.task as AnnotationTask,
    classIndex: (p) => p.image.classIndex,
    gold: (p) => p.image.gold,
    accepted: (p) => p.image.accepted,
    stability: (p) => p.image.stability,
    quota: (p, _a, ctx) => (p.image.gold ? 0 : ctx.campaigns.store.get(p.image.campaignId).then((c) => c?.perImage ?? 0)),
  },
  CampaignExclusion: {
    session: (e) => e.sessionId,
  },
};

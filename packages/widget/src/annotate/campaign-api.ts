// An annotation ticket handed to the widget from outside (a campaign's participant page, or any app that
// starts sessions itself) and the campaign's submission: submitCampaignAnnotation sends the clicks to
// the campaign session that issued the ticket and answers with the session's next step.
import { postGraphQL } from '../net/graphql.js';
import type { AnnotationSession, Click, StoredImage } from './annotation-api.js';

/**
 * The `ticket` property: what startAnnotation, startCampaignSession or nextCampaignImage answered
 * (their `annotation`), plus a campaign's `minClicks` and `refractoryMs` when it has them. With a
 * ticket the widget starts no session of its own and submits this one.
 */
export interface AnnotationTicket extends Omit<AnnotationSession, 'annotatorToken' | 'image'> {
  image: StoredImage & { dataUrl?: string };
  /** Submit stays disabled below this many clicks (a campaign's TOO_FEW_CLICKS). */
  minClicks?: number;
  /** A click sooner than this after the previous one reveals nothing (a campaign's refractory period). */
  refractoryMs?: number;
}

/** A campaign session's step after a submission, as the API answers it (the page shows the next image or the end). */
export interface CampaignStep {
  sessionToken: string;
  campaignId: string;
  done: number;
  total: number;
  finished: boolean;
  noneLeft: boolean;
  minClicks: number;
  refractoryMs: number;
  completionCode: string | null;
  redirectUrl: string | null;
  annotation: (Omit<AnnotationTicket, 'minClicks' | 'refractoryMs'> & { annotatorToken: string }) | null;
}

/** The fields of a CampaignStep the widget and the participant page read. */
export const CAMPAIGN_STEP_FIELDS = `sessionToken campaignId done total finished noneLeft minClicks refractoryMs completionCode redirectUrl
  annotation { ticket annotatorToken prompt maxClicks timeLimitSeconds bubbleRadius blurSigma expiresAt image { id width height dataUrl } }`;

const SUBMIT = `mutation SubmitCampaign($input: SubmitCampaignAnnotationInput!) {
  submitCampaignAnnotation(input: $input) { submitted { id } ${CAMPAIGN_STEP_FIELDS} }
}`;

/** Submit the clicks of a campaign's ticket; resolves to the stored annotation's id and the session's next step. */
export async function submitCampaignAnnotation(api: string, sessionToken: string, ticket: string, clicks: readonly Click[]): Promise<{ annotationId: string; step: CampaignStep }> {
  const r = await postGraphQL<{ submitCampaignAnnotation: CampaignStep & { submitted: { id: string } } }>(api, SUBMIT, { input: { sessionToken, ticket, clicks } });
  const { submitted, ...step } = r.submitCampaignAnnotation;
  return { annotationId: submitted.id, step };
}

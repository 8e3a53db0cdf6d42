// The annotation attributes checked before a session starts (BAD_ATTRIBUTE rather than a guess), and
// the friendly words for the API's annotation error codes.
import { parseClasses } from '../attributes.js';
import { WidgetError } from '../errors.js';
import type { AnnotationTask } from './annotation-api.js';
import type { AnnotationTicket } from './campaign-api.js';

/** The element's attributes as the annotation mode reads them. */
export interface AnnotationAttributes {
  src?: string;
  api?: string;
  task?: string;
  classIndex?: string;
  model?: string;
  maxClicks?: number;
  timeLimit?: number;
  /** A ticket issued elsewhere (a campaign's): no session of the widget's own. */
  ticket?: AnnotationTicket | null;
  /** The campaign session the ticket belongs to: the clicks go to submitCampaignAnnotation. */
  campaignSession?: string;
  /** A rehearsal: nothing goes to the server. */
  practice?: boolean;
}

export interface AnnotationRequest {
  src: string;
  api: string;
  task: AnnotationTask;
  classIndex?: number;
  model?: string;
  maxClicks?: number;
  timeLimitSeconds?: number;
  ticket?: AnnotationTicket;
  campaignSession?: string;
  practice: boolean;
}

/** A campaign session token: the 22 base64url characters the API issues. */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{22}$/;

function checkTicket(t: AnnotationTicket): AnnotationTicket {
  const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  if (typeof t !== 'object' || t === null || typeof t.ticket !== 'string' || !t.image || !positive(t.image.width) || !positive(t.image.height)
    || !positive(t.maxClicks) || !positive(t.timeLimitSeconds) || !positive(t.bubbleRadius) || !positive(t.blurSigma)) {
    throw new WidgetError('BAD_ATTRIBUTE', 'ticket: expected the annotation of startAnnotation, startCampaignSession or nextCampaignImage (ticket, image { width height }, maxClicks, timeLimitSeconds, bubbleRadius, blurSigma, expiresAt)');
  }
  return t;
}

const TASKS: readonly AnnotationTask[] = ['describe', 'find'];

/** The request of a session, or null without src (nothing to annotate); throws BAD_ATTRIBUTE / NO_API. */
export function annotationRequest(a: AnnotationAttributes): AnnotationRequest | null {
  const task = (a.task || 'describe').toLowerCase() as AnnotationTask;
  if (!TASKS.includes(task)) throw new WidgetError('BAD_ATTRIBUTE', `annotate-task="${a.task}": expected ${TASKS.join(' or ')}`);
  const classIndex = parseClasses(a.classIndex)?.[0];
  if (task === 'find' && classIndex === undefined) throw new WidgetError('BAD_ATTRIBUTE', 'annotate-task="find" needs class-index: the class to look for');
  if (a.maxClicks != null && !(Number.isInteger(a.maxClicks) && a.maxClicks >= 1)) {
    throw new WidgetError('BAD_ATTRIBUTE', `max-clicks="${a.maxClicks}": expected a positive integer`);
  }
  if (a.timeLimit != null && !(Number.isFinite(a.timeLimit) && a.timeLimit > 0)) {
    throw new WidgetError('BAD_ATTRIBUTE', `time-limit="${a.timeLimit}": expected a positive number of seconds`);
  }
  if (a.campaignSession && !SESSION_TOKEN.test(a.campaignSession)) throw new WidgetError('BAD_ATTRIBUTE', 'campaign-session: expected the sessionToken of startCampaignSession');
  if (a.campaignSession && !a.ticket && !a.practice) throw new WidgetError('BAD_ATTRIBUTE', 'campaign-session needs the ticket property: the annotation of the campaign step');
  const ticket = a.ticket && !a.practice ? checkTicket(a.ticket) : undefined;
  const src = a.src || ticket?.image.dataUrl;
  if (a.practice) {
    // a rehearsal: nothing is stored, no server needed
    if (!src) return null;
    return { src, api: '', task, practice: true, ticket: a.ticket ?? undefined, maxClicks: a.maxClicks ?? undefined, timeLimitSeconds: a.timeLimit ?? undefined };
  }
  if (!a.api) throw new WidgetError('NO_API', 'the annotation mode stores clicks on a saliency-explainer server: set the api attribute');
  let api: string;
  try {
    api = new URL(a.api, document.baseURI).href;
  } catch {
    throw new WidgetError('BAD_ATTRIBUTE', `api="${a.api}" is not a URL`);
  }
  if (!src) return null;
  return {
    src,
    api,
    practice: false,
    ticket,
    campaignSession: a.campaignSession || undefined,
    task,
    classIndex: task === 'find' ? classIndex : undefined,
    model: a.model || undefined,
    maxClicks: a.maxClicks ?? undefined,
    timeLimitSeconds: a.timeLimit ?? undefined,
  };
}

/** What the annotator reads in the error box, by code (the technical message follows it). */
export const ANNOTATION_ERROR_TITLES: Record<string, string> = {
  BAD_TICKET: 'This annotation session is not valid.',
  TICKET_EXPIRED: 'This annotation session expired before it was submitted.',
  NO_CLICKS: 'Click the image at least once before submitting.',
  TOO_MANY_CLICKS: 'More clicks were sent than this task allows.',
  CLICK_OUT_OF_BOUNDS: 'A click fell outside the image.',
  BAD_CLICK_TIMES: 'The click times were not in order.',
  REPLAYED_SUBMISSION: 'These clicks were already submitted.',
  DUPLICATE_SUBMISSION: 'You have already annotated this image.',
  RATE_LIMITED: 'Too many requests: wait a moment, then try again.',
  NOT_FOUND: 'The server does not have this image.',
  BAD_IMAGE: 'The server cannot read this image.',
  IMAGE_TOO_LARGE: 'The image is too large for the server.',
  REQUEST_TOO_LARGE: 'The image is too large for the server.',
  BAD_CLASS: 'The class to look for is not one of the model’s.',
  UNKNOWN_MODEL: 'The server does not have this model.',
  BAD_REQUEST: 'The server refused the annotation request.',
  NO_API: 'No annotation server is configured.',
  API_UNAVAILABLE: 'The annotation server cannot be reached.',
  IMAGE_LOAD_FAILED: 'The image could not be loaded.',
  BAD_ATTRIBUTE: 'The widget is misconfigured.',
  TOO_FEW_CLICKS: 'This study asks for more clicks on each image.',
  NOT_ASSIGNED: 'This image is no longer yours to annotate.',
  BAD_SESSION: 'This study session is not valid.',
  CAMPAIGN_CLOSED: 'This study is closed.',
};

/** Failed submissions that can be sent again as they are (same ticket, same clicks); others start a new session. */
/** Refusals that no new session of the same annotator, image and task can overcome: no retry is offered. */
export const FINAL = new Set(['DUPLICATE_SUBMISSION']);

export const RESUBMITTABLE = new Set(['RATE_LIMITED', 'API_UNAVAILABLE', 'API_ERROR', 'INTERNAL_SERVER_ERROR']);

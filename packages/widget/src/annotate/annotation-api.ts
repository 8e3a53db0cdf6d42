// The annotation calls of the GraphQL API (uploadImage, startAnnotation, submitAnnotation) and the
// anonymous annotator token kept in localStorage between sessions.
import { toDataUrl } from '../image/load-image.js';
import { postGraphQL } from '../net/graphql.js';

/** localStorage key of the annotator token the server issued (the same anonymous annotator next time). */
export const ANNOTATOR_KEY = 'saliency-explainer:annotator';

export type AnnotationTask = 'describe' | 'find';

export interface StoredImage {
  /** sha256 of the bytes */
  id: string;
  width: number;
  height: number;
}

/** A started session: what to show, the budget and the bubble geometry (in pixels of the stored image). */
export interface AnnotationSession {
  ticket: string;
  annotatorToken: string;
  image: StoredImage;
  prompt: string;
  maxClicks: number;
  timeLimitSeconds: number;
  bubbleRadius: number;
  blurSigma: number;
  expiresAt: string;
}

/** One click on the stored image (continuous pixels: pixel i spans [i, i + 1)); t = ms since the image was shown. */
export interface Click {
  x: number;
  y: number;
  t: number;
}

export interface StartRequest {
  imageId: string;
  task: AnnotationTask;
  classIndex?: number;
  model?: string;
  annotatorToken?: string;
  maxClicks?: number;
  timeLimitSeconds?: number;
}

const UPLOAD = `mutation Upload($data: String!) { uploadImage(data: $data) { id width height } }`;

const START = `mutation Start($input: StartAnnotationInput!) {
  startAnnotation(input: $input) {
    ticket annotatorToken prompt maxClicks timeLimitSeconds bubbleRadius blurSigma expiresAt
    image { id width height }
  }
}`;

const SUBMIT = `mutation Submit($input: SubmitAnnotationInput!) { submitAnnotation(input: $input) { id } }`;

/** Store the image's bytes on the server (idempotent: the id is their sha256). */
export async function uploadImage(api: string, blob: Blob): Promise<StoredImage> {
  const r = await postGraphQL<{ uploadImage: StoredImage }>(api, UPLOAD, { data: await toDataUrl(blob) });
  return r.uploadImage;
}

export async function startAnnotation(api: string, request: StartRequest): Promise<AnnotationSession> {
  const input: Record<string, unknown> = { imageId: request.imageId, task: request.task.toUpperCase() };
  if (request.classIndex !== undefined) input.classIndex = request.classIndex;
  if (request.model) input.model = request.model;
  if (request.annotatorToken) input.annotatorToken = request.annotatorToken;
  if (request.maxClicks !== undefined) input.maxClicks = request.maxClicks;
  if (request.timeLimitSeconds !== undefined) input.timeLimitSeconds = request.timeLimitSeconds;
  const r = await postGraphQL<{ startAnnotation: AnnotationSession }>(api, START, { input });
  return r.startAnnotation;
}

/** Submit the clicks of a session; resolves to the stored annotation's id. */
export async function submitAnnotation(api: string, ticket: string, clicks: readonly Click[]): Promise<string> {
  const r = await postGraphQL<{ submitAnnotation: { id: string } }>(api, SUBMIT, { input: { ticket, clicks } });
  return r.submitAnnotation.id;
}

/** The stored annotator token (undefined when none, or when storage is unavailable, e.g. blocked cookies). */
export function loadAnnotatorToken(): string | undefined {
  try {
    return localStorage.getItem(ANNOTATOR_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveAnnotatorToken(token: string): void {
  try {
    localStorage.setItem(ANNOTATOR_KEY, token);
  } catch {
    // no storage: the next session is another anonymous annotator
  }
}

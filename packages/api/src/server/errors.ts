// Typed GraphQL errors: every failure a client can cause has a stable `extensions.code`, and each
// code its HTTP status (used when a request fails as a whole; see server/http-status.ts).
import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'BAD_IMAGE' | 'IMAGE_TOO_LARGE' | 'REQUEST_TOO_LARGE' | 'UNKNOWN_MODEL' | 'UNKNOWN_METHOD'
  | 'BAD_LAYER' | 'BAD_CLASS' | 'BAD_BOX' | 'BAD_REQUEST' | 'BAD_ATTRIBUTION_OPTION' | 'NOT_FOUND' | 'BAD_CURSOR' | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COMPLEX' | 'RESPONSE_TOO_LARGE' | 'TOO_MANY_IMAGES' | 'RATE_LIMITED' | 'MODEL_UNAVAILABLE' | 'INTERNAL_SERVER_ERROR'
  | AnnotationErrorCode | CampaignErrorCode;

/**
 * Campaigns: ADMIN_DISABLED (no SALIENCY_ADMIN_KEY configured: organiser operations are off),
 * UNAUTHENTICATED (no or a wrong `Authorization: Bearer` key), CAMPAIGN_CLOSED, BAD_SESSION (an unknown
 * campaign session token), NOT_ASSIGNED (the ticket's image is not this session's current one),
 * TOO_FEW_CLICKS (fewer than the campaign's minimum).
 */
export type CampaignErrorCode = 'ADMIN_DISABLED' | 'UNAUTHENTICATED' | 'CAMPAIGN_CLOSED' | 'BAD_SESSION' | 'NOT_ASSIGNED' | 'TOO_FEW_CLICKS';

/** The codes of a rejected annotation (submitAnnotation; BAD_TICKET also for a malformed ticket). */
export type AnnotationErrorCode =
  | 'BAD_TICKET' | 'TICKET_EXPIRED' | 'NO_CLICKS' | 'TOO_MANY_CLICKS' | 'CLICK_OUT_OF_BOUNDS'
  | 'BAD_CLICK_TIMES' | 'IMPOSSIBLE_TIMING' | 'REPLAYED_SUBMISSION' | 'DUPLICATE_SUBMISSION';

export function apiError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/**
 * The HTTP status of each code: client mistakes 4xx, the server's own failures 5xx. Apollo's codes
 * (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, …) are 400 as Apollo sends them.
 */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_IMAGE: 400,
  IMAGE_TOO_LARGE: 413,
  REQUEST_TOO_LARGE: 413,
  UNKNOWN_MODEL: 400,
  UNKNOWN_METHOD: 400,
  BAD_LAYER: 400,
  BAD_CLASS: 400,
  BAD_BOX: 400,
  BAD_REQUEST: 400,
  BAD_ATTRIBUTION_OPTION: 400,
  NOT_FOUND: 404,
  BAD_CURSOR: 400,
  QUERY_TOO_DEEP: 400,
  QUERY_TOO_COMPLEX: 400,
  RESPONSE_TOO_LARGE: 400,
  TOO_MANY_IMAGES: 400,
  RATE_LIMITED: 429,
  MODEL_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
  BAD_TICKET: 400,
  TICKET_EXPIRED: 400,
  NO_CLICKS: 400,
  TOO_MANY_CLICKS: 400,
  CLICK_OUT_OF_BOUNDS: 400,
  BAD_CLICK_TIMES: 400,
  IMPOSSIBLE_TIMING: 400,
  REPLAYED_SUBMISSION: 409,
  DUPLICATE_SUBMISSION: 409,
  ADMIN_DISABLED: 403,
  UNAUTHENTICATED: 401,
  CAMPAIGN_CLOSED: 409,
  BAD_SESSION: 400,
  NOT_ASSIGNED: 409,
  TOO_FEW_CLICKS: 400,
};

/** Apollo's own client-error codes, all 400. */
const APOLLO_CLIENT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

/** The status of a code, or undefined for a code this table does not know. */
export function statusOf(code: unknown): number | undefined {
  if (typeof code !== 'string') return undefined;
  if (code in HTTP_STATUS) return HTTP_STATUS[code as ErrorCode];
  return APOLLO_CLIENT_CODES.has(code) ? 400 : undefined;
}

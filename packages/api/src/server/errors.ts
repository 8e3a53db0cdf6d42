// Typed GraphQL errors: every failure a client can cause has a stable `extensions.code`.
import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'BAD_IMAGE' | 'IMAGE_TOO_LARGE' | 'REQUEST_TOO_LARGE' | 'UNKNOWN_MODEL' | 'UNKNOWN_METHOD'
  | 'BAD_LAYER' | 'BAD_CLASS' | 'BAD_REQUEST' | 'NOT_FOUND' | 'BAD_CURSOR' | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COMPLEX' | 'RATE_LIMITED' | 'MODEL_UNAVAILABLE' | 'INTERNAL_SERVER_ERROR'
  | AnnotationErrorCode;

/** The codes of a rejected annotation (submitAnnotation; BAD_TICKET also for a malformed ticket). */
export type AnnotationErrorCode =
  | 'BAD_TICKET' | 'TICKET_EXPIRED' | 'NO_CLICKS' | 'TOO_MANY_CLICKS' | 'CLICK_OUT_OF_BOUNDS'
  | 'BAD_CLICK_TIMES' | 'REPLAYED_SUBMISSION' | 'DUPLICATE_SUBMISSION';

export function apiError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/** The HTTP status of an error that ends a request before GraphQL runs. */
export const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  REQUEST_TOO_LARGE: 413,
  RATE_LIMITED: 429,
};

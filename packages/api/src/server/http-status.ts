// The HTTP status of a GraphQL response that failed as a whole: the status of its first error's code
// (server/errors.ts), with Retry-After for RATE_LIMITED. Failed as a whole: no `data`, or every root
// field is null because of an error at that field or under it (a nullable root field such as
// `explanation(id)` is nulled by an error in its selection). A response that answered something
// (another root field has a value) stays 200 with its errors, as GraphQL over HTTP prescribes for
// partial results in application/json.
import type { ApolloServerPlugin } from '@apollo/server';
import type { ApiContext } from './context.js';
import { statusOf } from './errors.js';

/** No root field answered: each is missing or null with an error on its path. */
export function failedAsAWhole(data: Record<string, unknown> | null | undefined, errors: readonly { path?: readonly (string | number)[] }[]): boolean {
  if (data == null) return true;
  const failed = new Set(errors.map((e) => e.path?.[0]).filter((p) => p !== undefined));
  return Object.entries(data).every(([field, value]) => value === null && failed.has(field));
}

export function httpStatusPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!errors?.length || !failedAsAWhole(data, errors)) return;
          const extensions = errors[0].extensions ?? {};
          const status = statusOf(extensions.code);
          if (status !== undefined) response.http.status = status;
          const retry = extensions.retryAfter;
          if (typeof retry === 'number' && Number.isFinite(retry)) response.http.headers.set('retry-after', String(Math.max(1, Math.ceil(retry))));
        },
      };
    },
  };
}

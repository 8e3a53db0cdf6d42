// One GraphQL request to the saliency-explainer API: the API's `extensions.code` becomes the
// WidgetError's code; no answer at all is API_UNAVAILABLE.
import { WidgetError } from '../errors.js';

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** POST `query` with `variables` to the GraphQL endpoint `api`; resolves to `data`, rejects with the first error's code. */
export async function postGraphQL<T>(api: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new WidgetError('API_UNAVAILABLE', `cannot reach the API at ${api} (${(e as Error).message})`, { cause: e });
  }
  let body: GraphQLResponse<T> | undefined;
  try {
    body = (await res.json()) as GraphQLResponse<T>;
  } catch {
    body = undefined;
  }
  const error = body?.errors?.[0];
  if (error) throw new WidgetError(error.extensions?.code ?? 'API_ERROR', `the API answered: ${error.message}`);
  if (!res.ok || !body?.data) throw new WidgetError('API_UNAVAILABLE', `the API at ${api} answered HTTP ${res.status} without a GraphQL result`);
  return body.data;
}

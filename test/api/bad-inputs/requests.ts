/**
 * Bad-request corpus: whole HTTP requests a client can get wrong or use to abuse the server, each with
 * the HTTP status and `errors[0].extensions.code` the server must answer — always a 4xx for a client's
 * mistake, decided before any work is done. Sent with Node's own fetch (undici), which is stricter than
 * curl about a server answering before the body is read (the 40 MB case).
 *
 * Cases (name → status code: why it matters)
 *   png-2048-overlay-80-heatmaps   400 QUERY_TOO_COMPLEX  8 methods × top 10 = 80 heatmaps, each a 2048 px
 *                                  overlay: ~430 MB of PNG; must be refused from the estimate, not rendered
 *   png-2048-two-aliases           400 QUERY_TOO_COMPLEX  the same twice (ended in a RangeError and HTTP 500)
 *   stored-png-2048-overlay        400 QUERY_TOO_COMPLEX  the same on a stored explanation (its heatmap
 *                                  count bounded by SALIENCY_MAX_METHODS × SALIENCY_MAX_TOP_K)
 *   explain-24-aliases-perturbation 400 QUERY_TOO_COMPLEX 24 × explain(scorecam, ablationcam, one class):
 *                                  ~25,000 forward passes in one request
 *   explanations-first-100000      400 BAD_REQUEST        a page far over SALIENCY_MAX_PAGE_SIZE (was a 500)
 *   fragment-cycle                 400 GRAPHQL_VALIDATION_FAILED  fragments spreading each other (the depth
 *                                  library overflowed its stack on it and answered 500)
 *   too-deep                       400 QUERY_TOO_DEEP
 *   png-size-over-limit            400 BAD_REQUEST        png(size) above SALIENCY_MAX_PNG_SIZE
 *   heatmaps-first-zero            400 BAD_REQUEST
 *   unknown-field                  400 GRAPHQL_VALIDATION_FAILED
 *   variable-wrong-type            400 BAD_USER_INPUT
 *   invalid-json                   400 BAD_REQUEST        a body that is not JSON
 *   query-not-a-string             400 BAD_REQUEST        {"query": 5}
 *   mutation-over-get              400 BAD_REQUEST        GET may only query (Apollo's answer)
 *   body-over-limit-40mb           413 REQUEST_TOO_LARGE  40 MB with Content-Length: answered after the body is
 *                                  drained, so fetch sees it (it saw the connection close: "fetch failed")
 *   body-over-limit-streamed       413 REQUEST_TOO_LARGE  the same without Content-Length (chunked)
 */

export interface RequestContext {
  /** The GraphQL endpoint. */
  url: string;
  /** A stored image (for queries that need one). */
  imageId: string;
  /** A stored explanation with SALIENCY_MAX_METHODS × SALIENCY_MAX_TOP_K-sized lists of heatmaps. */
  explanationId: string;
  /** The server's SALIENCY_MAX_REQUEST_BYTES. */
  maxRequestBytes: number;
}

export interface RequestCase {
  name: string;
  send(c: RequestContext): Promise<Response>;
  expect: { status: number; code: string };
}

const post = (c: RequestContext, body: unknown) =>
  fetch(c.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const gql = (c: RequestContext, query: string, variables?: Record<string, unknown>) => post(c, { query, variables });

/** Eight cheap CAM methods (no perturbation), for 8 × 10 = 80 heatmaps. */
export const EIGHT_METHODS = ['gradcam', 'gradcam++', 'xgradcam', 'layercam', 'hirescam', 'eigencam', 'eigengradcam', 'gradcam-elementwise'];

const PNG_80 = `heatmaps { png(size: 2048, overlay: true) }`;
const explain80 = (alias = 'explain') =>
  `${alias}: explain(input: { imageId: $id, methods: ${JSON.stringify(EIGHT_METHODS)}, topK: 10 }) { ${PNG_80} }`;

const cases: RequestCase[] = [
  {
    name: 'png-2048-overlay-80-heatmaps',
    send: (c) => gql(c, `mutation($id: ID!) { ${explain80()} }`, { id: c.imageId }),
    expect: { status: 400, code: 'QUERY_TOO_COMPLEX' },
  },
  {
    name: 'png-2048-two-aliases',
    send: (c) => gql(c, `mutation($id: ID!) { ${explain80('a')} ${explain80('b')} }`, { id: c.imageId }),
    expect: { status: 400, code: 'QUERY_TOO_COMPLEX' },
  },
  {
    name: 'stored-png-2048-overlay',
    send: (c) => gql(c, `query($id: ID!) { explanation(id: $id) { ${PNG_80} } }`, { id: c.explanationId }),
    expect: { status: 400, code: 'QUERY_TOO_COMPLEX' },
  },
  {
    name: 'explain-24-aliases-perturbation',
    send: (c) => gql(c, `mutation($id: ID!) { ${Array.from({ length: 24 }, (_, i) =>
      `e${i}: explain(input: { imageId: $id, methods: ["scorecam", "ablationcam"], classes: [${i}] }) { id }`).join(' ')} }`, { id: c.imageId }),
    expect: { status: 400, code: 'QUERY_TOO_COMPLEX' },
  },
  {
    name: 'explanations-first-100000',
    send: (c) => gql(c, '{ explanations(first: 100000) { totalCount } }'),
    expect: { status: 400, code: 'BAD_REQUEST' },
  },
  {
    name: 'fragment-cycle',
    send: (c) => gql(c, '{ explanations { ...A } } fragment A on ExplanationConnection { totalCount ...B } fragment B on ExplanationConnection { ...A }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'too-deep',
    send: (c) => gql(c, '{ explanations { edges { node { image { explanations { edges { node { image { explanations { edges { node { id } } } } } } } } } } } }'),
    expect: { status: 400, code: 'QUERY_TOO_DEEP' },
  },
  {
    name: 'png-size-over-limit',
    send: (c) => gql(c, 'query($id: ID!) { explanation(id: $id) { heatmaps(first: 1) { png(size: 99999) } } }', { id: c.explanationId }),
    expect: { status: 400, code: 'BAD_REQUEST' },
  },
  {
    name: 'heatmaps-first-zero',
    send: (c) => gql(c, 'query($id: ID!) { explanation(id: $id) { heatmaps(first: 0) { method } } }', { id: c.explanationId }),
    expect: { status: 400, code: 'BAD_REQUEST' },
  },
  {
    name: 'unknown-field',
    send: (c) => gql(c, '{ explanations { nope } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'variable-wrong-type',
    send: (c) => gql(c, 'query($n: Int) { explanations(first: $n) { totalCount } }', { n: 'many' }),
    expect: { status: 400, code: 'BAD_USER_INPUT' },
  },
  {
    name: 'invalid-json',
    send: (c) => fetch(c.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' }),
    expect: { status: 400, code: 'BAD_REQUEST' },
  },
  {
    name: 'query-not-a-string',
    send: (c) => post(c, { query: 5 }),
    expect: { status: 400, code: 'BAD_REQUEST' },
  },
  {
    name: 'mutation-over-get',
    send: (c) => fetch(`${c.url}?query=${encodeURIComponent('mutation { uploadImage(data: "") { id } }')}`, { headers: { 'apollo-require-preflight': 'true' } }),
    expect: { status: 400, code: 'BAD_REQUEST' },
  },
  {
    name: 'body-over-limit-40mb',
    send: (c) => fetch(c.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(40 * 1024 * 1024, 0x20) }),
    expect: { status: 413, code: 'REQUEST_TOO_LARGE' },
  },
  {
    name: 'body-over-limit-streamed',
    send: (c) => {
      const chunk = new Uint8Array(1024 * 1024).fill(0x20);
      let left = Math.ceil(c.maxRequestBytes / chunk.length) + 2;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (left-- > 0) controller.enqueue(chunk);
          else controller.close();
        },
      });
      return fetch(c.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    },
    expect: { status: 413, code: 'REQUEST_TOO_LARGE' },
  },
];

/** The request corpus for a server whose body limit is below 40 MB (and its drain limit above it). */
export function requestCorpus(): RequestCase[] {
  return cases;
}

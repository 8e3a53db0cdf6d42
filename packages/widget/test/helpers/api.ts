// Direct GraphQL calls of the tests (what a page or another widget would store on the API), and
// simulated annotators: people's clicks stored as annotation sessions.
import { toDataUrl } from '../../src/image/load-image.js';

export async function graphql<T>(api: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

/** Click times of the simulated people: no faster than the API's minimums (150 ms to the first, 100 ms apart). */
const FIRST_CLICK_MS = 200;
const CLICK_INTERVAL_MS = 110;

/**
 * Store `people`'s clicks (continuous image positions) on the image at `src`, one session each, as the
 * widget would, at a person's pace (the API refuses faster clicks: IMPOSSIBLE_TIMING).
 */
export async function annotate(api: string, src: string, people: { x: number; y: number }[][], find?: { classIndex: number }): Promise<string> {
  const data = await toDataUrl(await (await fetch(src)).blob());
  const { uploadImage } = await graphql<{ uploadImage: { id: string } }>(api, 'mutation($d: String!) { uploadImage(data: $d) { id } }', { d: data });
  const tickets: string[] = [];
  for (const clicks of people) {
    const { startAnnotation: s } = await graphql<{ startAnnotation: { ticket: string } }>(api,
      'mutation($i: StartAnnotationInput!) { startAnnotation(input: $i) { ticket } }', { i: { imageId: uploadImage.id, maxClicks: clicks.length, ...(find ? { task: 'FIND', classIndex: find.classIndex } : {}) } });
    tickets.push(s.ticket);
  }
  const times = (n: number) => Array.from({ length: n }, (_, k) => FIRST_CLICK_MS + CLICK_INTERVAL_MS * k);
  // the API refuses clicks said to come later than their session's age: the sessions run side by side
  await new Promise((r) => setTimeout(r, Math.max(...people.map((c) => times(c.length).pop() ?? 0)) + 20));
  for (const [i, clicks] of people.entries()) {
    const t = times(clicks.length);
    await graphql(api, 'mutation($i: SubmitAnnotationInput!) { submitAnnotation(input: $i) { id } }',
      { i: { ticket: tickets[i], clicks: clicks.map((c, k) => ({ x: c.x, y: c.y, t: t[k] })) } });
  }
  return uploadImage.id;
}

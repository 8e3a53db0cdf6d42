// Polling an explainBatch job over GraphQL until it has finished (every item stored or failed), for
// the batch tests. A bound on the number of polls, never on the clock.
import type { TestServer } from './api-server.js';

export const BATCH_POLL = `query($id: ID!) { batchJob(id: $id) { id state total done failed runner finishedAt
  items(first: 10) { imageId method state error explanation { id methods heatmaps { method classIndex } } } } }`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function batchFinished(s: Pick<TestServer, 'gql'>, id: string, tries = 2400): Promise<any> {
  for (let i = 0; i < tries; i++) {
    const r = await s.gql(BATCH_POLL, { id });
    if (r.errors) throw new Error(`batchJob(${id}): ${JSON.stringify(r.errors)}`);
    const b = r.data!.batchJob;
    if (b.state === 'COMPLETED' || b.state === 'FAILED') return b;
    await sleep(250);
  }
  throw new Error(`batch ${id} did not finish after ${tries} polls`);
}

// The benches' API: a server on a free port with a throwaway SQLite database, and a GraphQL caller
// that throws on errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../packages/api/dist/server/start.js';
import { settingsFromEnv } from '../../packages/api/dist/server/settings.js';

/** Start the API serving `models` with `env` on top of the process's; { server, settings, gql, close }. */
export async function benchServer(models, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'saliency-bench-'));
  const settings = settingsFromEnv({ ...process.env, DATABASE_URL: `file:${join(dir, 'bench.sqlite')}`, SALIENCY_MODELS: models, SALIENCY_RATE_LIMIT: '0', ...env });
  settings.port = 0;
  const server = await startServer(settings);
  const gql = async (query, variables) => {
    const r = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = await r.json();
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  return {
    server, settings, gql,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Start the API in-process on a free port for end-to-end tests, and talk to it over real HTTP.
import { startServer, type RunningServer } from '../../packages/api/src/server/start.js';
import { settingsFromEnv, type ServerSettings } from '../../packages/api/src/server/settings.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

export interface TestServer {
  url: string;
  server: RunningServer;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** The first error's code, failing when there is none. */
  errorCode(query: string, variables?: Record<string, unknown>): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function startTestServer(databaseUrl: string, env: Record<string, string> = {}, tweak?: (s: ServerSettings) => void): Promise<TestServer> {
  const settings = settingsFromEnv({ SALIENCY_MODELS: 'squeezenet1.0,resnet18', ...env, DATABASE_URL: databaseUrl });
  settings.port = 0;
  tweak?.(settings);
  const server = await startServer(settings);
  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
    return { status: res.status, ...body };
  };
  return {
    url: server.url,
    server,
    gql,
    async errorCode(query, variables) {
      const r = await gql(query, variables);
      return r.errors?.[0]?.extensions?.code;
    },
    close: () => server.close(),
  };
}

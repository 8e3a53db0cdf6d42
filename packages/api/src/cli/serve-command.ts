// `saliency-explainer serve`: the GraphQL API until SIGINT/SIGTERM. Flags override the environment.
import { settingsFromEnv, type ServerSettings } from '../server/settings.js';
import { startServer } from '../server/start.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { listFlag, parseFlags } from './flags.js';
import type { Output } from './explain-command.js';

export const SERVE_HELP = `serve options (each also an environment variable; all limits are listed in docs/api.md):
      --port N              listen port (default 4000, env PORT; 0 = any free port)
      --host H              listen address (default 127.0.0.1, env SALIENCY_HOST)
      --database-url URL    file:/path.sqlite (default var/saliency.sqlite) or postgresql://… (env DATABASE_URL)
      --models ID[,ID...]   manifest models to serve (default: all fetched, test fixtures excepted; env SALIENCY_MODELS)
      --models-dir DIR      manifest and cache folder (default models/, env SALIENCY_MODELS_DIR)
      --user-models DIR     your own classifiers, served too: DIR/NAME.onnx with NAME.json (its spec, as for
                            explain --input-spec) and optional NAME.labels.txt (env SALIENCY_USER_MODELS_DIR)
      --cors-origins O[,O]  web pages of other origins allowed to read the API: local (default: pages
                            served from this machine), * (every site), origins, or none (env SALIENCY_CORS_ORIGINS)`;

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerSettings | 'help' {
  const { values, positionals } = parseFlags(argv, {
    port: { type: 'string' }, host: { type: 'string' }, 'database-url': { type: 'string' },
    models: { type: 'string' }, 'models-dir': { type: 'string' }, 'user-models': { type: 'string' }, 'cors-origins': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length) throw usageError(`serve takes no arguments, only flags (got '${positionals[0]}')`);
  if (values.help) return 'help';
  let s: ServerSettings;
  try {
    s = settingsFromEnv(env);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port ${values.port}: expected 0..65535`);
    s.port = port;
  }
  if (values.host) s.host = values.host;
  if (values['database-url']) s.databaseUrl = values['database-url'];
  if (values.models) s.models = listFlag([values.models]);
  if (values['models-dir']) s.modelsDir = values['models-dir'];
  if (values['user-models']) s.userModelsDir = values['user-models'];
  if (values['cors-origins']) s.corsOrigins = listFlag([values['cors-origins']]);
  return s;
}

export async function runServe(argv: string[], io: Output): Promise<ExitCode> {
  const settings = parseServeArgs(argv);
  if (settings === 'help') {
    io.out(SERVE_HELP);
    return EXIT.OK;
  }
  const server = await startServer(settings);
  const { pool, storage } = server.services;
  io.out(`saliency-explainer API on ${server.url}/graphql (database ${storage.provider}, ${pool.executionProvider}, models ${pool.ids.join(', ')}; default ${pool.defaultId})`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.out('saliency-explainer API: shutting down');
  await server.close();
  return EXIT.OK;
}

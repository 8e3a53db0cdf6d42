// Start the API: storage (migrated), model pool (default model compiled up front), Apollo Server
// with the limits, and Node's HTTP server. Returns the address and a graceful close().
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import sharp from 'sharp';
import { resolvers } from './resolvers.js';
import { annotationResolvers } from '../annotations/resolvers.js';
import { AnnotationService } from '../annotations/service.js';
import { campaignResolvers } from '../campaigns/resolvers.js';
import { batchResolvers } from '../batch/resolvers.js';
import { BatchService } from '../batch/service.js';
import { CampaignService } from '../campaigns/service.js';
import { QualityRunner } from '../campaigns/quality-runner.js';
import { Scoring } from '../annotations/scoring.js';
import { HeatmapResults } from '../compute/heatmap-results.js';
import { SanityChecks } from '../compute/sanity-checks.js';
import { ExplainService } from '../compute/explain-service.js';
import { ModelPool } from '../compute/model-pool.js';
import { openStorage } from '../storage/open.js';
import { openApiSharedState, type ApiSharedState } from '../queue/shared-state.js';
import type { ApiContext, ApiServices } from './context.js';
import { costEnvOf } from './cost-env.js';
import { httpStatusPlugin } from './http-status.js';
import { costPlugin, DEPTH_MESSAGE, depthRule } from './limits.js';
import { createRequestHandler } from './http.js';
import { staticRoutes } from './static.js';
import type { ServerSettings } from './settings.js';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCHEMA_FILE = join(PACKAGE_ROOT, 'schema.graphql');

export interface RunningServer {
  url: string;
  port: number;
  services: ApiServices;
  close(): Promise<void>;
}

export async function startServer(settings: ServerSettings): Promise<RunningServer> {
  // libvips' operation cache would keep decoded images of distinct uploads alive for nothing
  sharp.cache(false);
  const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const pool = new ModelPool({
    modelsDir: settings.modelsDir,
    userModelsDir: settings.userModelsDir,
    models: settings.models,
    executionProvider: settings.compute.executionProvider,
    perturbationBatchSize: settings.compute.perturbationBatchSize,
    workers: settings.compute.workers,
    intraOpThreads: settings.compute.intraOpThreads,
    maxImagePixels: settings.limits.maxImagePixels,
    decodePixels: settings.compute.decodePixels,
    heavyWorkers: settings.compute.heavyWorkers,
  });
  const storage = await openStorage(settings.databaseUrl);
  let shared: ApiSharedState | undefined;
  try {
    shared = await openApiSharedState(settings.databaseUrl, settings.limits.requestsPerMinute, settings.annotation);
    // the default model is compiled before the first request; the others on first use (their
    // rows are written with their first explanation)
    const { spec, numClasses } = await pool.get(pool.defaultId);
    await storage.upsertModel({ id: spec.id, task: spec.task, inputWidth: spec.input.width, inputHeight: spec.input.height, numClasses });
  } catch (e) {
    await shared?.close();
    await storage.close();
    await pool.close();
    throw e;
  }
  const { limits, compute } = settings;
  const explain = new ExplainService(pool, storage, limits, {
    size: compute.microBatchSize, windowMs: compute.microBatchWindowMs,
    heavyUnits: compute.heavyUnits, clientMaxUnits: compute.clientMaxUnits, decodePixels: compute.decodePixels,
  }, compute.cacheMegabytes * 1024 * 1024);
  const scoring = new Scoring();
  // replicas on one PostgreSQL database share the abuse counters and (unless configured) the tickets' key
  const annotations = new AnnotationService(storage, pool, { ...settings.annotation, secret: shared.ticketSecret }, scoring, shared.annotationLimiters);
  const results = new HeatmapResults(storage, explain, (model) => {
    const { width, height } = pool.spec(model).input;
    return Math.max(width, height);
  }, compute.captionerDir);
  const sanity = new SanityChecks(storage, explain);
  // reviews and reliability curves in a worker thread: a dashboard reading them never stalls participants
  const campaigns = new CampaignService(storage, annotations, settings.adminKey, { sigmaFraction: settings.annotation.humanMapSigma, maxSide: settings.annotation.alignmentMaxSide }, new QualityRunner());
  // a campaign's excluded participants are left out of Image.humanAttention (and what is scored against it)
  annotations.human.exclude = (imageId) => campaigns.store.excludedAnnotations(imageId);
  const batches = new BatchService(storage, explain, pool, limits, shared, results, annotations);
  const services: ApiServices = { pool, storage, explain, results, sanity, annotations, campaigns, batches, scoring, limits, shared, version, startedAt: Date.now() };

  const http: Server = createServer();
  const apollo = new ApolloServer<ApiContext>({
    typeDefs: readFileSync(SCHEMA_FILE, 'utf8'),
    resolvers: [resolvers, annotationResolvers, campaignResolvers, batchResolvers],
    validationRules: [depthRule(limits.maxQueryDepth)],
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: http }),
      costPlugin(limits, costEnvOf(pool, limits, storage)),
      httpStatusPlugin(),
    ],
    formatError: (formatted, error) => {
      if (DEPTH_MESSAGE.test(formatted.message)) {
        return { ...formatted, message: `${formatted.message} (SALIENCY_MAX_QUERY_DEPTH)`, extensions: { code: 'QUERY_TOO_DEEP' } };
      }
      if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
        console.error('saliency-explainer: internal error', error);
        return { message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
      return formatted;
    },
  });
  await apollo.start();
  http.on('request', createRequestHandler(apollo, services, settings, staticRoutes(pool, settings.modelsDir)));
  http.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(settings.port, settings.host, () => resolve());
  });
  // batches left unfinished by the last run of an in-process (SQLite) server go on
  await batches.resume();
  const port = (http.address() as AddressInfo).port;
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? 'localhost' : settings.host;
  return {
    url: `http://${host}:${port}`,
    port,
    services,
    async close() {
      await apollo.stop(); // drains the HTTP server
      await batches.close(); // the items in hand finish; the rest wait for the next start
      await pool.close();
      await scoring.close();
      await campaigns.quality.close();
      await shared?.close();
      await storage.close();
    },
  };
}

// What every resolver gets: the long-lived services of the server and the request's client.
import type { AnnotationService } from '../annotations/service.js';
import type { BatchService } from '../batch/service.js';
import type { CampaignService } from '../campaigns/service.js';
import type { Scoring } from '../annotations/scoring.js';
import type { ExplainService } from '../compute/explain-service.js';
import type { HeatmapResults } from '../compute/heatmap-results.js';
import type { SanityChecks } from '../compute/sanity-checks.js';
import type { ModelPool } from '../compute/model-pool.js';
import type { Storage } from '../storage/types.js';
import type { ApiSharedState } from '../queue/shared-state.js';
import type { ResponseBudget } from './response-budget.js';
import type { Limits } from './settings.js';

export interface ApiServices {
  pool: ModelPool;
  storage: Storage;
  explain: ExplainService;
  /** What is computed about a stored heatmap on request (faithfulness, captions), stored once. */
  results: HeatmapResults;
  /** Sanity checks (cascading randomisation) of served models, kept in memory. */
  sanity: SanityChecks;
  /** Crowd annotation sessions and pooled human attention. */
  annotations: AnnotationService;
  /** Annotation campaigns (organiser operations behind SALIENCY_ADMIN_KEY). */
  campaigns: CampaignService;
  /** Bulk explains (explainBatch): queued jobs on PostgreSQL, this server's compute workers on SQLite. */
  batches: BatchService;
  /** Human-attention scoring off the main thread (agreement, alignment against people). */
  scoring: Scoring;
  limits: Limits;
  /** Rate limiter and queue health shared by replicas through PostgreSQL (memory and none on SQLite). */
  shared?: ApiSharedState;
  version: string;
  startedAt: number;
}

export interface ApiContext extends ApiServices {
  /** The client address (rate limits, the engine's fair queue): the socket's, or from trusted proxies (SALIENCY_TRUST_PROXY). */
  client: string;
  /** The request's Authorization header (the admin key of campaign operations). */
  authorization?: string;
  /** Bytes this response may still carry (SALIENCY_MAX_RESPONSE_BYTES). */
  response: ResponseBudget;
}

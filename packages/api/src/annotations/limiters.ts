// The annotation abuse counters: submissions per minute (per annotator and per client address,
// SALIENCY_ANNOTATION_RATE) and new annotator tokens per hour per client address
// (SALIENCY_ANNOTATION_NEW_ANNOTATORS). In one process's memory on SQLite; on PostgreSQL the API's
// shared state (queue/shared-state.ts) keeps them in the database, so replicas behind one address
// count one client's requests together.
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AnnotationSettings } from '../server/settings.js';

export interface AnnotationLimiters {
  /** Submissions per minute; keys `address:<client>` and `annotator:<hash>`. null: no limit. */
  submissions: RateLimiterAbstract | null;
  /** New annotator tokens per hour; key `new:<client>`. null: no limit. */
  newAnnotators: RateLimiterAbstract | null;
}

export type LimiterTerms = Pick<AnnotationSettings, 'submissionsPerMinute' | 'newAnnotatorsPerHour'>;

export function memoryAnnotationLimiters(settings: LimiterTerms): AnnotationLimiters {
  return {
    submissions: settings.submissionsPerMinute > 0 ? new RateLimiterMemory({ points: settings.submissionsPerMinute, duration: 60 }) : null,
    newAnnotators: settings.newAnnotatorsPerHour > 0 ? new RateLimiterMemory({ points: settings.newAnnotatorsPerHour, duration: 3600 }) : null,
  };
}

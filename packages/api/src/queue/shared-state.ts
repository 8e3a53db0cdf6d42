// State that several processes share through PostgreSQL: the API's request rate limit and the
// annotation abuse counters (so that replicas behind one address count as one), the annotation
// tickets' HMAC key when none is configured (so that a ticket issued by one replica is taken by
// another; the replay check is the Annotation table's unique nonce, in the same database), the registry of queue workers (heartbeats; a worker that stops
// answering has its jobs handed back to the queue at once instead of after their expiry), and the
// queue's health (depth, active, parked jobs, workers seen). All of it lives in its own schema,
// `saliency_shared`, next to pg-boss's `pgboss`, so Prisma's tables and migrations never see it.
// SQLite has none of this: one process, counters in memory, work in-process.
import { hostname } from 'node:os';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { openQueue } from './queue.js';
import { randomBytes } from 'node:crypto';
import { memoryAnnotationLimiters, type AnnotationLimiters, type LimiterTerms } from '../annotations/limiters.js';

export const SHARED_SCHEMA = 'saliency_shared';
/** pg-boss's schema (its default). */
export const QUEUE_SCHEMA = 'pgboss';
/** A worker whose last heartbeat is older than this is taken for dead (its active jobs are failed, so retried). */
export const DEFAULT_STALE_SECONDS = 20;

export function newPgPool(databaseUrl: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  pool.on('error', () => undefined); // an idle client's lost connection; the next query reconnects
  return pool;
}

/** Creates the shared schema and tables once (under an advisory lock: replicas starting together do not collide). */
export async function ensureSharedSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('${SHARED_SCHEMA}.schema'))`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${SHARED_SCHEMA}`);
    // the table rate-limiter-flexible's RateLimiterPostgres would create (its own DDL), made here under the lock
    await client.query(`CREATE TABLE IF NOT EXISTS ${SHARED_SCHEMA}.rate_limit (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${SHARED_SCHEMA}.secret (name text PRIMARY KEY, value text NOT NULL, created_on timestamptz NOT NULL DEFAULT now())`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${SHARED_SCHEMA}.worker (
      id text PRIMARY KEY,
      host text NOT NULL,
      pid integer NOT NULL,
      queues text[] NOT NULL,
      started_on timestamptz NOT NULL DEFAULT now(),
      seen_on timestamptz NOT NULL DEFAULT now(),
      stopped_on timestamptz,
      stop_reason text,
      jobs_done integer NOT NULL DEFAULT 0,
      jobs_failed integer NOT NULL DEFAULT 0,
      active text[] NOT NULL DEFAULT '{}'
    )`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/**
 * The requests-per-minute limiter of the API: in memory (one process) for SQLite; in PostgreSQL for a
 * PostgreSQL database, with the memory limiter as insurance while the database cannot be reached.
 */
export async function requestLimiter(pool: pg.Pool | null, points: number): Promise<RateLimiterAbstract | null> {
  if (points <= 0) return null;
  const memory = new RateLimiterMemory({ points, duration: 60 });
  if (!pool) return memory;
  await ensureSharedSchema(pool);
  return new RateLimiterPostgres({
    storeClient: pool, storeType: 'pool', schemaName: SHARED_SCHEMA, tableName: 'rate_limit', tableCreated: true,
    keyPrefix: 'api', points, duration: 60, insuranceLimiter: memory,
  });
}

/**
 * The annotation abuse counters in PostgreSQL (rate-limiter-flexible's Postgres store, the request
 * limiter's table under their own key prefixes), each with its memory limiter as insurance while the
 * database cannot be reached.
 */
export async function sharedAnnotationLimiters(pool: pg.Pool, terms: LimiterTerms): Promise<AnnotationLimiters> {
  await ensureSharedSchema(pool);
  const memory = memoryAnnotationLimiters(terms);
  const store = (keyPrefix: string, points: number, duration: number, insurance: RateLimiterAbstract | null) => (points > 0
    ? new RateLimiterPostgres({
      storeClient: pool, storeType: 'pool', schemaName: SHARED_SCHEMA, tableName: 'rate_limit', tableCreated: true,
      keyPrefix, points, duration, ...(insurance ? { insuranceLimiter: insurance } : {}),
    })
    : null);
  return {
    submissions: store('annotation', terms.submissionsPerMinute, 60, memory.submissions),
    newAnnotators: store('new-annotator', terms.newAnnotatorsPerHour, 3600, memory.newAnnotators),
  };
}

/**
 * A secret shared by every process on the database, made once (32 random bytes, base64url) by the first
 * that asks: the annotation tickets' HMAC key of replicas that have no SALIENCY_ANNOTATION_SECRET.
 */
export async function sharedSecret(pool: pg.Pool, name: string): Promise<string> {
  await ensureSharedSchema(pool);
  await pool.query(`INSERT INTO ${SHARED_SCHEMA}.secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, randomBytes(32).toString('base64url')]);
  const { rows } = await pool.query<{ value: string }>(`SELECT value FROM ${SHARED_SCHEMA}.secret WHERE name = $1`, [name]);
  return rows[0].value;
}

export interface QueueHealth {
  /** Jobs waiting to run (created, or waiting for a retry). */
  depth: number;
  /** Jobs running now. */
  active: number;
  /** Jobs parked after their last retry failed (their error is kept with the job). */
  failed: number;
  /** Workers with a heartbeat within the stale limit. */
  workersSeen: number;
}

async function queueInstalled(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ job: string | null; worker: string | null }>(
    `SELECT to_regclass('${QUEUE_SCHEMA}.job')::text AS job, to_regclass('${SHARED_SCHEMA}.worker')::text AS worker`,
  );
  return rows[0].job !== null && rows[0].worker !== null;
}

/** The queue's counts over all its queues (zeros before the first job or worker). */
export async function queueHealth(pool: pg.Pool, staleSeconds = DEFAULT_STALE_SECONDS): Promise<QueueHealth> {
  if (!(await queueInstalled(pool))) return { depth: 0, active: 0, failed: 0, workersSeen: 0 };
  const { rows } = await pool.query<{ depth: string; active: string; failed: string; workers: string }>(`SELECT
      (SELECT count(*) FROM ${QUEUE_SCHEMA}.job WHERE state IN ('created', 'retry')) AS depth,
      (SELECT count(*) FROM ${QUEUE_SCHEMA}.job WHERE state = 'active') AS active,
      (SELECT count(*) FROM ${QUEUE_SCHEMA}.job WHERE state = 'failed') AS failed,
      (SELECT count(*) FROM ${SHARED_SCHEMA}.worker WHERE stopped_on IS NULL AND seen_on > now() - make_interval(secs => $1)) AS workers`, [staleSeconds]);
  const r = rows[0];
  return { depth: Number(r.depth), active: Number(r.active), failed: Number(r.failed), workersSeen: Number(r.workers) };
}

/** One worker process's row in the registry. */
export class WorkerRegistration {
  readonly id: string;
  private readonly active = new Set<string>();

  constructor(private readonly pool: pg.Pool, readonly queues: string[]) {
    this.id = `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
  }

  async register(): Promise<void> {
    await ensureSharedSchema(this.pool);
    await this.pool.query(`INSERT INTO ${SHARED_SCHEMA}.worker (id, host, pid, queues) VALUES ($1, $2, $3, $4)`, [this.id, hostname(), process.pid, this.queues]);
  }

  started(jobId: string): Promise<void> {
    this.active.add(jobId);
    return this.beat();
  }

  async ended(jobId: string, ok: boolean): Promise<void> {
    this.active.delete(jobId);
    await this.pool.query(`UPDATE ${SHARED_SCHEMA}.worker SET seen_on = now(), active = $2, ${ok ? 'jobs_done = jobs_done + 1' : 'jobs_failed = jobs_failed + 1'} WHERE id = $1`, [this.id, [...this.active]]);
  }

  async beat(): Promise<void> {
    await this.pool.query(`UPDATE ${SHARED_SCHEMA}.worker SET seen_on = now(), active = $2, stopped_on = NULL WHERE id = $1`, [this.id, [...this.active]]);
  }

  async stopped(reason: string): Promise<void> {
    await this.pool.query(`UPDATE ${SHARED_SCHEMA}.worker SET stopped_on = now(), stop_reason = $2, active = '{}' WHERE id = $1`, [this.id, reason]);
  }
}

/**
 * Marks the workers whose heartbeat is older than `staleSeconds` as stopped and returns the jobs they
 * held (each row is taken by exactly one caller: several reapers may run at once).
 */
export async function reapStaleWorkers(pool: pg.Pool, staleSeconds: number): Promise<{ worker: string; jobs: string[] }[]> {
  const { rows } = await pool.query<{ id: string; jobs: string[] }>(`WITH stale AS (
      SELECT id, active FROM ${SHARED_SCHEMA}.worker
      WHERE stopped_on IS NULL AND seen_on < now() - make_interval(secs => $1) FOR UPDATE SKIP LOCKED
    )
    UPDATE ${SHARED_SCHEMA}.worker w SET stopped_on = now(), stop_reason = 'no heartbeat for ' || $1 || ' s', active = '{}'
    FROM stale WHERE w.id = stale.id RETURNING w.id, stale.active AS jobs`, [staleSeconds]);
  return rows.map((r) => ({ worker: r.id, jobs: r.jobs }));
}

/** What the API keeps across replicas: its rate limiter and the queue's health (null on SQLite: no queue). */
export interface ApiSharedState {
  limiter: RateLimiterAbstract | null;
  queueHealth(): Promise<QueueHealth | null>;
  /** The PostgreSQL connections of the shared state (null on SQLite). */
  pool: pg.Pool | null;
  /** pg-boss for sending jobs (explainBatch), started on first use; null on SQLite. */
  queue(): Promise<PgBoss | null>;
  /** The annotation abuse counters (in memory on SQLite). */
  annotationLimiters: AnnotationLimiters;
  /** The annotation tickets' HMAC key: the configured one, else on PostgreSQL the database's (null: a random one per process). */
  ticketSecret: string | null;
  close(): Promise<void>;
}

const NO_ANNOTATION_LIMITS: LimiterTerms & { secret: string | null } = { submissionsPerMinute: 0, newAnnotatorsPerHour: 0, secret: null };

export async function openApiSharedState(
  databaseUrl: string, requestsPerMinute: number, annotation: LimiterTerms & { secret: string | null } = NO_ANNOTATION_LIMITS,
): Promise<ApiSharedState> {
  if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    return {
      limiter: await requestLimiter(null, requestsPerMinute), queueHealth: async () => null, pool: null, queue: async () => null,
      annotationLimiters: memoryAnnotationLimiters(annotation), ticketSecret: annotation.secret, close: async () => undefined,
    };
  }
  const pool = newPgPool(databaseUrl, 4);
  let boss: Promise<PgBoss> | undefined;
  try {
    const limiter = await requestLimiter(pool, requestsPerMinute);
    await ensureSharedSchema(pool);
    const annotationLimiters = await sharedAnnotationLimiters(pool, annotation);
    const ticketSecret = annotation.secret ?? await sharedSecret(pool, 'annotation-ticket');
    return {
      limiter, pool, queueHealth: () => queueHealth(pool), annotationLimiters, ticketSecret,
      // the replicas only send: the workers run pg-boss's maintenance
      queue: () => (boss ??= openQueue(databaseUrl, { supervise: false }).catch((e: unknown) => {
        boss = undefined;
        throw e;
      })),
      async close() {
        if (boss) await (await boss.catch(() => null))?.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
        await pool.end();
      },
    };
  } catch (e) {
    await pool.end();
    throw e;
  }
}

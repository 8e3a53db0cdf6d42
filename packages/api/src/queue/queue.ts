// The job queue: pg-boss on the PostgreSQL database the API already uses (schema `pgboss`, created and
// migrated by pg-boss itself on start). pg-boss fetches with FOR UPDATE SKIP LOCKED, so any number of
// worker processes on any number of machines take distinct jobs; a job that throws is retried after
// retryDelay·2^n seconds (with jitter) up to retryLimit times, then parked in state `failed` with the
// error as its output; an active job past its expiry counts as a failure (retried). Our worker registry
// (shared-state.ts) fails a dead worker's jobs sooner: heartbeats, not the expiry, notice a SIGKILL.
import PgBoss from 'pg-boss';
import type pg from 'pg';
import { QUEUE_SCHEMA, SHARED_SCHEMA, reapStaleWorkers } from './shared-state.js';

/** The leaderboard cells of `eval --distributed` (eval/distributed.ts). */
export const EVAL_QUEUE = 'eval-cell';
/** The items (image × method) of explainBatch (batch/). */
export const EXPLAIN_QUEUE = 'explain-item';
/** Every queue a worker takes jobs from. */
export const WORKER_QUEUES = [EVAL_QUEUE, EXPLAIN_QUEUE] as const;

export interface JobPolicy {
  /** Retries after the first attempt. */
  retryLimit: number;
  /** Seconds before the first retry; doubled (with jitter) for each further one. */
  retryDelay: number;
  /** An active job older than this is failed (and retried): the backstop for a worker that hangs. */
  expireInSeconds: number;
}

export const DEFAULT_JOB_POLICY: JobPolicy = { retryLimit: 3, retryDelay: 10, expireInSeconds: 3600 };

export interface OpenQueueOptions {
  /** Run pg-boss's maintenance (expiry of active jobs, archiving) from this process; every process may. */
  supervise?: boolean;
  maintenanceIntervalSeconds?: number;
}

export async function openQueue(databaseUrl: string, options: OpenQueueOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl, schema: QUEUE_SCHEMA, max: 4, application_name: 'saliency-explainer',
    supervise: options.supervise ?? true, maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
    // jobs are kept (completed ones archived after a day, parked ones after a week) for `eval` to read
    archiveCompletedAfterSeconds: 24 * 3600, archiveFailedAfterSeconds: 7 * 24 * 3600, schedule: false,
  });
  boss.on('error', (e) => console.error(`saliency-explainer queue: ${e.message}`));
  await boss.start();
  return boss;
}

/** Creates the queue if it does not exist (its defaults; each job carries its own policy anyway). */
export async function ensureQueue(boss: PgBoss, name: string): Promise<void> {
  if (!(await boss.getQueue(name))) {
    try {
      await boss.createQueue(name, { name, policy: 'standard', retryLimit: DEFAULT_JOB_POLICY.retryLimit, retryDelay: DEFAULT_JOB_POLICY.retryDelay, retryBackoff: true });
    } catch (e) {
      if (!(await boss.getQueue(name))) throw e; // another process created it meanwhile
    }
  }
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export interface JobStatus {
  id: string;
  state: JobState;
  retryCount: number;
  output: unknown;
}

/** The states of the given jobs, read from pg-boss's tables (its job table and its archive). */
export async function jobStates(pool: pg.Pool, name: string, ids: readonly string[]): Promise<JobStatus[]> {
  if (ids.length === 0) return [];
  const { rows } = await pool.query<{ id: string; state: JobState; retry_count: number; output: unknown }>(
    `SELECT id::text, state::text, retry_count, output FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND id = ANY($2::uuid[])
     UNION ALL
     SELECT id::text, state::text, retry_count, output FROM ${QUEUE_SCHEMA}.archive WHERE name = $1 AND id = ANY($2::uuid[])`,
    [name, ids],
  );
  return rows.map((r) => ({ id: r.id, state: r.state, retryCount: r.retry_count, output: r.output }));
}

/**
 * Cancels the groups of jobs (an image's cells) none of whose jobs has started, and returns their ids;
 * a group with any job taken, finished or parked is left whole to run to its end. Every job of the
 * groups is locked first (FOR UPDATE): pg-boss's fetch skips locked rows, so no worker starts one of
 * them between the check and the cancel — the cancel is pg-boss's own (cancelJobs), made in the same
 * transaction.
 */
export async function cancelUnstartedGroups(pool: pg.Pool, name: string, groups: readonly (readonly string[])[]): Promise<string[]> {
  const ids = groups.flat();
  if (ids.length === 0) return [];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string; state: JobState }>(
      `SELECT id::text, state::text FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND id = ANY($2::uuid[]) FOR UPDATE`, [name, ids]);
    const state = new Map(rows.map((r) => [r.id, r.state]));
    // waiting for its first run or for a retry (a failed attempt stores nothing); a job not in the
    // table was archived, so it finished
    const unstarted = (id: string) => state.get(id) === 'created' || state.get(id) === 'retry';
    const cancel = groups.filter((g) => g.every(unstarted)).flat();
    if (cancel.length > 0) {
      await client.query(`UPDATE ${QUEUE_SCHEMA}.job SET completed_on = now(), state = 'cancelled' WHERE name = $1 AND id = ANY($2::uuid[])`, [name, cancel]);
    }
    await client.query('COMMIT');
    return cancel;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** Parked jobs of a queue, newest first, with their error. */
export async function parkedJobs(pool: pg.Pool, name: string, limit: number): Promise<{ id: string; data: unknown; retryCount: number; completedOn: Date; error: string }[]> {
  const { rows } = await pool.query<{ id: string; data: unknown; retry_count: number; completed_on: Date; output: unknown }>(
    `SELECT id::text, data, retry_count, completed_on, output FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = 'failed'
     ORDER BY completed_on DESC LIMIT $2`, [name, limit],
  );
  return rows.map((r) => ({ id: r.id, data: r.data, retryCount: r.retry_count, completedOn: r.completed_on, error: errorText(r.output) }));
}

/** The message pg-boss stored for a failed job (a serialised Error, or `{ value: { message } }` for an expiry). */
export function errorText(output: unknown): string {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null;
  if (o && typeof o.message === 'string') return o.message;
  if (o?.value && typeof o.value.message === 'string') return o.value.message;
  return output == null ? 'unknown error' : JSON.stringify(output);
}

/**
 * Fails the active jobs of our queues that no live worker lists (and so retries them), once they have
 * been active for `staleSeconds`: a worker killed after pg-boss handed it a job but before it recorded
 * the job in its registry row (a few milliseconds, but a SIGKILL can land there) would otherwise leave
 * the job active until its expiry (an hour). A worker lists a job right after taking it, so a job
 * that old and unlisted has no one working on it. One reaper at a time (an advisory lock), so a job is
 * failed once.
 */
async function failOrphanedJobs(boss: PgBoss, pool: pg.Pool, staleSeconds: number): Promise<number> {
  const client = await pool.connect();
  try {
    const { rows: [lock] } = await client.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(hashtext('${QUEUE_SCHEMA}.orphans')) AS got`);
    if (!lock.got) return 0;
    try {
      const { rows } = await client.query<{ id: string; name: string }>(`SELECT j.id::text, j.name FROM ${QUEUE_SCHEMA}.job j
        WHERE j.name = ANY($1::text[]) AND j.state = 'active' AND j.started_on < now() - make_interval(secs => $2)
          AND NOT EXISTS (SELECT 1 FROM ${SHARED_SCHEMA}.worker w WHERE w.stopped_on IS NULL AND j.id::text = ANY(w.active))`, [[...WORKER_QUEUES], staleSeconds]);
      for (const job of rows) await boss.fail(job.name, job.id, { message: `no live worker held this job for ${staleSeconds} s (its worker stopped before recording it)` });
      return rows.length;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('${QUEUE_SCHEMA}.orphans'))`);
    }
  } finally {
    client.release();
  }
}

/**
 * Hands the jobs of workers that stopped answering back to the queue: each is failed with the reason,
 * which pg-boss turns into a retry (after the backoff) or, past its retry limit, parks it.
 */
export async function reapDeadWorkers(boss: PgBoss, pool: pg.Pool, staleSeconds: number): Promise<number> {
  let n = await failOrphanedJobs(boss, pool, staleSeconds);
  for (const dead of await reapStaleWorkers(pool, staleSeconds)) {
    if (dead.jobs.length === 0) continue;
    // the worker's jobs may be of any queue: each is failed in its own
    const { rows } = await pool.query<{ id: string; name: string }>(
      `SELECT id::text, name FROM ${QUEUE_SCHEMA}.job WHERE id = ANY($1::uuid[]) AND state = 'active'`, [dead.jobs]);
    for (const job of rows) await boss.fail(job.name, job.id, { message: `worker ${dead.worker} stopped answering (no heartbeat for ${staleSeconds} s)` });
    n += rows.length;
  }
  return n;
}

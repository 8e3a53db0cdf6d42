// Fresh, isolated test databases per provider: a temp SQLite file, or CREATE DATABASE on the globalSetup's PostgreSQL server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import type {} from './postgres-setup.js'; // declares the provided keys (postgresUrl, postgresSkipReason)

export interface TestDatabase {
  provider: 'sqlite' | 'postgresql';
  /** Why this provider's tests must be skipped (no PostgreSQL available); null when they run. */
  skipReason: string | null;
  /** The URL of a new, empty database (call once per test or suite that needs a clean one). */
  url(): Promise<string>;
}

const sqliteDirs: string[] = [];
const postgresDatabases: { server: string; name: string }[] = [];
let counter = 0;

function uniqueName(): string {
  return `saliency_test_${process.pid}_${Date.now().toString(36)}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
}

async function withServer<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function newSqliteUrl(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'saliency-sqlite-'));
  sqliteDirs.push(dir);
  return `file:${join(dir, 'test.db')}`;
}

async function newPostgresUrl(serverUrl: string): Promise<string> {
  const name = uniqueName();
  await withServer(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  postgresDatabases.push({ server: serverUrl, name });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops the PostgreSQL databases and deletes the SQLite files created so far by this module. */
export async function cleanupTestDatabases(): Promise<void> {
  for (const dir of sqliteDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const { server, name } of postgresDatabases.splice(0)) {
    // WITH (FORCE) (PostgreSQL 13+): a client the test forgot to close must not keep the database alive
    await withServer(server, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch((e: unknown) => {
      console.warn(`databases.ts: could not drop ${name}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
}

/**
 * The providers to run a suite against. Registers the clean-up with afterAll, so call it at the top of a
 * test file or inside a describe block.
 */
export function testDatabases(): TestDatabase[] {
  afterAll(cleanupTestDatabases);
  const serverUrl = inject('postgresUrl');
  const skipReason = inject('postgresSkipReason');
  return [
    { provider: 'sqlite', skipReason: null, url: newSqliteUrl },
    {
      provider: 'postgresql',
      skipReason: serverUrl ? null : skipReason || 'no PostgreSQL server (is test/support/postgres-setup.ts registered as globalSetup?)',
      url: () => {
        if (!serverUrl) return Promise.reject(new Error(`PostgreSQL is not available: ${skipReason}`));
        return newPostgresUrl(serverUrl);
      },
    },
  ];
}

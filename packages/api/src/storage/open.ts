// openStorage(url): the Prisma client and driver adapter by URL scheme (file: → better-sqlite3, postgres:// → pg), migrated and checked.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client.js';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client.js';
import { providerOf, redactUrl, sqliteFilePath, type Provider } from './database-url.js';
import { migrate, type MigrateOptions } from './migrate.js';
import { PrismaStorage, type StorageClient } from './prisma-storage.js';
import { StorageError, type Storage } from './types.js';

export interface OpenStorageOptions extends MigrateOptions {
  /** Apply the committed migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL: most connections in the pool (default 10). */
  poolSize?: number;
}

/** Interactive transactions may queue behind each other (SQLite has one writer): wait longer than Prisma's 2 s. */
const transactionOptions = { maxWait: 10_000, timeout: 20_000 };

/** A Prisma client for the URL, without migrating or connecting; for tools and tests that need raw access. */
export function createPrismaClient(databaseUrl: string, options: OpenStorageOptions = {}): { provider: Provider; client: StorageClient } {
  const provider = providerOf(databaseUrl);
  if (provider === 'sqlite') {
    const file = sqliteFilePath(databaseUrl);
    if (file) mkdirSync(dirname(file), { recursive: true });
    const adapter = new PrismaBetterSqlite3({ url: file ?? ':memory:', timeout: options.sqliteBusyTimeoutMs ?? 5000 });
    return { provider, client: new SqliteClient({ adapter, transactionOptions }) };
  }
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
  // both generated clients have the same models and methods (only the isolation levels offered to
  // $transaction differ, and the storage uses none), so the storage code is typed against the SQLite one
  return { provider, client: new PostgresClient({ adapter, transactionOptions }) as unknown as StorageClient };
}

export async function openStorage(databaseUrl: string, options: OpenStorageOptions = {}): Promise<Storage> {
  const provider = providerOf(databaseUrl);
  if (options.migrate !== false) await migrate(databaseUrl, options);
  const { client } = createPrismaClient(databaseUrl, options);
  const storage = new PrismaStorage(client, provider);
  try {
    if (provider === 'sqlite') {
      // readers keep reading while a writer writes (stored in the database file); in WAL mode
      // synchronous=NORMAL cannot corrupt the database and saves an fsync per commit (per connection)
      await client.$queryRawUnsafe('PRAGMA journal_mode = WAL');
      await client.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
    }
    await storage.ping();
  } catch (e) {
    await client.$disconnect().catch(() => undefined);
    const error = new StorageError('DATABASE', `cannot use the database ${redactUrl(databaseUrl)}: ${e instanceof Error ? e.message : String(e)}`);
    error.cause = e;
    throw error;
  }
  return storage;
}

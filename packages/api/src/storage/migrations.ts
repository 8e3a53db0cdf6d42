// The committed SQL migrations (prisma/migrations/<provider>) and the `_prisma_migrations` rules both runners share.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Provider } from './database-url.js';
import { StorageError } from './types.js';

export interface Migration {
  /** Folder name, e.g. 20261130081949_init; applied in name order. */
  name: string;
  sql: string;
  /** sha256 of migration.sql, lower-case hex: what Prisma records in `checksum`. */
  checksum: string;
}

/** A row of `_prisma_migrations` (only the columns the runners read). */
export interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/**
 * The repository's prisma/migrations, found from this module (src/storage or dist/storage of
 * packages/api, four levels below the root); env SALIENCY_MIGRATIONS_DIR overrides it.
 */
export function defaultMigrationsDir(): string {
  const fromEnv = process.env.SALIENCY_MIGRATIONS_DIR;
  if (fromEnv) return resolve(fromEnv);
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../../prisma/migrations');
}

export async function readMigrations(migrationsDir: string, provider: Provider): Promise<Migration[]> {
  const dir = join(migrationsDir, provider);
  if (!existsSync(dir)) {
    throw new StorageError('DATABASE', `no ${provider} migrations at ${dir} (set SALIENCY_MIGRATIONS_DIR or the migrationsDir option)`);
  }
  const lock = join(dir, 'migration_lock.toml');
  if (existsSync(lock)) {
    const locked = /^\s*provider\s*=\s*"([^"]+)"/m.exec(await readFile(lock, 'utf8'))?.[1];
    if (locked !== undefined && locked !== provider) {
      throw new StorageError('DATABASE', `${lock} is for provider "${locked}", not "${provider}"`);
    }
  }
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const file = join(dir, name, 'migration.sql');
    if (!existsSync(file)) throw new StorageError('DATABASE', `migration ${name} has no migration.sql (${file})`);
    const bytes = await readFile(file);
    migrations.push({ name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') });
  }
  if (migrations.length === 0) throw new StorageError('DATABASE', `no migrations in ${dir}`);
  return migrations;
}

/**
 * The migrations still to apply, in order, given the table's rows. Like `prisma migrate deploy`: a
 * migration that started but neither finished nor was rolled back blocks everything (P3009); rolled-back
 * rows do not count as applied; a changed checksum or a migration unknown here is only reported.
 */
export function pendingMigrations(rows: MigrationRow[], migrations: Migration[], warn?: (message: string) => void): Migration[] {
  const failed = rows.find((r) => r.finished_at == null && r.rolled_back_at == null);
  if (failed) {
    throw new StorageError(
      'DATABASE',
      `migration ${failed.migration_name} failed earlier and was not resolved; fix the database, then mark it with ` +
        '`prisma migrate resolve --applied|--rolled-back` (or update its row in _prisma_migrations)',
    );
  }
  const applied = new Map(rows.filter((r) => r.finished_at != null && r.rolled_back_at == null).map((r) => [r.migration_name, r]));
  if (warn) {
    const local = new Set(migrations.map((m) => m.name));
    for (const m of migrations) {
      const row = applied.get(m.name);
      if (row && row.checksum !== m.checksum) warn(`migration ${m.name} was modified after it was applied (checksum differs)`);
    }
    for (const name of applied.keys()) {
      if (!local.has(name)) warn(`migration ${name} is applied in the database but not present locally`);
    }
  }
  return migrations.filter((m) => !applied.has(m.name));
}

/** The DDL Prisma's schema engine uses for its bookkeeping table, per provider (IF NOT EXISTS added). */
export const MIGRATIONS_TABLE_DDL: Record<Provider, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  postgresql: `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`,
};

/** One step of a run: inside a transaction that excludes other migrators, read the rows, maybe apply one. */
export interface MigrationTransaction {
  /** Creates the table when missing, then returns its rows. */
  rows(): Promise<MigrationRow[]>;
  /** Runs the migration's script and records it as finished (one step), all in this transaction. */
  apply(migration: Migration): Promise<void>;
}

/** A connection of one provider that runs steps, each in its own exclusive transaction. */
export interface Migrator {
  step<T>(fn: (tx: MigrationTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// SQLite migration steps (better-sqlite3): BEGIN IMMEDIATE with foreign keys off, foreign_key_check before COMMIT.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { MIGRATIONS_TABLE_DDL, type Migration, type MigrationRow, type MigrationTransaction, type Migrator } from './migrations.js';
import { StorageError } from './types.js';

// Each step's BEGIN IMMEDIATE waits for (busy timeout) and then excludes any other writer. Foreign keys are
// off because Prisma's table-redefining SQLite migrations need it (DROP TABLE would otherwise cascade).

/** Timestamps as Prisma writes DateTime values on SQLite (ISO 8601; Prisma's own deploy agrees). */
function sqliteNow(): string {
  return new Date().toISOString().replace('Z', '+00:00');
}

function transaction(db: Database.Database): MigrationTransaction {
  return {
    async rows() {
      db.exec(MIGRATIONS_TABLE_DDL.sqlite);
      const rows = db.prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at').all() as MigrationRow[];
      return rows.map((r) => ({ migration_name: String(r.migration_name), checksum: String(r.checksum), finished_at: r.finished_at, rolled_back_at: r.rolled_back_at }));
    },
    async apply(migration: Migration) {
      const startedAt = sqliteNow();
      db.exec(migration.sql);
      db.prepare('INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)')
        .run(randomUUID(), migration.checksum, sqliteNow(), migration.name, startedAt);
    },
  };
}

export function sqliteMigrator(file: string, busyTimeoutMs: number): Migrator {
  const db = new Database(file, { timeout: busyTimeoutMs });
  return {
    async step(fn) {
      db.pragma('foreign_keys = OFF');
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(transaction(db));
        const violations = db.pragma('foreign_key_check') as { table: string }[];
        if (violations.length > 0) {
          const tables = [...new Set(violations.map((r) => String(r.table)))].join(', ');
          throw new StorageError('DATABASE', `migration left rows with broken foreign keys in ${tables}`);
        }
        db.exec('COMMIT');
        return result;
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      }
    },
    async close() {
      db.close();
    },
  };
}

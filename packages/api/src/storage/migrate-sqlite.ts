// SQLite migration steps (libSQL): BEGIN IMMEDIATE with foreign keys off, foreign_key_check before COMMIT.
import { randomUUID } from 'node:crypto';
import { createClient, type Client, type Transaction } from '@libsql/client';
import { MIGRATIONS_TABLE_DDL, type Migration, type MigrationRow, type MigrationTransaction, type Migrator } from './migrations.js';
import { StorageError } from './types.js';

// Each step's BEGIN IMMEDIATE waits for (busy timeout) and then excludes any other writer. Foreign keys are
// off because Prisma's table-redefining SQLite migrations need it (DROP TABLE would otherwise cascade).

/** Timestamps as @prisma/adapter-libsql writes DateTime values (Prisma's own SQLite deploy agrees). */
function sqliteNow(): string {
  return new Date().toISOString().replace('Z', '+00:00');
}

function transaction(tx: Transaction): MigrationTransaction {
  return {
    async rows() {
      await tx.execute(MIGRATIONS_TABLE_DDL.sqlite);
      const result = await tx.execute('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at');
      return result.rows.map((r) => ({
        migration_name: String(r.migration_name),
        checksum: String(r.checksum),
        finished_at: r.finished_at,
        rolled_back_at: r.rolled_back_at,
      }) satisfies MigrationRow);
    },
    async apply(migration: Migration) {
      const startedAt = sqliteNow();
      await tx.executeMultiple(migration.sql);
      await tx.execute({
        sql: 'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)',
        args: [randomUUID(), migration.checksum, sqliteNow(), migration.name, startedAt],
      });
    },
  };
}

export function sqliteMigrator(url: string, busyTimeoutMs: number): Migrator {
  const client: Client = createClient({ url, timeout: busyTimeoutMs });
  return {
    async step(fn) {
      // the transaction takes over the client's current connection: switch its foreign keys off first
      await client.execute('PRAGMA foreign_keys = OFF');
      const tx = await client.transaction('write');
      try {
        const result = await fn(transaction(tx));
        const violations = await tx.execute('PRAGMA foreign_key_check');
        if (violations.rows.length > 0) {
          const tables = [...new Set(violations.rows.map((r) => String(r.table)))].join(', ');
          throw new StorageError('DATABASE', `migration left rows with broken foreign keys in ${tables}`);
        }
        await tx.commit();
        return result;
      } catch (e) {
        await tx.rollback().catch(() => undefined);
        throw e;
      } finally {
        tx.close();
      }
    },
    async close() {
      client.close();
    },
  };
}

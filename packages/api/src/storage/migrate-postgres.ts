// PostgreSQL migration steps (node-postgres): one transaction each, under Prisma Migrate's own advisory lock.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { MIGRATIONS_TABLE_DDL, type Migration, type MigrationRow, type MigrationTransaction, type Migrator } from './migrations.js';

// Prisma Migrate's lock id: concurrent starts and `prisma migrate deploy` exclude each other. DDL is
// transactional, so a failing migration leaves nothing behind.

const PRISMA_MIGRATE_LOCK_ID = 72707369;

function transaction(client: pg.Client): MigrationTransaction {
  return {
    async rows() {
      await client.query(MIGRATIONS_TABLE_DDL.postgresql);
      const result = await client.query<MigrationRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at',
      );
      return result.rows;
    },
    async apply(migration: Migration) {
      const startedAt = new Date();
      await client.query(migration.sql); // no parameters: the simple protocol, several statements allowed
      await client.query(
        'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, $3, $4, NULL, NULL, $5, 1)',
        [randomUUID(), migration.checksum, new Date(), migration.name, startedAt],
      );
    },
  };
}

export async function postgresMigrator(url: string): Promise<Migrator> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined); // a dropped connection surfaces as the failing query's error
  await client.connect();
  return {
    async step(fn) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [PRISMA_MIGRATE_LOCK_ID]);
        const result = await fn(transaction(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    },
    async close() {
      await client.end();
    },
  };
}

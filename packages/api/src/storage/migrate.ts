// The migration runner (server start-up, npm run db:migrate): committed SQL, recorded in `_prisma_migrations` as Prisma does.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { postgresMigrator } from './migrate-postgres.js';
import { sqliteMigrator } from './migrate-sqlite.js';
import { defaultMigrationsDir, pendingMigrations, readMigrations } from './migrations.js';
import { providerOf, redactUrl, sqliteFilePath, type Provider } from './database-url.js';
import { StorageError } from './types.js';

export { defaultMigrationsDir } from './migrations.js';

export interface MigrateOptions {
  /** Folder with sqlite/ and postgresql/ migrations; default: the repository's prisma/migrations (see defaultMigrationsDir). */
  migrationsDir?: string;
  /** Progress and warnings (a changed or unknown applied migration); default: silent. */
  log?: (message: string) => void;
  /** SQLite: how long to wait for another writer, in ms (default 5000). */
  sqliteBusyTimeoutMs?: number;
}

export interface MigrateResult {
  provider: Provider;
  /** Names of the migrations this run applied, in order (empty when the database was up to date). */
  applied: string[];
  /** How many migrations exist for the provider. */
  total: number;
}

export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const provider = providerOf(databaseUrl);
  const log = options.log ?? (() => undefined);
  const migrations = await readMigrations(options.migrationsDir ?? defaultMigrationsDir(), provider);
  const target = redactUrl(databaseUrl);
  let current = null as string | null;
  try {
    if (provider === 'sqlite') {
      const file = sqliteFilePath(databaseUrl);
      if (file) mkdirSync(dirname(file), { recursive: true });
    }
    const migrator = provider === 'sqlite'
      ? sqliteMigrator(sqliteFilePath(databaseUrl) ?? ':memory:', options.sqliteBusyTimeoutMs ?? 5000)
      : await postgresMigrator(databaseUrl);
    try {
      const applied: string[] = [];
      for (let step = 0; step <= migrations.length; step++) {
        const done = await migrator.step(async (tx) => {
          const warn = step === 0 ? (m: string) => log(`warning: ${m}`) : undefined;
          const next = pendingMigrations(await tx.rows(), migrations, warn)[0];
          if (!next) return null;
          current = next.name;
          await tx.apply(next);
          return next.name;
        });
        current = null;
        if (done === null) return { provider, applied, total: migrations.length };
        applied.push(done);
        log(`applied migration ${done}`);
      }
      throw new StorageError('DATABASE', `migrations did not converge (applied: ${applied.join(', ')})`);
    } finally {
      await migrator.close();
    }
  } catch (e) {
    if (e instanceof StorageError) throw e;
    const during = current ? ` while applying ${current}` : '';
    const error = new StorageError('DATABASE', `migrating ${target} failed${during}: ${e instanceof Error ? e.message : String(e)}`);
    error.cause = e;
    throw error;
  }
}

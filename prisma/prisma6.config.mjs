// Prisma 6.19 CLI config (wasm schema engine + driver adapter: no downloads) for `migrate diff`, and deploy/status on SQLite.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaLibSql } from '@prisma/adapter-libsql';

// Environment:
//   PRISMA6_PROVIDER  sqlite (default) or postgresql
//   PRISMA6_SCHEMA    the schema file to load (a prisma6Schema() rendering, see lib/schemas.mjs)
//   PRISMA6_DATABASE_URL  SQLite only: the database (default: in memory)
// PostgreSQL has no server here: an offline stand-in answers the engine's version probe, which is all a
// schema-to-schema diff needs. (--from-migrations does not work with 6.19's wasm engine: its shadow
// database replay runs only the first statement; hence prisma/migrations/schema.snapshot.prisma.)

const provider = process.env.PRISMA6_PROVIDER ?? 'sqlite';

function offlinePostgres() {
  const refuse = (what) => async () => {
    throw new Error(`prisma6.config.mjs: ${what} needs a PostgreSQL server; only schema-to-schema diffs work offline`);
  };
  const adapter = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    // the schema engine's start-up probe: schema exists, version(), numeric version
    queryRaw: async (query) => query.sql.includes('version()')
      ? { columnNames: ['exists', 'version', 'numeric_version'], columnTypes: [5, 7, 0], rows: [[true, 'PostgreSQL 15.0', 150000]] }
      : refuse('queryRaw')(),
    executeRaw: refuse('executeRaw'),
    executeScript: refuse('executeScript'),
    startTransaction: refuse('startTransaction'),
    getConnectionInfo: () => ({ schemaName: 'public', supportsRelationJoins: true }),
    dispose: async () => {},
  };
  return { provider: 'postgres', adapterName: '@prisma/adapter-pg', connect: async () => adapter, connectToShadowDb: async () => adapter };
}

export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: process.env.PRISMA6_SCHEMA,
  migrations: { path: join(fileURLToPath(new URL('.', import.meta.url)), 'migrations', provider) },
  adapter: async () => {
    if (provider === 'sqlite') return new PrismaLibSql({ url: process.env.PRISMA6_DATABASE_URL ?? ':memory:' });
    if (provider === 'postgresql') return offlinePostgres();
    throw new Error(`prisma6.config.mjs: unknown PRISMA6_PROVIDER ${JSON.stringify(provider)}`);
  },
};

// `npm run db:migrate`: applies the committed migrations to $DATABASE_URL (or the URL given as argument).
import { migrate } from './migrate.js';
import { redactUrl } from './database-url.js';

const url = process.argv[2] ?? process.env.DATABASE_URL;
if (!url) {
  console.error('db:migrate: set DATABASE_URL (file:<path> or postgres://…) or pass the URL as the argument');
  process.exit(2);
}
try {
  const result = await migrate(url, { log: (m) => console.log(`db:migrate: ${m}`) });
  console.log(`db:migrate: ${redactUrl(url)} (${result.provider}) is up to date: ${result.applied.length} applied now, ${result.total} in all`);
} catch (e) {
  console.error(`db:migrate: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

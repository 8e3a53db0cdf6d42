import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // a throwaway PostgreSQL server for the storage/API tests (see the file; skipped without binaries)
    globalSetup: ['test/support/postgres-setup.ts'],
  },
});

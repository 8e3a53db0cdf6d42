import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // a throwaway PostgreSQL server for the storage/API tests (see the file; skipped without binaries)
    globalSetup: ['test/support/postgres-setup.ts'],
    // .ci/run reads the counts from a JSON report (VITEST_JSON=<file>)
    reporters: process.env.VITEST_JSON ? ['default', ['json', { outputFile: process.env.VITEST_JSON }]] : ['default'],
  },
});

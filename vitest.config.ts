import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // timeouts only guard against hangs (speed is the benches' business): a busy 2-core machine runs
    // the engine several times slower than a quiet one, so they leave that room
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // a throwaway PostgreSQL server for the storage/API tests (see the file; skipped without binaries)
    globalSetup: ['test/support/postgres-setup.ts'],
    // .ci/run reads the counts from a JSON report (VITEST_JSON=<file>)
    reporters: process.env.VITEST_JSON ? ['default', ['json', { outputFile: process.env.VITEST_JSON }]] : ['default'],
  },
});

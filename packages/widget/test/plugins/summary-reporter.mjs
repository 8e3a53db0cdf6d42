// @ts-check
// A plain closing line for CI, "N passed, N failed" (WTR's own summary ends a progress-bar line),
// counting tests in every browser session; a test file that failed to load counts as one failure.

/** @param {any} suite @param {{ passed: number, failed: number, skipped: number }} n */
function count(suite, n) {
  for (const t of suite?.tests ?? []) {
    if (t.skipped) n.skipped++;
    else if (t.passed) n.passed++;
    else n.failed++;
  }
  for (const s of suite?.suites ?? []) count(s, n);
}

/** @returns {import('@web/test-runner').Reporter} */
export function summaryReporter() {
  return {
    stop({ sessions }) {
      const n = { passed: 0, failed: 0, skipped: 0 };
      for (const s of sessions) {
        count(s.testResults, n);
        // a file that threw before its tests ran, or a session that failed, has no failed test to count
        if (!s.passed && !JSON.stringify(s.testResults ?? {}).includes('"passed":false')) n.failed++;
      }
      const skipped = n.skipped ? `, ${n.skipped} skipped` : '';
      // after WTR's own closing output, which it writes to the terminal once the reporters stopped
      process.once('exit', () => process.stdout.write(`browser tests: ${n.passed} passed, ${n.failed} failed${skipped}\n`));
    },
  };
}

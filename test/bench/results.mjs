// Shared by the benches: when BENCH_RESULTS names a file (performance.bench.mjs sets it), each bench
// appends its rows there as one JSON line {bench, rows, ...}, so that one run can print every table of
// docs/performance.md; without it, nothing is written.
import { appendFileSync } from 'node:fs';

export function saveResults(bench, rows, extra = {}) {
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify({ bench, rows, ...extra })}\n`);
}

// `saliency-explainer serve` in a child process, for tests that watch the server's own memory: its
// resident set (VmRSS) and peak (VmHWM) from /proc, the peak reset through clear_refs (Linux).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const bin = join(root, 'packages/api/bin/saliency-explainer.js');

/** Whether this system lets a test read and reset a process's memory figures. */
export const procMemory = existsSync('/proc/self/status') && existsSync('/proc/self/clear_refs');

export interface ServedProcess {
  url: string;
  child: ChildProcess;
  /** Resident memory now, MiB. */
  rssMiB(): number;
  /** Peak resident memory since the start or the last resetPeak(), MiB. */
  peakMiB(): number;
  resetPeak(): void;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  close(): Promise<void>;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Starts the built server on a free port with a throwaway SQLite database and `env` on top of the caller's. */
export async function serveProcess(env: Record<string, string>): Promise<ServedProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'served-'));
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
    env: { ...process.env, DATABASE_URL: `file:${join(dir, 'db.sqlite')}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /API on (http:\/\/\S+)\/graphql/.exec(out);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`serve exited ${code}: ${out}${log}`)));
  });
  const pid = child.pid!;
  return {
    url,
    child,
    rssMiB: () => statusKiB(pid, 'VmRSS') / 1024,
    peakMiB: () => statusKiB(pid, 'VmHWM') / 1024,
    resetPeak: () => writeFileSync(`/proc/${pid}/clear_refs`, '5'),
    async gql(query, variables, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, headers: res.headers, ...((await res.json()) as object) };
    },
    async close() {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 20_000))]);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

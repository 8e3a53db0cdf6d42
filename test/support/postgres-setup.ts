// vitest globalSetup: a throwaway PostgreSQL server (or SALIENCY_TEST_POSTGRES_URL), provided to tests as `postgresUrl`.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

// Without SALIENCY_TEST_POSTGRES_URL it starts a private cluster from the Debian binaries
// (/usr/lib/postgresql/<version>/bin, or under SALIENCY_TEST_POSTGRES_LIB) on 127.0.0.1 and a free port,
// removed again at teardown. Without binaries the PostgreSQL tests are skipped, except on CI (CI=true),
// where that is an error.

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL (database "postgres") for the PostgreSQL tests; '' when they are skipped. */
    postgresUrl: string;
    /** Why the PostgreSQL tests are skipped; '' when they run. */
    postgresSkipReason: string;
  }
}

function findBinDir(root: string): string | null {
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')));
  versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Runs a PostgreSQL program; as root, as the `postgres` user (initdb and the server refuse to run as root). */
function pgRun(binDir: string, program: string, args: string[]): SpawnSyncReturns<string> {
  const command = join(binDir, program);
  const asRoot = process.getuid?.() === 0;
  return asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', timeout: 60_000 })
    : spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
}

function check(result: SpawnSyncReturns<string>, what: string, logFile?: string): void {
  if (result.status === 0) return;
  const log = logFile && existsSync(logFile) ? `\n--- server log ---\n${readFileSync(logFile, 'utf8').slice(-3000)}` : '';
  throw new Error(`postgres-setup: ${what} failed (exit ${result.status ?? result.signal}): ${result.error?.message ?? ''}\n${result.stderr}${result.stdout}${log}`);
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const external = process.env.SALIENCY_TEST_POSTGRES_URL;
  if (external) {
    project.provide('postgresUrl', external);
    project.provide('postgresSkipReason', '');
    return undefined;
  }
  const lib = process.env.SALIENCY_TEST_POSTGRES_LIB || '/usr/lib/postgresql';
  const binDir = findBinDir(lib);
  if (!binDir) {
    const reason = `PostgreSQL binaries not found under ${lib}/*/bin (apt-get install postgresql, or set SALIENCY_TEST_POSTGRES_URL)`;
    if (process.env.CI === 'true') throw new Error(`postgres-setup: ${reason}; CI must run the PostgreSQL tests`);
    console.warn(`postgres-setup: skipping the PostgreSQL tests: ${reason}`);
    project.provide('postgresUrl', '');
    project.provide('postgresSkipReason', reason);
    return undefined;
  }

  const dir = mkdtempSync(join(tmpdir(), 'saliency-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  let started = false;
  const stop = () => {
    if (started) pgRun(binDir, 'pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop); // an interrupted run still stops the server
  try {
    if (process.getuid?.() === 0) {
      const postgres = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const uid = Number(postgres.stdout.trim());
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      if (postgres.status !== 0 || !Number.isInteger(uid)) throw new Error('postgres-setup: running as root, but there is no `postgres` user to run the server as');
      chownSync(dir, uid, gid);
    }
    check(pgRun(binDir, 'initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']), 'initdb');
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
      const result = pgRun(binDir, 'pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options, 'start']);
      if (result.status === 0) break;
      if (attempt === 3) check(result, 'pg_ctl start', logFile); // the port may have been taken meanwhile: retry
    }
    started = true;
    project.provide('postgresUrl', `postgresql://postgres@127.0.0.1:${port}/postgres`);
    project.provide('postgresSkipReason', '');
  } catch (e) {
    stop();
    process.removeListener('exit', stop);
    throw e;
  }
  return () => {
    stop();
    process.removeListener('exit', stop);
  };
}

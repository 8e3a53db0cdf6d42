#!/usr/bin/env node
// `npm run db:generate`: the per-provider schemas of prisma/schema.prisma and their Prisma 7 clients (packages/api/src/generated/<provider>).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  PROVIDERS, clientOutputDir, clientSchema, clientSchemaFile, prisma7Cli, prismaDir, readModels, repoRoot, sha256,
} from './lib/schemas.mjs';

// A provider is skipped when its schema and the Prisma version are unchanged since the last run; --force regenerates.
const force = process.argv.includes('--force');
const prismaVersion = JSON.parse(readFileSync(join(dirname(prisma7Cli), '..', 'package.json'), 'utf8')).version;
const models = readModels();

for (const provider of PROVIDERS) {
  const schema = clientSchema(provider, models);
  const schemaPath = clientSchemaFile(provider);
  mkdirSync(dirname(schemaPath), { recursive: true });
  if (!existsSync(schemaPath) || readFileSync(schemaPath, 'utf8') !== schema) writeFileSync(schemaPath, schema);

  const out = clientOutputDir(provider);
  const stampFile = join(out, '.schema-sha256');
  const stamp = sha256(`${prismaVersion}\n${schema}`);
  if (!force && existsSync(join(out, 'client.ts')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    console.log(`db:generate: ${provider} client is up to date (${relative(repoRoot, out)})`);
    continue;
  }
  rmSync(out, { recursive: true, force: true }); // drop files of models that no longer exist
  const result = spawnSync(process.execPath, [prisma7Cli, 'generate', '--schema', schemaPath], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: {
      ...process.env,
      // `prisma generate` insists on a schema engine path; it never runs it (see TOOLING.md, "Prisma")
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? join(prismaDir, 'schema-engine-unavailable.sh'),
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
  if (result.status !== 0) {
    console.error(`db:generate: prisma generate failed for ${provider} (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  writeFileSync(stampFile, stamp);
}

// Writes the resolver types (src/generated/graphql.ts) from schema.graphql, as codegen.yml says.
// Runs @graphql-codegen/core directly instead of @graphql-codegen/cli: the CLI's schema loaders
// (URL, git, GitHub) pull packages that declare Node >= 22 and print EBADENGINE on install, and a
// local SDL file needs none of them.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import * as typescript from '@graphql-codegen/typescript';
import * as typescriptResolvers from '@graphql-codegen/typescript-resolvers';
import { buildSchema, lexicographicSortSchema, parse, printSchema } from 'graphql';
import { parse as parseYaml } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pluginMap = { typescript, 'typescript-resolvers': typescriptResolvers };

const config = parseYaml(await readFile(resolve(root, 'codegen.yml'), 'utf8'));
// Sorted, as the CLI sorts by default, so the generated file keeps its order.
const schema = lexicographicSortSchema(buildSchema(await readFile(resolve(root, config.schema), 'utf8')));

for (const [target, { plugins, config: options = {} }] of Object.entries(config.generates)) {
  const unknown = plugins.filter((name) => !(name in pluginMap));
  if (unknown.length > 0) throw new Error(`codegen.yml names plugins this script does not load: ${unknown.join(', ')}`);
  const output = await codegen({
    filename: target,
    schema: parse(printSchema(schema)),
    schemaAst: schema,
    documents: [],
    config: options,
    plugins: plugins.map((name) => ({ [name]: {} })),
    pluginMap,
  });
  const file = resolve(root, target);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, output);
  console.log(`codegen: wrote ${target}`);
}

// The API package's layers: the CLI (src/cli/) is the top one. The server, the compute workers, eval,
// the queue, annotations, campaigns, storage and the model loaders (src/models/), and the shared
// modules beside them (errors.ts, project.ts, io/, images/), never import anything under cli/ —
// statically, dynamically or by re-export. Only the package entry (index.ts) exports the CLI's main.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const src = resolve(import.meta.dirname, '../../packages/api/src');
const cli = join(src, 'cli');
/** Folders that must stay free of CLI imports (each must exist and hold sources). */
const NAMED = ['server', 'compute', 'eval', 'queue', 'annotations', 'campaigns', 'storage', 'models'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

/** The relative module specifiers of `text`: import … from, export … from, import(…), import '…'. */
function relativeSpecifiers(text: string): string[] {
  const found: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (let m = re.exec(text); m; m = re.exec(text)) found.push(m[2]);
  return found;
}

/** The files outside cli/ (and other than the package entry index.ts) that import from cli/. */
function cliImports(): string[] {
  const offences: string[] = [];
  for (const file of tsFiles(src)) {
    if (file.startsWith(cli + sep) || file === join(src, 'index.ts')) continue;
    for (const spec of relativeSpecifiers(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), spec);
      if (target === cli || target.startsWith(cli + sep)) offences.push(`${relative(src, file)} imports ${spec}`);
    }
  }
  return offences;
}

describe('layering of packages/api/src', () => {
  it('finds the imports it is looking for', () => {
    expect(relativeSpecifiers(`import { a } from '../cli/x.js';\nexport * from "./y.js";\nconst m = await import('../cli/z.js');\nimport './side.js';\nimport type { T } from '../t.js';`))
      .toEqual(['../cli/x.js', './y.js', '../cli/z.js', './side.js', '../t.js']);
  });

  it('has each named folder, with sources', () => {
    for (const dir of NAMED) expect(tsFiles(join(src, dir)).length, dir).toBeGreaterThan(0);
  });

  it('nothing outside cli/ imports CLI code', () => {
    expect(cliImports()).toEqual([]);
  });
});

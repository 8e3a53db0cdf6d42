// Positional arguments → the list of input files (directories expand to their images, sorted),
// with unique output base names.
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { IMAGE_EXTENSIONS } from './settings.js';

export interface InputFile {
  path: string;
  /** file-name stem for outputs, unique within the run */
  base: string;
}

export function expandInputs(args: string[], tensors: boolean): InputFile[] {
  const wanted = (name: string) => (tensors ? extname(name).toLowerCase() === '.bin' : IMAGE_EXTENSIONS.has(extname(name).toLowerCase()));
  const paths: string[] = [];
  for (const a of args) {
    let isDir = false;
    try {
      isDir = statSync(a).isDirectory();
    } catch {
      // a missing path is reported when it is read, with the other per-input errors
    }
    if (isDir) {
      for (const name of readdirSync(a).sort()) if (wanted(name)) paths.push(join(a, name));
    } else {
      paths.push(a);
    }
  }
  const used = new Map<string, number>();
  return paths.map((path) => {
    const stem = basename(path, extname(path)) || 'input';
    const n = (used.get(stem) ?? 0) + 1;
    used.set(stem, n);
    return { path, base: n === 1 ? stem : `${stem}-${n}` };
  });
}

/** "tiger cat" → "tiger-cat" */
export function slug(label: string): string {
  return label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'class';
}

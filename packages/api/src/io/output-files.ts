// Writing results (--out folders, report files, overlays) with the file system's refusals as typed
// output errors (exit 5, one line naming the path and the reason) instead of internal errors: an
// --out that goes through a file (ENOTDIR), is a file (EEXIST), is not writable (EACCES, EROFS), or a
// full disk (ENOSPC).
import { mkdirSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { outputError } from '../errors.js';

const REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way of the folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'a folder of the path does not exist',
  ENAMETOOLONG: 'the name is too long',
};

/** A file-system error while writing `path` as an output error; anything else is rethrown. */
export function asOutputError(e: unknown, path: string, what: string): never {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && code in REASONS) throw outputError('OUTPUT_NOT_WRITABLE', `cannot write ${what} ${path}: ${REASONS[code]} (${code})`);
  throw e;
}

/** Creates the output folder (and its parents). */
export function makeOutputDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    asOutputError(e, dir, 'the output folder');
  }
}

export function writeOutputFile(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    asOutputError(e, path, 'the file');
  }
}

export async function writeOutputFileAsync(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (e) {
    asOutputError(e, path, 'the file');
  }
}

/** Writes `data` under a temporary name, then renames it: readers never see a half-written file. */
export async function writeOutputFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    asOutputError(e, path, 'the file');
  }
}

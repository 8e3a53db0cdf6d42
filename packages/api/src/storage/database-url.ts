// Database URLs: the provider a URL names (file: → SQLite, postgres:// → PostgreSQL), its SQLite file, a password-free form.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError } from './types.js';

export type Provider = 'sqlite' | 'postgresql';

/** The URL with any password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, '$1***@');
}

export function providerOf(url: string): Provider {
  if (/^file:/i.test(url)) return 'sqlite';
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  throw new StorageError(
    'DATABASE',
    `unsupported database URL ${JSON.stringify(redactUrl(url))}: use file:<path> for SQLite or postgres://… / postgresql://… for PostgreSQL`,
  );
}

/**
 * The file of a `file:` URL (as libSQL and Prisma read it) (`file:/abs.db`, `file:///abs.db`, `file:rel.db` relative to
 * the working directory; query parameters ignored); null for an in-memory database.
 */
export function sqliteFilePath(url: string): string | null {
  const rest = url.replace(/^file:/i, '').split(/[?#]/)[0];
  if (rest === '' || rest === ':memory:') return null;
  const path = rest.startsWith('//') ? fileURLToPath(`file:${rest}`) : decodeURIComponent(rest);
  return isAbsolute(path) ? path : resolve(path);
}

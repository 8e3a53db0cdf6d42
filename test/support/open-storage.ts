// Storage opened by a test, closed after each test of the file that imports this module.
import { afterEach } from 'vitest';
import { openStorage } from '../../packages/api/src/storage/open.js';
import type { Storage } from '../../packages/api/src/storage/types.js';

const opened: Storage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** openStorage(url), closed automatically after the current test. */
export async function openTestStorage(url: string): Promise<Storage> {
  const storage = await openStorage(url);
  opened.push(storage);
  return storage;
}

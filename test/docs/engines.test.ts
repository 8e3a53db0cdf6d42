// The Node versions the project claims install without EBADENGINE warnings: every package in the lock file
// (what `npm ci` installs) accepts the lowest and the running version of the root's `engines.node` range.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';

const root = resolve(__dirname, '../..');
const readJson = (path: string) => JSON.parse(readFileSync(resolve(root, path), 'utf8'));

interface LockEntry { engines?: { node?: string } | string[]; optional?: boolean; dev?: boolean }
const lock = readJson('package-lock.json') as { packages: Record<string, LockEntry> };
const claimed = (readJson('package.json') as { engines: { node: string } }).engines.node;

/** The packages whose declared `engines.node` rejects `version` (what npm warns about). */
function rejecting(version: string): string[] {
  return Object.entries(lock.packages)
    .filter(([, entry]) => entry.engines && !Array.isArray(entry.engines) && typeof entry.engines.node === 'string')
    .filter(([, entry]) => !semver.satisfies(version, (entry.engines as { node: string }).node, { includePrerelease: true }))
    .map(([path, entry]) => `${path || '(root)'} wants node ${(entry.engines as { node: string }).node}`);
}

describe('engines', () => {
  it('the root, the API package and the lock agree on one claimed range', () => {
    expect(semver.validRange(claimed)).not.toBeNull();
    expect(readJson('packages/api/package.json').engines.node).toBe(claimed);
    expect(lock.packages[''].engines).toEqual({ node: claimed });
  });

  it('every locked package accepts the lowest claimed Node', () => {
    const lowest = semver.minVersion(claimed)!.version;
    expect(rejecting(lowest)).toEqual([]);
  });

  it('every locked package accepts the Node running these tests, which the claim covers', () => {
    expect(semver.satisfies(process.version, claimed)).toBe(true);
    expect(rejecting(process.version)).toEqual([]);
  });

  it('the check sees a package that wants a newer Node (the way the old lock did)', () => {
    const entries = lock.packages;
    entries['node_modules/__probe'] = { engines: { node: '>=22.0.0' } };
    try {
      expect(rejecting('20.19.0')).toEqual(['node_modules/__probe wants node >=22.0.0']);
    } finally {
      delete entries['node_modules/__probe'];
    }
  });
});

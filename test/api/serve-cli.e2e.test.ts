// `saliency-explainer serve` as a user starts it (the built CLI in a child process): it prints its
// address, answers /health and GraphQL, and exits 0 on SIGTERM; a bad flag exits 2.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

const root = resolve(__dirname, '../..');
const bin = join(root, 'packages/api/bin/saliency-explainer.js');

describe('saliency-explainer serve', () => {
  it('serves until SIGTERM, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-'));
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--database-url', `file:${join(dir, 'db.sqlite')}`, '--models', 'squeezenet1.0'], {
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /API on (http:\/\/\S+)\/graphql/.exec(out);
          if (m) ok(m[1]);
        });
        child.stderr.on('data', (d) => process.stderr.write(d));
        child.on('exit', (code) => fail(new Error(`exited ${code}: ${out}`)));
      });
      const h = await fetch(`${url}/health`);
      expect(await h.json()).toMatchObject({ ok: true, database: 'sqlite', models: ['squeezenet1.0'] });
      const g = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ models { id isDefault } }' }) });
      expect(await g.json()).toEqual({ data: { models: [{ id: 'squeezenet1.0', isDefault: true }] } });
      // the README's example script, as a user runs it
      const ex = spawnSync(process.execPath, [join(root, 'examples/api-gradcam.mjs'), join(root, '../shared/data/images/both.png'), dir, `${url}/graphql`], { encoding: 'utf8' });
      expect(ex.status, ex.stderr).toBe(0);
      expect(ex.stdout).toMatch(/bull mastiff \d+\.\d%/);
      const file = join(dir, 'both.api.gradcam.243.png');
      expect(ex.stdout).toContain(file);
      expect(await sharp(file).metadata()).toMatchObject({ width: 224, height: 224, format: 'png' });
      const code = new Promise<number | null>((ok) => child.on('exit', ok));
      child.kill('SIGTERM');
      expect(await code).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad flag is a usage error (exit 2)', () => {
    const r = spawnSync(process.execPath, [bin, 'serve', '--port', 'x'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--port/);
  });
});

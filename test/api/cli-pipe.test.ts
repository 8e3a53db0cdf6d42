// The command under a reader that stops early (`saliency-explainer methods | head -3`): it stops quietly
// with status 141 (128 + SIGPIPE, what a shell reports for any Unix tool stopped this way), no EPIPE stack.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/main.js'));

/** Runs the command with its stdout's reading end closed before it writes a byte. */
function runWithClosedReader(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the child has even loaded its modules
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

describe.skipIf(!ready)('a closed stdout', () => {
  for (const args of [['methods'], ['explain', '--help'], ['--help']]) {
    it(`${args.join(' ')}: status 141 and nothing on stderr`, async () => {
      const { code, stderr } = await runWithClosedReader(args);
      expect(stderr).toBe('');
      expect(code).toBe(141);
    });
  }
});

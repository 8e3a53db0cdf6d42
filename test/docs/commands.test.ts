// Every shell command the README and docs/ show runs as written: the commands are read out of the
// pages' code blocks (`$ ` lines, and every line of a sh block, `\` continuations joined), and each
// page's commands run in order in a scratch folder laid out like a checkout (../shared beside it, the
// built packages and the models linked in, its own database), where they must exit 0. A command that
// cannot run here is listed in SKIPPED with the reason (a server, the suite itself, a reader's own
// files, an hour-long run); a listed command that is no longer in the docs fails the test, so the
// list cannot grow stale.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** The shell commands of a Markdown page, in order. */
export function commandsOf(markdown: string): string[] {
  const lines = markdown.split('\n');
  const out: string[] = [];
  let lang: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      lang = lang === null ? line.slice(3).trim() : null;
      continue;
    }
    if (lang === null || !['', 'sh', 'bash', 'shell', 'console'].includes(lang)) continue;
    let command: string | null = null;
    if (line.startsWith('$ ')) command = line.slice(2);
    else if ((lang === 'sh' || lang === 'bash') && line.trim() && !line.trimStart().startsWith('#')) command = line.trim();
    if (command === null) continue;
    while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1).trimEnd()} ${lines[++i].trim()}`;
    out.push(command);
  }
  return out;
}

/** Commands shown but not run here, by their start, and why. */
const SKIPPED: [string, string][] = [
  ['npm install && npm start', 'starts the server and keeps serving (test/api/serve-cli.e2e.test.ts runs it)'],
  ['npm test', 'the test suite itself'],
  ['ls my-models', 'the reader\'s own models folder (test/api/user-models.e2e.test.ts serves one)'],
  ['cat my-models/', 'the reader\'s own models folder'],
  ['npx saliency-explainer serve --port 4711 --models cifar10-tiny --user-models my-models', 'a server, on the reader\'s own models folder (test/api/user-models.e2e.test.ts)'],
  ['npx saliency-explainer explain kitten.jpg --caption --captioner ~/models/', 'a captioner folder of the reader\'s (none ships; test/api/captioner-cli.test.ts runs a tiny one)'],
  ['npx saliency-explainer eval --dataset osie --images 100 ', 'a leaderboard run of hours (its table is from a real run)'],
  ['npx saliency-explainer eval --dataset osie --images 200 ', 'a leaderboard run of hours'],
  ['npx saliency-explainer eval --dataset osie --images 6 --layers default --faithfulness', 'tens of minutes on two cores (test/api/eval-cli.test.ts runs the faithfulness columns on a few images)'],
  ['npx saliency-explainer export-annotations --format dataset --task find --class 281', 'needs a crowd\'s tabby annotations (test/api/export-cli.test.ts exports a dataset)'],
  ['npx saliency-explainer eval --dataset osie --images 10 --models yolox-nano', 'minutes on two cores (test/api eval tests run detector rows on 2 images)'],
  ['npx saliency-explainer worker --database-url postgresql://user:pw@db-host', 'a worker on the reader\'s PostgreSQL (test/api/queue.e2e.test.ts runs three against a test database)'],
  ['npx saliency-explainer eval --dataset osie --distributed --database-url postgresql://user:pw@db-host', 'the reader\'s PostgreSQL (test/api/queue.e2e.test.ts)'],
  ['npx saliency-explainer eval --dataset tabby-crowd', 'needs the crowd data set the previous command exports'],
  ['DATABASE_URL=postgresql://user:pw@db-host', 'an API replica on the reader\'s PostgreSQL (test/api/annotation-replicas.e2e.test.ts runs two on a test database)'],
];
const skipReason = (command: string) => SKIPPED.find(([start]) => command.startsWith(start))?.[1];

describe('the commands in the README and docs/', () => {
  const shown = pages.flatMap((page) => commandsOf(readFileSync(join(root, page), 'utf8')).map((command) => ({ page, command })));

  it('finds commands, and every skipped one is still shown', () => {
    expect(shown.length).toBeGreaterThan(10);
    for (const [start] of SKIPPED) expect(shown.some((s) => s.command.startsWith(start)), start).toBe(true);
  });

  it('reads `$ ` lines, sh lines and continuations', () => {
    const md = '```sh\n# a comment\nnpx a \\\n  --b c\n```\n\n```\n$ ls x/\nx/one\n```\n\n```graphql\n$ not a command\n```\n';
    expect(commandsOf(md)).toEqual(['npx a --b c', 'ls x/']);
  });

  let work: string;
  beforeAll(() => {
    // a checkout's layout: ../shared beside it, what the commands read linked in, everything they write its own
    const scratch = mkdtempSync(join(tmpdir(), 'doc-commands-'));
    symlinkSync(resolve(root, '../shared'), join(scratch, 'shared'));
    work = join(scratch, 'main');
    mkdirSync(work);
    for (const entry of ['node_modules', 'packages', 'models', 'examples', 'prisma', 'package.json']) symlinkSync(join(root, entry), join(work, entry));
    mkdirSync(join(work, 'docs'));
  });

  for (const page of pages) {
    const commands = shown.filter((s) => s.page === page).map((s) => s.command);
    const runnable = commands.filter((c) => !skipReason(c));
    it.skipIf(runnable.length === 0)(`${page}: ${runnable.length} command(s) run as written`, () => {
      const env = { ...process.env, DATABASE_URL: `file:${join(work, 'var', 'docs.sqlite')}`, NO_COLOR: '1' };
      for (const command of runnable) {
        const r = spawnSync('bash', ['-c', command], { cwd: work, env, encoding: 'utf8', timeout: 540_000 });
        expect({ command, status: r.status, stderr: r.status === 0 ? '' : r.stderr.slice(-2000) }).toEqual({ command, status: 0, stderr: '' });
      }
    }, 1_200_000); // a page's commands together; a busy 2-core machine runs them several times slower
  }
});

// `warden crawl` killed with SIGKILL mid-crawl (no chance to clean up) loses its place in nothing: run
// again with --resume, it finishes the crawl without fetching again a page that had finished, and files
// exactly one report per planted copy. Runs the real binary over the compiled dist/ (npm test builds it).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hashImage } from '../src/hashing/index.js';
import { addBankEntry, createBank } from '../src/matching/index.js';
import { listReports } from '../src/reports/index.js';
import { childEnvironment, describeEachEngine, startSyntheticWeb, wardenBinary } from './support/index.js';

function crawl(environment: Record<string, string>, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [wardenBinary, 'crawl', '--json', ...args], {
    env: childEnvironment(environment),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const events = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, events, stderr: () => stderr, exited };
}

async function waitUntil(what: string, check: () => boolean, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachEngine('warden crawl killed with SIGKILL', (database) => {
  it('resumes without refetching finished pages or filing a report twice', async () => {
    const web = await startSyntheticWeb();
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-crawl-'));
    try {
      await createBank(database(), { name: 'standin-csam', category: 'csam' });
      for (const original of web.originals) {
        const { pdq } = await hashImage(original, { limits: { maxBytes: 1e8, maxPixels: 1e8 } });
        await addBankEntry(database(), 'standin-csam', { signalType: 'pdq', signal: pdq });
      }
      const environment = {
        WARDEN_DATA_DIR: dataDir,
        ...database().environment,
        WARDEN_JOB_LEASE_MS: '1000',
        WARDEN_NETWORK_ALLOW: '127.0.0.1',
      };
      const options = ['--scope', 'any', '--max-depth', '6', '--delay', '80', '--concurrency', '4'];

      const first = crawl(environment, [`${web.origin.a}/`, ...options]);
      await waitUntil(
        'five pages',
        () => first.events().filter((event) => event.type === 'page').length >= 5,
      );
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      const crawlId = first.events().find((event) => event.type === 'started')?.crawl_id as number;
      expect(crawlId).toBeGreaterThan(0);
      const finished = await database()
        .db.selectFrom('crawl_urls')
        .select('url')
        .where('status', '=', 'done')
        .execute();
      expect(finished.length).toBeGreaterThanOrEqual(5);
      const split = web.requests.length;

      const second = crawl(environment, ['--resume', String(crawlId)]);
      const code = await second.exited;
      // Some URLs of the synthetic web fail on purpose (404, forbidden addresses), so the exit code is 1.
      expect([code, second.stderr()]).toEqual([1, expect.any(String)]);
      const summary = second.events().find((event) => event.type === 'summary');
      expect(summary).toMatchObject({ crawl_id: crawlId, status: 'done', reports: expect.any(Number) });

      const later = web.requests.slice(split);
      const hostName = (url: URL) =>
        Object.entries(web.origin).find(([, origin]) => new URL(origin).host === url.host)?.[0];
      for (const { url } of finished) {
        const parsed = new URL(url);
        const again = later.filter(
          (request) => request.host === hostName(parsed) && request.path === parsed.pathname,
        );
        expect([url, again.length]).toEqual([url, 0]);
      }
      const reports = await listReports(database(), { source: 'crawler' });
      expect(reports.map((report) => `${report.url} ${report.media_url}`).sort()).toEqual(
        web.planted.map(({ page, media }) => `${page} ${media}`).sort(),
      );
      const left = await database()
        .db.selectFrom('crawl_urls')
        .select('url')
        .where('status', 'in', ['queued', 'fetching'])
        .execute();
      expect(left).toEqual([]);
    } finally {
      await web.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// The crawler on a web of thousands of pages across many hosts on 127.0.0.1: it finds every planted copy
// of a bank image (resized, re-compressed, cropped, converted) and files exactly one report each, never
// requests what robots.txt disallows, keeps each host's delay, and refuses every forbidden address.
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { Crawler, createCrawl } from '../src/crawl/index.js';
import { EvidenceStore } from '../src/evidence/index.js';
import { hashImage } from '../src/hashing/index.js';
import { Matcher, addBankEntry, createBank } from '../src/matching/index.js';
import { NetworkGuard, normaliseUrl } from '../src/network/index.js';
import { listReports } from '../src/reports/index.js';
import { ContentPipeline } from '../src/pipeline/index.js';
import { Policy } from '../src/policy/index.js';
import { casework, describeEachEngine, spacedStarts, useTemporaryDirectory } from './support/index.js';
import type { recordReservedStarts } from './support/index.js';
import { startLargeWeb } from './support/large-web.js';

const hosts = 8;
const pagesPerHost = 300;
const delayMs = 5;
// Politeness is read off the schedule of starts the crawler reserves for each host.
const reservedStarts = vi.hoisted(() => new Map<string, number[]>());
vi.mock('../src/crawl/politeness.js', async (importOriginal) => {
  const { recordReservedStarts: record } = await import('./support/host-slots.js');
  return record(await importOriginal<Parameters<typeof recordReservedStarts>[0]>(), reservedStarts);
});

describeEachEngine('crawler on a large synthetic web', (database) => {
  const directory = useTemporaryDirectory();

  it('finds every planted copy once, honours robots.txt and politeness, and refuses forbidden addresses', async () => {
    const web = await startLargeWeb({ hosts, pagesPerHost });
    // Only the web's own ports: 127.0.0.1 on any other port is as forbidden as any loopback address.
    const guard = new NetworkGuard({ allow: web.origins.map((origin) => new URL(origin).host) });
    await createBank(database(), { name: 'standin-csam', category: 'csam' });
    for (const original of web.originals) {
      const { pdq } = await hashImage(original, { limits: { maxBytes: 1e8, maxPixels: 1e8 } });
      await addBankEntry(database(), 'standin-csam', { signalType: 'pdq', signal: pdq });
    }
    const matcher = await Matcher.open(database(), { defaultThreshold: 31, minQuality: 50, refreshMs: 0 });
    const evidence = await EvidenceStore.open({
      blobDir: join(directory(), 'blobs'),
      dataDir: directory(),
      maxImageBytes: 10 * 1024 * 1024,
      maxImagePixels: 1e8,
    });
    try {
      const crawl = await createCrawl(database(), {
        seeds: web.origins.map((origin) => `${origin}/`),
        options: {
          scope: 'any',
          maxDepth: 1000,
          maxPages: 20_000,
          hostDelayMs: delayMs,
          hostConcurrency: 1,
          timeoutMs: 5000,
          maxPageBytes: 1024 * 1024,
          retryBaseMs: 50,
        },
      });
      const progress = await new Crawler(
        {
          database: database(),
          guard,
          evidence,
          pipeline: new ContentPipeline({
            database: database(),
            matcher,
            evidence,
            policy: new Policy(database()),
            casework: casework(database()),
          }),
        },
        { concurrency: 32, leaseMs: 10_000 },
      ).run(crawl.id, new AbortController().signal);

      expect(progress.status).toBe('done');
      expect(progress.pages_fetched).toBeGreaterThanOrEqual(hosts * pagesPerHost);

      // Every planted copy, exactly one report each.
      const reports = await listReports(database(), { source: 'crawler', limit: 1000 });
      expect(reports.map((report) => `${report.url} ${report.media_url}`).sort()).toEqual(
        web.planted.map(({ page, media }) => `${page} ${media}`).sort(),
      );

      // robots.txt: nothing under /private/ was requested; each host's robots.txt once.
      expect(web.requests.filter((request) => request.path.startsWith('/private/'))).toEqual([]);
      for (let host = 0; host < hosts; host += 1) {
        const robots = web.requests.filter((r) => r.host === String(host) && r.path === '/robots.txt');
        expect(robots).toHaveLength(1);
      }

      // Politeness: one request at a time per host, and every request took a start of the host's
      // schedule, the starts at least the delay apart.
      expect(web.mostAtOnce).toEqual(new Array<number>(hosts).fill(1));
      for (let host = 0; host < hosts; host += 1) {
        const requests = web.requests.filter((r) => r.host === String(host)).length;
        expect(requests).toBeGreaterThan(pagesPerHost);
        const schedule = spacedStarts(reservedStarts.get(new URL(web.origins[host]!).host));
        expect(schedule.count).toBe(requests);
        expect(schedule.closest).toBeGreaterThanOrEqual(delayMs);
      }

      // Forbidden addresses: each refused and recorded with why; nothing else failed but what should.
      const failed = await database()
        .db.selectFrom('crawl_urls')
        .select(['url', 'error', 'http_status'])
        .where('status', '=', 'failed')
        .execute();
      for (const address of web.forbiddenAddresses) {
        const row = failed.find((entry) => entry.url === normaliseUrl(address));
        expect(row?.error, address).toMatch(/Refused to connect|not a public|credentials|not allowed/i);
      }
      const unexpected = failed.filter(
        (entry) =>
          !/Refused to connect|robots\.txt|larger than/.test(entry.error) && entry.http_status !== 404,
      );
      expect(unexpected).toEqual([]);
    } finally {
      matcher.close();
      await guard.close();
      await web.close();
    }
  }, 180_000);
});

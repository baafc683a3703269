// The crawler on a synthetic web served on 127.0.0.1: it finds every planted copy of a bank image and
// files exactly one report for each, honours robots.txt and each host's delay, refuses addresses the
// network guard forbids and records why, retries what may pass, and, stopped halfway, continues without
// fetching a finished page again or filing a report twice.
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { EvidenceStore } from '../evidence/index.js';
import { hashImage } from '../hashing/index.js';
import { Matcher, addBankEntry, createBank } from '../matching/index.js';
import { NetworkGuard } from '../network/index.js';
import { listReports } from '../reports/index.js';
import type { Database } from '../store/index.js';
import {
  casework,
  describeEachEngine,
  spacedStarts,
  startSyntheticWeb,
  useTemporaryDirectory,
} from '../../test/support/index.js';
import type { SyntheticWeb } from '../../test/support/index.js';
import { ContentPipeline } from '../pipeline/index.js';
import { Policy } from '../policy/index.js';
import { Crawler, createCrawl, createRecheck, frontier, listWatchedUrls, recheckSummary } from './index.js';
import type { CrawlEvent, CrawlOptions } from './index.js';
import type * as Politeness from './politeness.js';

const delayMs = 100;
// Politeness is read off the schedule of starts the crawler reserves for each host (host_slots), not off
// arrival times at the server, which a busy machine bunches up.
const reservedStarts = vi.hoisted(() => new Map<string, number[]>());
vi.mock('./politeness.js', async (importOriginal) => {
  const { recordReservedStarts } = await import('../../test/support/host-slots.js');
  return recordReservedStarts(await importOriginal<typeof Politeness>(), reservedStarts);
});
const options: Partial<CrawlOptions> = {
  scope: 'any',
  maxDepth: 6,
  maxPages: 200,
  hostDelayMs: delayMs,
  hostConcurrency: 2,
  timeoutMs: 3000,
  maxPageBytes: 1024 * 1024,
  retryBaseMs: 100,
  maxAttempts: 3,
};

let web: SyntheticWeb;
let guard: NetworkGuard;
beforeEach(async () => {
  reservedStarts.clear();
  web = await startSyntheticWeb();
  guard = new NetworkGuard({ allow: ['127.0.0.1'] });
});
afterEach(async () => {
  await guard.close();
  await web.close();
});

async function setUp(database: Database, directory: string, withBank = true) {
  if (withBank) {
    await createBank(database, { name: 'standin-csam', category: 'csam' });
    for (const original of web.originals) {
      const { pdq } = await hashImage(original, { limits: { maxBytes: 1e8, maxPixels: 1e8 } });
      await addBankEntry(database, 'standin-csam', { signalType: 'pdq', signal: pdq });
    }
  }
  const matcher = await Matcher.open(database, { defaultThreshold: 31, minQuality: 50, refreshMs: 0 });
  const evidence = await EvidenceStore.open({
    blobDir: join(directory, 'blobs'),
    dataDir: directory,
    maxImageBytes: 10 * 1024 * 1024,
    maxImagePixels: 1e8,
  });
  const pipeline = new ContentPipeline({
    database,
    matcher,
    evidence,
    policy: new Policy(database),
    casework: casework(database),
  });
  const dependencies = { database, guard, evidence, pipeline };
  return { dependencies, close: () => matcher.close() };
}

async function urlRows(database: Database) {
  return database.db.selectFrom('crawl_urls').selectAll().orderBy('id').execute();
}

function pagePaths(web: SyntheticWeb) {
  return web.requests.filter(
    (request) => !request.path.startsWith('/img/') && request.path !== '/robots.txt',
  );
}

describeEachEngine('Crawler', (database) => {
  const directory = useTemporaryDirectory();

  it('finds every planted copy once, honours robots.txt and politeness, and refuses forbidden addresses', async () => {
    const { dependencies, close } = await setUp(database(), directory());
    const crawl = await createCrawl(database(), { seeds: [`${web.origin.a}/`], options, createdBy: 'test' });
    const events: CrawlEvent[] = [];
    const crawler = new Crawler(dependencies, {
      concurrency: 8,
      leaseMs: 5000,
      onEvent: (event) => events.push(event),
    });
    const progress = await crawler.run(crawl.id, new AbortController().signal);
    close();

    expect(progress.status).toBe('done');
    expect(progress.queued + progress.fetching).toBe(0);

    // Every planted copy, exactly one report each, with the page and the image.
    const reports = await listReports(database(), { source: 'crawler' });
    const found = reports.map((report) => `${report.url} ${report.media_url}`).sort();
    expect(found).toEqual(web.planted.map(({ page, media }) => `${page} ${media}`).sort());
    expect(reports.every((report) => report.matches.length > 0)).toBe(true);
    expect(progress.reports_filed).toBe(web.planted.length);

    const rows = await urlRows(database());
    const row = (url: string) => rows.find((entry) => entry.url === url);
    // robots.txt: the disallowed page was never requested, and the frontier says why.
    expect(web.count('a', '/private/secret')).toBe(0);
    expect(row(`${web.origin.a}/private/secret`)).toMatchObject({ status: 'failed' });
    expect(row(`${web.origin.a}/private/secret`)?.error).toMatch(/robots\.txt/);
    expect(web.count('a', '/robots.txt')).toBe(1);

    // Forbidden addresses: refused before any connection, recorded as errors.
    for (const forbidden of ['http://10.0.0.1/', 'http://[::1]:1/']) {
      expect(row(forbidden)?.status).toBe('failed');
      expect(row(forbidden)?.error).toMatch(/Refused to connect/);
    }
    expect(progress.media_failed).toBeGreaterThanOrEqual(1);

    // Broken, huge, slow, flaky and redirected pages.
    expect(row(`${web.origin.a}/missing`)).toMatchObject({ status: 'failed', http_status: 404 });
    expect(row(`${web.origin.a}/huge`)?.error).toMatch(/larger than/);
    expect(row(`${web.origin.a}/slow`)?.status).toBe('done');
    expect(row(`${web.origin.a}/flaky`)).toMatchObject({ status: 'done', attempts: 2 });
    expect(events.some((event) => event.type === 'retry' && event.url.endsWith('/flaky'))).toBe(true);
    // Each redirect hop is a URL of its own, found by the one before it, with the same priority (less
    // the boosts a match on its host gave it while it was queued, which depend on the order of pages).
    const hops = ['/redirect/1', '/redirect/2', '/redirect/3', '/landing'].map((path) => {
      const found = row(`${web.origin.a}${path}`);
      const boost = ' (+20)';
      const boosts = found === undefined ? 0 : found.reason.split(boost).length - 1;
      return (
        found && { ...found, priority: found.priority - 20 * boosts, reason: found.reason.split(';')[0] }
      );
    });
    for (let index = 0; index < 3; index += 1) {
      expect(hops[index]).toMatchObject({
        status: 'done',
        http_status: 302,
        final_url: hops[index + 1]?.url,
      });
      expect(hops[index + 1]).toMatchObject({
        discovered_from: hops[index]?.url,
        priority: hops[0]?.priority,
        reason: `a redirect from ${hops[index]?.url}`,
      });
    }
    expect(hops[3]).toMatchObject({ status: 'done', http_status: 200 });
    expect(rows.some((entry) => entry.url.startsWith('mailto:'))).toBe(false);
    // Videos are recorded for video hashing, not fetched.
    const videos = await database().db.selectFrom('crawl_videos').select(['page_url', 'video_url']).execute();
    expect(videos).toEqual([{ page_url: `${web.origin.b}/b1`, video_url: `${web.origin.b}/v/clip.mp4` }]);
    expect(web.count('b', '/v/clip.mp4')).toBe(0);

    // Each page fetched once (the flaky one twice), each image once however many pages show it.
    const counts = new Map<string, number>();
    for (const request of web.requests) {
      const key = `${request.host} ${request.path}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, count] of counts) expect([key, count]).toEqual([key, key === 'a /flaky' ? 2 : 1]);

    // Politeness: every request to a host, redirect hops included, took a start of the host's schedule,
    // and the starts are at least the delay apart.
    for (const host of ['a', 'b', 'c'] as const) {
      const schedule = spacedStarts(reservedStarts.get(new URL(web.origin[host]).host));
      expect(schedule.count).toBe(web.requests.filter((request) => request.host === host).length);
      expect(schedule.closest).toBeGreaterThanOrEqual(delayMs);
    }

    // A second run over a finished crawl does nothing.
    const again = await new Crawler(dependencies).run(crawl.id, new AbortController().signal);
    expect(again.status).toBe('done');
    expect(await listReports(database(), { source: 'crawler' })).toHaveLength(web.planted.length);
  });

  it('keeps to the scope, the depth and the page limit', async () => {
    const { dependencies, close } = await setUp(database(), directory());
    const crawl = await createCrawl(database(), {
      seeds: [`${web.origin.a}/`],
      options: { ...options, scope: 'same-host', maxDepth: 1, hostDelayMs: 0 },
    });
    await new Crawler(dependencies).run(crawl.id, new AbortController().signal);
    const rows = await urlRows(database());
    expect(rows.every((row) => row.url.startsWith(web.origin.a))).toBe(true);
    expect(rows.every((row) => row.depth <= 1)).toBe(true);
    expect(web.requests.every((request) => request.host === 'a')).toBe(true);
    expect(web.count('a', '/p2')).toBe(0);

    const limited = await createCrawl(database(), {
      seeds: [`${web.origin.b}/`],
      options: { ...options, maxPages: 3, hostDelayMs: 0 },
    });
    await new Crawler(dependencies).run(limited.id, new AbortController().signal);
    const limitedRows = (await urlRows(database())).filter((row) => row.crawl_id === limited.id);
    expect(limitedRows).toHaveLength(3);
    close();
  });

  it('stopped halfway, continues without fetching a finished page again or filing a report twice', async () => {
    const { dependencies, close } = await setUp(database(), directory());
    const crawl = await createCrawl(database(), { seeds: [`${web.origin.a}/`], options });
    const stop = new AbortController();
    let pages = 0;
    const first = await new Crawler(dependencies, {
      concurrency: 4,
      leaseMs: 5000,
      onEvent: (event) => {
        if (event.type === 'page') pages += 1;
        if (pages >= 6) stop.abort();
      },
    }).run(crawl.id, stop.signal);
    expect(first.status).toBe('running');
    const doneBefore = (await urlRows(database()))
      .filter((row) => row.status === 'done')
      .map((row) => row.url);
    expect(doneBefore.length).toBeGreaterThanOrEqual(6);
    const split = web.requests.length;

    const second = await new Crawler(dependencies, { concurrency: 4, leaseMs: 5000 }).run(
      crawl.id,
      new AbortController().signal,
    );
    expect(second.status).toBe('done');
    const later = web.requests.slice(split);
    for (const url of doneBefore) {
      const { host, pathname } = new URL(url);
      const name = Object.entries(web.origin).find(([, origin]) => new URL(origin).host === host)?.[0];
      expect(later.filter((request) => request.host === name && request.path === pathname)).toEqual([]);
    }
    const reports = await listReports(database(), { source: 'crawler' });
    expect(reports.map((report) => `${report.url} ${report.media_url}`).sort()).toEqual(
      web.planted.map(({ page, media }) => `${page} ${media}`).sort(),
    );
    expect(pagePaths(web).length).toBeGreaterThan(0);
    close();
  });

  it('records the evidence of each fetch on its report, and ranks links near matches with reasons', async () => {
    // The fetch's time is taken during the run: between its start and its end, whatever the machine's load.
    const begun = Date.now();
    const { dependencies, close } = await setUp(database(), directory());
    const crawl = await createCrawl(database(), {
      seeds: [`${web.origin.b}/`],
      options: { ...options, hostDelayMs: 0 },
    });
    await new Crawler(dependencies).run(crawl.id, new AbortController().signal);
    close();
    const reports = await listReports(database(), { source: 'crawler' });
    const report = reports.find((entry) => entry.url === `${web.origin.b}/`);
    expect(report).toMatchObject({ host_address: '127.0.0.1', media_url: `${web.origin.c}/img/second.webp` });
    const [page, media] = report?.fetches ?? [];
    expect(page).toMatchObject({ url: `${web.origin.b}/`, status: 200, address: '127.0.0.1' });
    expect(page?.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Date.parse(page?.fetched_at ?? '')).toBeGreaterThanOrEqual(begun);
    expect(Date.parse(page?.fetched_at ?? '')).toBeLessThanOrEqual(Date.now());
    expect(media).toMatchObject({
      url: `${web.origin.c}/img/second.webp`,
      status: 200,
      address: '127.0.0.1',
    });
    expect(media?.headers['content-type']).toBe('image/webp');

    // b/ shows a match: the pages it links to were ranked for it, and say so.
    const rows = await urlRows(database());
    const b1 = rows.find((row) => row.url === `${web.origin.b}/b1`);
    expect(b1?.reason).toContain('1 link from a page with a match (+60)');
    expect(b1?.match_distance).toBe(1);
    const a = rows.find((row) => row.url === `${web.origin.a}/`);
    expect(a?.reason).toMatch(/^depth 1 \(-10\); 1 link from a page with a match/);

    // A later crawl ranks links to hosts that served matches higher; the frontier shows why.
    const later = await createCrawl(database(), {
      seeds: [`${web.origin.c}/`],
      options: { ...options, maxDepth: 1, hostDelayMs: 0 },
    });
    expect(await frontier(database(), later.id, 10)).toMatchObject([
      { url: `${web.origin.c}/`, reason: 'seed' },
    ]);
    const { dependencies: again, close: closeAgain } = await setUp(database(), directory(), false);
    await new Crawler(again).run(later.id, new AbortController().signal);
    closeAgain();
    const laterRows = (await urlRows(database())).filter((row) => row.crawl_id === later.id);
    expect(laterRows.find((row) => row.url === `${web.origin.b}/b1`)?.reason).toMatch(
      /its host served \d+ earlier match/,
    );
  });

  it("follows a seed that redirects to another host, and widens the scope to the seed's new host", async () => {
    const { dependencies, close } = await setUp(database(), directory());
    const crawl = await createCrawl(database(), {
      seeds: [`${web.origin.a}/moved`],
      options: { ...options, scope: 'same-host', maxDepth: 1, hostDelayMs: 0 },
    });
    await new Crawler(dependencies).run(crawl.id, new AbortController().signal);
    close();
    const rows = await urlRows(database());
    expect(rows.find((row) => row.url === `${web.origin.a}/moved`)).toMatchObject({
      http_status: 302,
      final_url: `${web.origin.b}/`,
    });
    expect(rows.find((row) => row.url === `${web.origin.b}/`)).toMatchObject({ status: 'done', depth: 0 });
    // Links on the new host are in scope; host a (linked from b/) is not.
    expect(rows.find((row) => row.url === `${web.origin.b}/b1`)?.status).toBe('done');
    expect(rows.some((row) => row.url.startsWith(web.origin.c))).toBe(false);
  });

  it('rechecks confirmed URLs: present, changed, removed, with the time the content went', async () => {
    const begun = Date.now();
    const { dependencies, close } = await setUp(database(), directory());
    const crawl = await createCrawl(database(), {
      seeds: [`${web.origin.b}/`],
      options: { ...options, hostDelayMs: 0 },
    });
    await new Crawler(dependencies).run(crawl.id, new AbortController().signal);
    // An analyst confirmed every case the crawl opened, each page and item in it.
    const db = database().db;
    await db
      .updateTable('cases')
      .set({ status: 'decided', outcome: 'confirmed', category: 'csam' })
      .execute();
    for (const { id } of await db.selectFrom('cases').select('id').execute()) {
      const reports = await db
        .selectFrom('reports')
        .select(['id', 'url'])
        .where('case_id', '=', id)
        .execute();
      const media = await db
        .selectFrom('report_media')
        .select('sha256')
        .where(
          'report_id',
          'in',
          reports.map((report) => report.id),
        )
        .execute();
      await db
        .insertInto('decisions')
        .values({
          case_id: id,
          actor: 'user:1',
          role: 'analyst',
          kind: 'confirmed',
          category: 'csam',
          grade: 'A',
          reason: '',
          bank: '',
          evidence_seen: '[]',
          created_at: new Date().toISOString(),
          items: JSON.stringify(media.map(({ sha256 }) => ({ sha256, verdict: 'confirmed' }))),
          urls: JSON.stringify(reports.map(({ url }) => ({ url, verdict: 'confirmed' }))),
        })
        .execute();
    }
    // Since then: b/b1 dropped its picture, b/b2 is gone.
    web.replace('b', '/b1', '<p>nothing to see</p>');
    web.replace('b', '/b2', undefined);

    const recheck = await createRecheck(database(), { options: { ...options, hostDelayMs: 0 } });
    expect(recheck.mode).toBe('recheck');
    const progress = await new Crawler(dependencies).run(recheck.id, new AbortController().signal);
    close();
    expect(progress.status).toBe('done');
    const watched = await listWatchedUrls(database());
    const state = (url: string) => watched.find((entry) => entry.url === url);
    expect(state(`${web.origin.b}/`)).toMatchObject({
      kind: 'page',
      status: 'present',
      http_status: 200,
      removed_at: null,
    });
    expect(state(`${web.origin.c}/img/second.webp`)).toMatchObject({ kind: 'media', status: 'present' });
    expect(state(`${web.origin.b}/b1`)).toMatchObject({ status: 'changed', http_status: 200 });
    expect(state(`${web.origin.b}/b2`)).toMatchObject({ status: 'removed', http_status: 404 });
    // The content went during the recheck: its time lies between the test's start and now.
    const removedAt = Date.parse(state(`${web.origin.b}/b2`)?.removed_at ?? '');
    expect(removedAt).toBeGreaterThanOrEqual(begun);
    expect(removedAt).toBeLessThanOrEqual(Date.now());
    expect(await recheckSummary(database(), recheck.id)).toMatchObject({ removed: 1, changed: 1 });
    // Each visit is kept, with what still matched.
    const checks = await database().db.selectFrom('url_checks').selectAll().execute();
    const present = checks.find((check) => check.status === 'present');
    expect(JSON.parse(present?.evidence ?? '{}').matching.length).toBeGreaterThan(0);
    // The recheck filed no report and followed no link.
    expect(progress.reports_filed).toBe(0);
    expect((await urlRows(database())).filter((row) => row.crawl_id === recheck.id && row.depth > 0)).toEqual(
      [],
    );
    // A case that is not confirmed cannot be rechecked.
    await expect(createRecheck(database(), { caseIds: [99_999] })).rejects.toThrow(/not confirmed/);
  });
});

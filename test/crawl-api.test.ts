// Crawls over the API, run by the background crawl service as `warden serve` runs it, against the
// synthetic web on 127.0.0.1: start, watch, see what is next and why, pause, resume and cancel; a
// confirmed case seeds a crawl by itself; a recheck of a confirmed case records that its content is
// still there. On SQLite and, when DATABASE_URL is set, on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createApiKey } from '../src/auth/index.js';
import { backgroundHandlers } from '../src/background/index.js';
import { loadConfig } from '../src/config/index.js';
import { hashImage } from '../src/hashing/index.js';
import { addBankEntry, createBank } from '../src/matching/index.js';
import { crawlConfirmedKind, listReports } from '../src/reports/index.js';
import { buildApp, openServices } from '../src/server/index.js';
import type { App, Services } from '../src/server/index.js';
import { describeEachEngine, runJobsUntilSettled, startSyntheticWeb } from './support/index.js';
import type { SyntheticWeb } from './support/index.js';

interface CrawlJson {
  crawl_id: number;
  mode: string;
  status: string;
  pages_fetched: number;
  reports_filed: number;
  queued: number;
  fetching: number;
  errors?: { url: string; error: string }[];
  checks?: Record<string, number>;
}

describeEachEngine('crawls API', (database) => {
  let services: Services & { close(): Promise<void> };
  let app: App;
  let web: SyntheticWeb;
  let dataDir: string;
  let background: Awaited<ReturnType<typeof backgroundHandlers>>;
  let stopService: AbortController;
  let serviceRun: Promise<void> | undefined;
  const keys: Record<'analyst' | 'admin' | 'platform', string> = { analyst: '', admin: '', platform: '' };

  beforeEach(async () => {
    web = await startSyntheticWeb({ slowMs: 50 });
    dataDir = mkdtempSync(join(tmpdir(), 'warden-crawls-'));
    const config = loadConfig(
      {},
      {
        dataDir,
        indexRefreshMs: 50,
        hashingThreads: 1,
        networkAllow: ['127.0.0.1'],
        crawlHostDelayMs: 0,
        crawlConfirmed: true,
        twoPersonRule: false,
        fetchTimeoutMs: 3000,
      },
    );
    services = await openServices(config, pino({ level: 'silent' }), database());
    app = await buildApp(services);
    for (const role of ['analyst', 'admin', 'platform'] as const) {
      keys[role] = (await createApiKey(database(), { role })).key;
    }
    await createBank(database(), { name: 'standin-csam', category: 'csam' });
    for (const original of web.originals) {
      const { pdq } = await hashImage(original, { limits: { maxBytes: 1e8, maxPixels: 1e8 } });
      await addBankEntry(database(), 'standin-csam', { signalType: 'pdq', signal: pdq });
    }
    background = backgroundHandlers(config, services);
    stopService = new AbortController();
  });
  afterEach(async () => {
    stopService.abort();
    await serviceRun;
    serviceRun = undefined;
    await background.close();
    await app.close();
    await services.close();
    await web.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (role: keyof typeof keys, method: 'GET' | 'POST', url: string, payload?: object) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${keys[role]}` },
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };
  const crawl = async (id: number) =>
    (await call('analyst', 'GET', `/v1/crawls/${id}`)).body as unknown as CrawlJson;
  const startService = () => {
    serviceRun = background.crawls?.run(stopService.signal);
    expect(serviceRun).toBeDefined();
  };
  const until = (check: () => Promise<boolean>, timeout = 20_000) =>
    vi.waitFor(
      async () => {
        if (!(await check())) throw new Error('not yet');
      },
      { timeout, interval: 50 },
    );

  it('starts a crawl that the background service runs to the end, and shows its progress and errors', async () => {
    // Who may start what.
    expect((await call('platform', 'POST', '/v1/crawls', { seeds: [`${web.origin.a}/`] })).status).toBe(403);
    const robots = await call('analyst', 'POST', '/v1/crawls', {
      seeds: [`${web.origin.a}/`],
      options: { ignore_robots: true },
    });
    expect(robots.status).toBe(403);
    expect(JSON.stringify(robots.body)).toMatch(/admin/);
    const badSeed = await call('analyst', 'POST', '/v1/crawls', { seeds: ['ftp://example.org/'] });
    expect(badSeed.status).toBe(400);
    expect(JSON.stringify(badSeed.body)).toMatch(/http/);

    const started = await call('analyst', 'POST', '/v1/crawls', {
      seeds: [`${web.origin.a}/`],
      options: { scope: 'any', max_depth: 6, host_concurrency: 2 },
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ mode: 'crawl', status: 'running', queued: 1 });
    expect(started.body.options).toMatchObject({
      scope: 'any',
      max_depth: 6,
      host_delay_ms: 0,
      ignore_robots: false,
    });
    const id = started.body.crawl_id as number;

    startService();
    await until(async () => (await crawl(id)).status === 'done');
    const done = await crawl(id);
    expect(done.reports_filed).toBe(web.planted.length);
    expect(done.queued + done.fetching).toBe(0);
    expect(done.errors?.some((entry) => /robots\.txt/.test(entry.error))).toBe(true);
    const reports = await listReports(database(), { source: 'crawler' });
    expect(reports.map((report) => `${report.url} ${report.media_url}`).sort()).toEqual(
      web.planted.map(({ page, media }) => `${page} ${media}`).sort(),
    );
    const list = await call('analyst', 'GET', '/v1/crawls');
    expect((list.body.crawls as CrawlJson[]).map((entry) => entry.crawl_id)).toContain(id);
    const audit = await call('admin', 'GET', '/v1/audit?action=crawl.start');
    expect(JSON.stringify(audit.body)).toContain(`crawl:${id}`);
  });

  it('pauses, resumes and cancels a crawl, and shows what is next in its frontier and why', async () => {
    const started = await call('analyst', 'POST', '/v1/crawls', {
      seeds: [`${web.origin.a}/`],
      options: { scope: 'any', max_depth: 6, host_delay_ms: 250, host_concurrency: 1 },
    });
    const id = started.body.crawl_id as number;
    startService();
    await until(async () => (await crawl(id)).pages_fetched >= 2);

    expect((await call('analyst', 'POST', `/v1/crawls/${id}/pause`)).body).toMatchObject({
      status: 'paused',
    });
    // Within a poll the runs stop, and what they were fetching goes back to the queue.
    await until(async () => (await crawl(id)).fetching === 0);
    const paused = (await crawl(id)).pages_fetched;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await crawl(id)).pages_fetched).toBe(paused);

    const next = await call('analyst', 'GET', `/v1/crawls/${id}/frontier?limit=5`);
    const urls = next.body.urls as { url: string; priority: number; reason: string }[];
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((entry) => /depth \d/.test(entry.reason))).toBe(true);
    const priorities = urls.map((entry) => entry.priority);
    expect([...priorities].sort((a, b) => b - a)).toEqual(priorities);

    expect((await call('analyst', 'POST', `/v1/crawls/${id}/resume`)).body).toMatchObject({
      status: 'running',
    });
    await until(async () => (await crawl(id)).pages_fetched > paused);
    expect((await call('analyst', 'POST', `/v1/crawls/${id}/cancel`)).body).toMatchObject({
      status: 'cancelled',
    });
    const again = await call('analyst', 'POST', `/v1/crawls/${id}/resume`);
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).toMatch(/cancelled/);
    expect((await call('analyst', 'POST', '/v1/crawls/99999/pause')).status).toBe(404);
  });

  it('crawls from a confirmed case by itself, and rechecks that the content is still there', async () => {
    // A platform reports a page with a planted copy; its media is fetched; an analyst confirms it.
    const filed = await services.casework.fileReport({
      source: 'platform',
      reporter: 'key:1',
      url: `${web.origin.b}/`,
    });
    await runJobsUntilSettled(database(), 'report.fetch', { concurrency: 2, handlers: background.handlers });
    const analyst = { actor: 'key:2', role: 'analyst' };
    await services.casework.claim(filed.caseId, analyst);
    await services.casework.decide(filed.caseId, analyst, {
      kind: 'confirmed',
      category: 'csam',
      grade: 'A',
      reason: 'stand-in material',
    });
    await runJobsUntilSettled(database(), crawlConfirmedKind, {
      concurrency: 1,
      handlers: background.handlers,
    });
    const crawls = (await call('analyst', 'GET', '/v1/crawls')).body.crawls as (CrawlJson & {
      seeds: string[];
      created_by: string;
    })[];
    expect(crawls).toHaveLength(1);
    expect(crawls[0]).toMatchObject({ seeds: [`${web.origin.b}/`], created_by: `case:${filed.caseId}` });
    // Cancelled before it runs, so that only the recheck below does.
    await call('analyst', 'POST', `/v1/crawls/${crawls[0]?.crawl_id}/cancel`);

    const recheck = await call('analyst', 'POST', '/v1/crawls', { mode: 'recheck', cases: [filed.caseId] });
    expect(recheck.status).toBe(201);
    expect(recheck.body).toMatchObject({ mode: 'recheck' });
    startService();
    const id = recheck.body.crawl_id as number;
    await until(async () => (await crawl(id)).status === 'done');
    // The page and its two images (the planted copy and an unrelated one) are all still there.
    expect((await crawl(id)).checks).toEqual({ present: 3, changed: 0, removed: 0, unreachable: 0 });
    const watched = await call('analyst', 'GET', `/v1/watched-urls?case_id=${filed.caseId}`);
    expect(watched.body.urls).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ url: `${web.origin.b}/`, kind: 'page', status: 'present' }),
        expect.objectContaining({ url: `${web.origin.c}/img/second.webp`, kind: 'media', status: 'present' }),
      ]),
    );
    const refused = await call('analyst', 'POST', '/v1/crawls', {
      mode: 'recheck',
      cases: [filed.caseId + 1000],
    });
    expect(refused.status).toBe(400);
  });
});

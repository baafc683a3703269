// Crawler throughput: pages/s and images/s on a synthetic web of 50 hosts × 200 pages × 5 images served
// by a child process (bench/support/crawl-web.ts), with the recall of planted copies of bank images.
// Every comparison is with an anchor run in the same bench run on the same web: Crawlee's CheerioCrawler
// (installed from npm into a scratch folder, bench/support/crawlee.ts) at concurrency 64, its crawls
// alternating with Warden's for several rounds (median and best round); undici alone and the network
// guard alone over every page; parsing alone (linksAndMediaOnPage) over the bodies; and hashing a sample of
// the images on the hashing pool, in-process as the evidence store does, and through evidence.put.
// From these, the crawls' CPU per page is split into fetching, parsing, hashing and the rest (database,
// frontier, scheduling). Each crawl gets a fresh SQLite database in a temporary folder (PostgreSQL in a
// schema of its own when DATABASE_URL is set).
// `npx tsx bench/run.ts crawl [--quick] [--rounds 3] [--concurrency 16,64,128] [--media-concurrency 64]
//  [--host-concurrency 8] [--profile DIR]`: --quick is 10 hosts × 50 pages; --profile writes a V8 CPU
// profile of each crawl's main thread to DIR and prints where the crawl without media spends it.
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config/index.js';
import type { Config } from '../src/config/index.js';
import { Crawler, createCrawl } from '../src/crawl/index.js';
import { EvidenceStore, linksAndMediaOnPage } from '../src/evidence/index.js';
import { createHashingPool, hashImage } from '../src/hashing/index.js';
import { Matcher, addBankEntry, createBank } from '../src/matching/index.js';
import { NetworkGuard } from '../src/network/index.js';
import { Casework, caseworkOptions, listReports } from '../src/reports/index.js';
import { openDatabase } from '../src/store/index.js';
import type { Database } from '../src/store/index.js';
import { startCrawlWeb } from './support/crawl-web.js';
import { crawleeVersion, installCrawlee, runCrawlee } from './support/crawlee.js';
import type { CrawlWeb, CrawlWebStats } from './support/crawl-web.js';
import { formatNumber, median, printTable } from './table.js';
import { ContentPipeline } from '../src/pipeline/index.js';
import { Policy } from '../src/policy/index.js';
import type { Cell } from './table.js';

const scales = {
  full: { hosts: 50, pagesPerHost: 200, imagePool: 300, planted: 12, hashSample: 2000 },
  quick: { hosts: 10, pagesPerHost: 50, imagePool: 60, planted: 6, hashSample: 400 },
};
const baselineConcurrency = 64;
const userAgent = 'WardenBench/1.0';

function numbers(args: string[], name: string, fallback: number[]): number[] {
  const at = args.indexOf(name);
  const value = at >= 0 ? args[at + 1] : undefined;
  return value === undefined ? fallback : value.split(',').map(Number);
}

function text(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** Time, CPU of this process (every thread) and CPU of the web's process, around some work. */
interface Cost {
  seconds: number;
  cpuMs: number;
  served: CrawlWebStats;
}

async function measured<T>(web: CrawlWeb, work: () => Promise<T>): Promise<{ result: T } & Cost> {
  const before = await web.stats();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const seconds = (performance.now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const after = await web.stats();
  const served = Object.fromEntries(
    Object.entries(after).map(([key, value]) => [key, value - before[key as keyof CrawlWebStats]]),
  ) as unknown as CrawlWebStats;
  return { result, seconds, cpuMs: (user + system) / 1000, served };
}

/** Runs `work` over the items, `concurrency` at a time, keeping the results in order. */
async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

/** An empty database of its own: SQLite in a temporary folder, or a PostgreSQL schema when DATABASE_URL is set. */
async function openStore(): Promise<{ database: Database; config: Config; close: () => Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'warden-bench-crawl-'));
  const config = loadConfig({ WARDEN_DATA_DIR: directory, DATABASE_URL: process.env.DATABASE_URL });
  const schema = `bench_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const database = await openDatabase({
    dataDir: directory,
    databaseUrl: config.databaseUrl,
    ...(config.databaseUrl ? { postgresSchema: schema } : {}),
  });
  return {
    database,
    config,
    close: async () => {
      if (database.dialect === 'postgres')
        await sql`drop schema ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

interface Baselines {
  undici: Cost;
  guard: Cost;
  parse: { pagesPerSecond: number; cpuMsPerPage: number };
  imageFetch: Cost;
  pool: { filesPerSecond: number; cpuMsPerFile: number; threads: number };
  inProcess: { filesPerSecond: number; cpuMsPerFile: number };
  put: { filesPerSecond: number; cpuMsPerFile: number };
  sample: number;
  imagesPerPage: number;
}

async function baselines(web: CrawlWeb, hashSample: number): Promise<Baselines> {
  const pages = web.pages;
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  const get = async (url: string) => {
    const { body } = await request(url, { dispatcher: agent, headers: { 'user-agent': userAgent } });
    return Buffer.from(await body.arrayBuffer());
  };
  // A warm-up pass: connections open and code compiled before anything is timed.
  await inParallel(pages.slice(0, 2000), baselineConcurrency, get);
  const undici = await measured(web, () => inParallel(pages, baselineConcurrency, get));
  const bodies = undici.result;

  const guard = new NetworkGuard({ allow: web.origins.map((origin) => new URL(origin).host) });
  const limits = { timeoutMs: 30_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 0, returnRedirects: true };
  const guarded = await measured(web, () =>
    inParallel(pages, baselineConcurrency, async (url) => {
      const response = await guard.fetch(url, { headers: { 'user-agent': userAgent } }, limits);
      return response.readBody();
    }),
  );
  await guard.close();

  // Parsing: as the crawler does it (decode, then links and media), repeated for a steady figure.
  const images = new Set<string>();
  let references = 0;
  for (const [index, body] of bodies.entries()) {
    const page = linksAndMediaOnPage(new TextDecoder().decode(body), pages[index] ?? '');
    for (const item of page.media) if (item.kind === 'image') images.add(item.url);
    references += page.media.length;
  }
  const cpu = process.cpuUsage();
  const start = performance.now();
  let parsed = 0;
  while (performance.now() - start < 1500 || parsed < 2 * bodies.length) {
    for (const [index, body] of bodies.entries()) {
      linksAndMediaOnPage(new TextDecoder().decode(body), pages[index] ?? '');
    }
    parsed += bodies.length;
  }
  const parseSeconds = (performance.now() - start) / 1000;
  const parseCpu = process.cpuUsage(cpu);

  // Hashing: a sample of the distinct images, spread over the web.
  const distinct = [...images];
  const step = Math.max(1, distinct.length / hashSample);
  const chosen = Array.from(
    { length: Math.min(hashSample, distinct.length) },
    (_, k) => distinct[Math.floor(k * step)] ?? '',
  );
  const imageFetch = await measured(web, () => inParallel(chosen, baselineConcurrency, get));
  await agent.close();
  const files = imageFetch.result;
  const { config, database, close } = await openStore();
  const imageLimits = { maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels };
  const pool = createHashingPool({ limits: imageLimits });
  let poolCost: Cost;
  try {
    await Promise.all(files.slice(0, 4 * pool.size).map((file) => pool.hashBytes(file)));
    poolCost = await measured(web, () => Promise.all(files.map((file) => pool.hashBytes(file))));
  } finally {
    await pool.close();
  }
  const inProcess = await measured(web, () =>
    inParallel(files, 4, (file) => hashImage(file, { limits: imageLimits })),
  );
  let put: Cost;
  try {
    const evidence = await EvidenceStore.open(config);
    put = await measured(web, () => inParallel(files, 8, (file) => evidence.put(database, file)));
  } finally {
    await close();
  }
  const perFile = (cost: Cost) => ({
    filesPerSecond: files.length / cost.seconds,
    cpuMsPerFile: cost.cpuMs / files.length,
  });
  return {
    undici,
    guard: guarded,
    parse: {
      pagesPerSecond: parsed / parseSeconds,
      cpuMsPerPage: (parseCpu.user + parseCpu.system) / 1000 / parsed,
    },
    imageFetch,
    pool: { ...perFile(poolCost), threads: pool.size },
    inProcess: perFile(inProcess),
    put: perFile(put),
    sample: files.length,
    imagesPerPage: references / bodies.length,
  };
}

interface CrawlResult extends Cost {
  label: string;
  concurrency: number;
  media: boolean;
  pages: number;
  failed: number;
  hashed: number;
  found: number;
  /** Crawlee's crawl, not Warden's. */
  anchor?: true;
  profile?: Profiler.Profile;
}

async function crawl(
  web: CrawlWeb,
  settings: { concurrency: number; hostConcurrency: number; media: boolean; profile: boolean },
): Promise<CrawlResult> {
  const { config, database, close } = await openStore();
  const hosts = web.origins.map((origin) => new URL(origin).host);
  const guard = new NetworkGuard({ allow: hosts });
  const limits = { maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels };
  await createBank(database, { name: 'bench-bank', category: 'csam' });
  for (const original of web.originals) {
    const { pdq } = await hashImage(original, { limits });
    await addBankEntry(database, 'bench-bank', { signalType: 'pdq', signal: pdq });
  }
  const matcher = await Matcher.open(database, {
    defaultThreshold: config.matchThreshold,
    minQuality: config.minQuality,
    refreshMs: 0,
  });
  const session = new Session();
  try {
    const evidence = await EvidenceStore.open(config);
    const casework = new Casework(database, caseworkOptions(config));
    const created = await createCrawl(database, {
      seeds: web.origins.map((origin) => `${origin}/`),
      createdBy: 'bench',
      options: {
        scope: 'any',
        maxDepth: 1000,
        maxPages: web.pages.length,
        hostDelayMs: 0,
        hostConcurrency: settings.hostConcurrency,
        maxMediaPerPage: settings.media ? 100 : 0,
        timeoutMs: 30_000,
        allowHosts: hosts,
      },
    });
    const crawler = new Crawler(
      {
        database,
        guard,
        evidence,
        pipeline: new ContentPipeline({
          database,
          matcher,
          evidence,
          casework,
          policy: new Policy(database),
        }),
      },
      { concurrency: settings.concurrency, leaseMs: 60_000, pdqThreshold: config.matchThreshold },
    );
    if (settings.profile) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    // Every request in flight listens to the run's signal: more than Node's default of 10 is expected.
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    const run = await measured(web, () => crawler.run(created.id, stop.signal));
    const profile = settings.profile ? (await session.post('Profiler.stop')).profile : undefined;
    const { hashed } = await database.db
      .selectFrom('evidence')
      .select((eb) => eb.fn.countAll<number>().as('hashed'))
      .executeTakeFirstOrThrow();
    const reports = await listReports(database, { source: 'crawler', limit: 1000 });
    const filed = new Set(reports.map((report) => `${report.url} ${report.media_url}`));
    return {
      ...run,
      label: `crawl ${settings.media ? 'with' : 'without'} media, concurrency ${settings.concurrency}${settings.profile ? ' (profiled)' : ''}`,
      concurrency: settings.concurrency,
      media: settings.media,
      pages: run.result.pages_fetched,
      failed: run.result.pages_failed,
      hashed: Number(hashed),
      found: web.planted.filter((copy) => filed.has(`${copy.page} ${copy.media}`)).length,
      ...(profile === undefined ? {} : { profile }),
    };
  } finally {
    session.disconnect();
    matcher.close();
    await guard.close();
    await close();
  }
}

/** Where a profiled crawl's main thread spent its time: by package or folder, and by function. */
function printProfile(title: string, profile: Profiler.Profile): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const parents = new Map<number, Profiler.ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const place = (url: string): string => {
    if (url === '') return '';
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (inModules !== null) return inModules[1] ?? path;
    if (path.startsWith(root)) return path.slice(root.length).split('/').slice(0, 2).join('/');
    return path.startsWith('node:') ? 'node internals' : path;
  };
  // Native frames (SQLite, crypto, the parser's regular expressions…) count for the code that called them.
  const categoryOf = (node: Profiler.ProfileNode): string => {
    const { functionName, url } = node.callFrame;
    if (url !== '') return place(url);
    if (functionName.startsWith('(')) return functionName;
    for (let up = parents.get(node.id); up !== undefined; up = parents.get(up.id)) {
      if (up.callFrame.url !== '') return `native, from ${place(up.callFrame.url)}`;
    }
    return 'native';
  };
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const idle = profile.nodes.find((node) => node.callFrame.functionName === '(idle)')?.hitCount ?? 0;
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const category = categoryOf(node);
    byCategory.set(category, (byCategory.get(category) ?? 0) + hits);
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url === '' ? `[${category}]` : `${place(url)}:${lineNumber + 1}`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
  }
  const share = (hits: number) => `${formatNumber((100 * hits) / total)}%`;
  const busy = (hits: number) => `${formatNumber((100 * hits) / Math.max(1, total - idle))}%`;
  const top = (map: Map<string, number>, count: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, hits]) => [name, share(hits), busy(hits)]);
  printTable(
    `${title}: main thread by package or folder (self time)`,
    ['where', 'of samples', 'of busy'],
    top(byCategory, 16),
  );
  printTable(
    `${title}: main thread by function (self time)`,
    ['function', 'of samples', 'of busy'],
    top(byFunction, 20),
  );
}

/** Crawlee's crawl of the same web, alternating with Warden's: a row of the tables like Warden's. */
async function crawleeCrawl(web: CrawlWeb, scratch: string, concurrency: number): Promise<CrawlResult> {
  const settings = {
    seeds: web.origins.map((origin) => `${origin}/`),
    concurrency,
    maxPages: web.pages.length,
  };
  const before = await web.stats();
  const result = await runCrawlee(scratch, settings);
  const after = await web.stats();
  const served = Object.fromEntries(
    Object.entries(after).map(([key, value]) => [key, value - before[key as keyof CrawlWebStats]]),
  ) as unknown as CrawlWebStats;
  return {
    label: `Crawlee ${crawleeVersion} CheerioCrawler, concurrency ${concurrency}`,
    concurrency,
    media: false,
    seconds: result.seconds,
    cpuMs: result.cpuMs,
    served,
    pages: result.pages,
    failed: result.failed,
    hashed: 0,
    found: 0,
    anchor: true,
  };
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const scale = quick ? scales.quick : scales.full;
  const concurrencies = numbers(args, '--concurrency', quick ? [16, 64] : [16, 64, 128]);
  const [rounds = 3] = numbers(args, '--rounds', [3]);
  const [mediaConcurrency = 64] = numbers(args, '--media-concurrency', [64]);
  const [hostConcurrency = 8] = numbers(args, '--host-concurrency', [8]);
  const profileDir = text(args, '--profile');
  const crawlee = installCrawlee();
  const web = await startCrawlWeb(scale);
  try {
    const base = await baselines(web, scale.hashSample);
    // Rounds of Warden's crawls and Crawlee's, one after the other, so that both see the same machine.
    const crawls: CrawlResult[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of concurrencies) {
        crawls.push(await crawl(web, { concurrency, hostConcurrency, media: false, profile: false }));
      }
      if ('scratch' in crawlee) crawls.push(await crawleeCrawl(web, crawlee.scratch, baselineConcurrency));
    }
    const ours = crawls.filter((result) => result.anchor !== true);
    const best = ours.reduce((a, b) => (b.pages / b.seconds > a.pages / a.seconds ? b : a));
    const withMedia = await crawl(web, {
      concurrency: mediaConcurrency,
      hostConcurrency,
      media: true,
      profile: false,
    });
    crawls.push(withMedia);
    if (profileDir !== undefined) {
      mkdirSync(profileDir, { recursive: true });
      for (const media of [false, true]) {
        const profiled = await crawl(web, {
          concurrency: media ? mediaConcurrency : best.concurrency,
          hostConcurrency,
          media,
          profile: true,
        });
        crawls.push(profiled);
        writeFileSync(
          join(profileDir, `crawl-${media ? 'media' : 'no-media'}.cpuprofile`),
          JSON.stringify(profiled.profile),
        );
      }
    }
    report(
      web,
      scale,
      base,
      crawls,
      best,
      withMedia,
      hostConcurrency,
      'error' in crawlee ? crawlee.error : undefined,
    );
    for (const profiled of crawls) {
      if (profiled.profile !== undefined) printProfile(profiled.label, profiled.profile);
    }
  } finally {
    await web.close();
  }
}

function report(
  web: CrawlWeb,
  scale: (typeof scales)[keyof typeof scales],
  base: Baselines,
  crawls: CrawlResult[],
  best: CrawlResult,
  withMedia: CrawlResult,
  hostConcurrency: number,
  crawleeMissing: string | undefined,
): void {
  const pageCount = web.pages.length;
  const ratio = (value: number, anchor: number, name: string) => `${(value / anchor).toFixed(2)}× ${name}`;
  const undiciRate = pageCount / base.undici.seconds;
  const rows: Cell[][] = [
    [
      'undici alone, pages (concurrency 64)',
      undiciRate,
      '-',
      'the pages anchor',
      (base.undici.cpuMs / pageCount).toFixed(3),
      '-',
    ],
    [
      'network guard alone, pages (concurrency 64)',
      pageCount / base.guard.seconds,
      '-',
      ratio(base.undici.seconds, base.guard.seconds, 'undici alone'),
      (base.guard.cpuMs / pageCount).toFixed(3),
      '-',
    ],
    [
      'parse only (linksAndMediaOnPage), one core',
      base.parse.pagesPerSecond,
      '-',
      ratio(base.parse.pagesPerSecond, undiciRate, 'undici alone'),
      base.parse.cpuMsPerPage.toFixed(3),
      '-',
    ],
    [
      'undici alone, images (concurrency 64)',
      '-',
      base.sample / base.imageFetch.seconds,
      '-',
      (base.imageFetch.cpuMs / base.sample).toFixed(3),
      '-',
    ],
    [
      `hashing pool, ${base.pool.threads} threads (hashBytes)`,
      '-',
      base.pool.filesPerSecond,
      'the images anchor',
      base.pool.cpuMsPerFile.toFixed(2),
      '-',
    ],
    [
      'hashImage in-process, 4 at once (evidence.put hashes so)',
      '-',
      base.inProcess.filesPerSecond,
      ratio(base.inProcess.filesPerSecond, base.pool.filesPerSecond, 'pool'),
      base.inProcess.cpuMsPerFile.toFixed(2),
      '-',
    ],
    [
      'evidence.put, 8 at once (hash, blob, fsync, row)',
      '-',
      base.put.filesPerSecond,
      ratio(base.put.filesPerSecond, base.pool.filesPerSecond, 'pool'),
      base.put.cpuMsPerFile.toFixed(2),
      '-',
    ],
  ];
  // Crawls repeated over the rounds share a row: the median round's pages/s, the best in brackets.
  const byLabel = new Map<string, CrawlResult[]>();
  for (const result of crawls) byLabel.set(result.label, [...(byLabel.get(result.label) ?? []), result]);
  const pagesRate = (results: CrawlResult[]) =>
    median(results.map((result) => result.pages / result.seconds));
  const anchor = crawls.filter((result) => result.anchor === true);
  const crawleeRate = anchor.length > 0 ? pagesRate(anchor) : undefined;
  for (const [label, results] of byLabel) {
    const first = results[0] as CrawlResult;
    const pagesPerSecond = pagesRate(results);
    const bestRate = Math.max(...results.map((result) => result.pages / result.seconds));
    const imagesPerSecond = first.served.images / first.seconds;
    const versus =
      first.anchor === true
        ? 'the crawler anchor'
        : crawleeRate === undefined
          ? (crawleeMissing ?? 'Crawlee not run')
          : ratio(pagesPerSecond, crawleeRate, 'Crawlee');
    rows.push([
      results.length > 1 ? `${label} (${results.length} rounds)` : label,
      results.length > 1 ? `${formatNumber(pagesPerSecond)} (${formatNumber(bestRate)})` : pagesPerSecond,
      first.media ? imagesPerSecond : '-',
      first.media
        ? ratio(imagesPerSecond, base.pool.filesPerSecond, 'pool')
        : `${versus}, ${ratio(pagesPerSecond, undiciRate, 'undici alone')}`,
      median(results.map((result) => result.cpuMs / result.pages)).toFixed(3),
      first.media ? `${first.found}/${web.planted.length}` : '-',
    ]);
  }
  printTable(
    `Crawler on ${scale.hosts} hosts × ${scale.pagesPerHost} pages × ${formatNumber(base.imagesPerPage)} images, 127.0.0.1, web in a child process, host concurrency ${hostConcurrency}, hashing sample ${base.sample} images`,
    ['run', 'pages/s (best round)', 'images/s', 'ratio (of medians)', 'CPU ms per page (image)', 'recall'],
    rows,
  );
  printTable(
    'What the crawls did',
    [
      'run',
      'seconds',
      'pages done',
      'failed',
      'images downloaded',
      'images hashed',
      'cores busy (crawler)',
      'web process CPU ms per request',
    ],
    crawls.map((result) => [
      result.label,
      result.seconds.toFixed(1),
      result.pages,
      result.failed,
      result.served.images,
      result.hashed,
      (result.cpuMs / 1000 / result.seconds).toFixed(2),
      (
        result.served.cpuMs / Math.max(1, result.served.pages + result.served.images + result.served.robots)
      ).toFixed(3),
    ]),
  );

  // CPU per page, split with the baselines' CPU per unit of work.
  const split = (result: CrawlResult) => {
    const perPage = result.cpuMs / result.pages;
    const fetch = base.undici.cpuMs / pageCount;
    const guard = Math.max(0, base.guard.cpuMs / pageCount - fetch);
    const parse = base.parse.cpuMsPerPage;
    const imageFetch = (result.served.images / result.pages) * (base.imageFetch.cpuMs / base.sample);
    const hashing = (result.hashed / result.pages) * base.inProcess.cpuMsPerFile;
    const store =
      (result.hashed / result.pages) * Math.max(0, base.put.cpuMsPerFile - base.inProcess.cpuMsPerFile);
    const rest = perPage - fetch - guard - parse - imageFetch - hashing - store;
    return [fetch, guard, parse, imageFetch, hashing, store, rest, perPage];
  };
  const names = [
    'fetching pages (undici alone)',
    'network guard, over undici',
    'parsing (decode, linksAndMediaOnPage)',
    'fetching images (undici alone, per image downloaded)',
    'hashing (hashImage, per image hashed)',
    'evidence store beyond hashing (blob, fsync, rows)',
    'the rest: database, frontier, scheduling, matching',
    'crawl CPU per page, all threads',
  ];
  const a = split(best);
  const b = split(withMedia);
  const cell = (values: number[], index: number) => {
    const value = values[index] ?? 0;
    const whole = values[values.length - 1] ?? 1;
    return `${value.toFixed(3)} (${formatNumber((100 * value) / whole, 0)}%)`;
  };
  printTable(
    'Crawl CPU ms per page, split by the baselines (share of the crawl CPU)',
    ['part', best.label, withMedia.label],
    names.map((name, index) => [name, cell(a, index), cell(b, index)]),
  );
}

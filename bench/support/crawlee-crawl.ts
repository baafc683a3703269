// The Crawlee anchor of the crawler bench, run as a child process (see crawlee.ts): Crawlee's
// CheerioCrawler, installed from npm into a scratch folder at bench time (never a dependency of Warden),
// crawls the same synthetic web as Warden's crawler, following every link, concurrency pinned, robots.txt
// honoured, storage in memory only. Prints one JSON line with what it did.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CrawleeResult, CrawleeSettings } from './crawlee.js';

/** The little of @crawlee/cheerio used here, typed by hand: the package is not installed in the project. */
interface CrawleeModule {
  CheerioCrawler: new (
    options: {
      minConcurrency: number;
      maxConcurrency: number;
      maxRequestsPerCrawl: number;
      maxRequestRetries: number;
      respectRobotsTxtFile: boolean;
      requestHandler: (context: {
        enqueueLinks: (options: { strategy: 'all' }) => Promise<unknown>;
      }) => Promise<void>;
      failedRequestHandler: () => void;
    },
    configuration: unknown,
  ) => { run: (seeds: string[]) => Promise<unknown> };
  Configuration: new (options: { persistStorage: boolean; purgeOnStart: boolean }) => unknown;
  log: { setLevel: (level: number) => void; LEVELS: { ERROR: number } };
}

const [scratch = '', settingsJson = '{}'] = process.argv.slice(2);
const settings = JSON.parse(settingsJson) as CrawleeSettings;
const { CheerioCrawler, Configuration, log } = createRequire(join(scratch, 'package.json'))(
  '@crawlee/cheerio',
) as CrawleeModule;

log.setLevel(log.LEVELS.ERROR);
let pages = 0;
let failed = 0;
const crawler = new CheerioCrawler(
  {
    minConcurrency: settings.concurrency,
    maxConcurrency: settings.concurrency,
    maxRequestsPerCrawl: settings.maxPages,
    maxRequestRetries: 0,
    respectRobotsTxtFile: true,
    async requestHandler({ enqueueLinks }) {
      pages += 1;
      await enqueueLinks({ strategy: 'all' });
    },
    failedRequestHandler() {
      failed += 1;
    },
  },
  new Configuration({ persistStorage: false, purgeOnStart: true }),
);
const cpu = process.cpuUsage();
const started = performance.now();
await crawler.run(settings.seeds);
const seconds = (performance.now() - started) / 1000;
const { user, system } = process.cpuUsage(cpu);
const result: CrawleeResult = { pages, failed, seconds, cpuMs: (user + system) / 1000 };
process.stdout.write(`${JSON.stringify(result)}\n`);

// Crawling in the background: `warden serve` and `warden worker` run the crawls whose status is
// `running` (started over the API, or from a confirmed case), a few at a time per process. Several
// processes may work on one crawl at once; the frontier's leases keep them apart. Pausing or cancelling
// a crawl (its status) stops its runs within a poll; URLs in flight go back to the queue.
import { isRetryable } from '../errors/index.js';
import type { JobHandler } from '../jobs/index.js';
import { NonRetryableError } from '../jobs/index.js';
import { normaliseUrl } from '../network/index.js';
import { crawlConfirmedKind } from '../reports/index.js';
import type { Database } from '../store/index.js';
import { Crawler } from './crawler.js';
import type { CrawlerDependencies, CrawlerOptions } from './crawler.js';
import { createCrawl } from './frontier.js';
import type { CrawlOptions } from './options.js';
import { sleep } from './politeness.js';

export interface CrawlServiceOptions extends Omit<CrawlerOptions, 'onEvent'> {
  /** Crawls this process runs at once. */
  crawlsAtOnce: number;
  /** How often to look for crawls to start or stop (default 1000 ms). */
  pollMs?: number;
  onError?: (error: unknown, crawlId: number) => void;
}

export class CrawlService {
  private readonly running = new Map<number, { stop: AbortController; done: Promise<void> }>();
  private stopped = false;

  constructor(
    private readonly deps: CrawlerDependencies,
    private readonly options: CrawlServiceOptions,
  ) {}

  /** Runs crawls until the signal aborts, then stops them (their URLs in flight go back to the queue). */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.stopped) {
      await this.poll().catch((error: unknown) => this.options.onError?.(error, 0));
      await sleep(this.options.pollMs ?? 1000, signal).catch(() => undefined);
    }
    await this.shutdown();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const { stop } of this.running.values()) stop.abort();
    await Promise.allSettled([...this.running.values()].map(({ done }) => done));
  }

  private async poll(): Promise<void> {
    const { db } = this.deps.database;
    const mine = [...this.running.keys()];
    if (mine.length > 0) {
      const rows = await db.selectFrom('crawls').select(['id', 'status']).where('id', 'in', mine).execute();
      for (const row of rows) if (row.status !== 'running') this.running.get(row.id)?.stop.abort();
    }
    const free = this.options.crawlsAtOnce - this.running.size;
    if (free <= 0 || this.stopped) return;
    const ready = await db
      .selectFrom('crawls')
      .select('id')
      .where('status', '=', 'running')
      .$if(mine.length > 0, (query) => query.where('id', 'not in', mine))
      .orderBy('id')
      .limit(free)
      .execute();
    for (const { id } of ready) this.start(id);
  }

  private start(crawlId: number): void {
    const stop = new AbortController();
    const crawler = new Crawler(this.deps, this.options);
    const done = crawler
      .run(crawlId, stop.signal)
      .then(() => undefined)
      .catch((error: unknown) => this.options.onError?.(error, crawlId))
      .finally(() => this.running.delete(crawlId));
    this.running.set(crawlId, { stop, done });
  }
}

/**
 * The job that starts a crawl from a confirmed case's page URLs, with the configured defaults. Run twice
 * (a worker died after the crawl was created), it finds the crawl it made and does nothing.
 */
export function crawlHandlers(defaults: Partial<CrawlOptions>): Record<string, JobHandler> {
  return {
    [crawlConfirmedKind]: async (job, _signal, database) => {
      const caseId = (job.payload as { case_id?: unknown }).case_id;
      if (typeof caseId !== 'number') throw new NonRetryableError('The job names no case.');
      await crawlFromCase(database, caseId, defaults);
    },
  };
}

async function crawlFromCase(database: Database, caseId: number, defaults: Partial<CrawlOptions>) {
  const createdBy = `case:${caseId}`;
  const existing = await database.db
    .selectFrom('crawls')
    .select('id')
    .where('created_by', '=', createdBy)
    .executeTakeFirst();
  if (existing !== undefined) return;
  const rows = await database.db
    .selectFrom('reports')
    .select('url')
    .distinct()
    .where('case_id', '=', caseId)
    .where('url', '!=', '')
    .execute();
  const seeds = rows.flatMap(({ url }) => {
    try {
      return [normaliseUrl(url)];
    } catch {
      return [];
    }
  });
  if (seeds.length === 0) return;
  try {
    await createCrawl(database, { seeds, options: defaults, createdBy });
  } catch (error) {
    // Seeds the crawler refuses (not http or https) cannot be crawled whatever the retries.
    if (!isRetryable(error)) throw new NonRetryableError(String(error), { cause: error });
    throw error;
  }
}

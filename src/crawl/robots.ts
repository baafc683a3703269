// robots.txt, honoured by default: fetched once per host of a crawl through the network guard (and the
// host's politeness gate), kept in the database with the crawl, and read as RFC 9309 says: a 4xx means
// no rules; a 5xx or a network failure means "try later", so the URL waits instead of being crawled
// against rules the crawler could not read.
import robotsParserModule from 'robots-parser';
import { WardenError, isWardenError } from '../errors/index.js';
import type { NetworkGuard } from '../network/index.js';
import { now } from '../store/index.js';
import type { Database } from '../store/index.js';
import type { HostGate } from './politeness.js';

/** The crawler's product token, matched against robots.txt user-agent lines. */
export const crawlerAgent = 'WardenBot';
export const crawlerUserAgent = `${crawlerAgent}/1.0 (+https://github.com/warden-safety/warden)`;

// The package is CommonJS (module.exports = function) but types itself as an ES default export: under
// NodeNext the default import is the function itself at run time.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;
type Robot = ReturnType<typeof robotsParser>;

const maxRobotsBytes = 512 * 1024;
/** The most a Crawl-delay line may slow the crawler down. */
const maxCrawlDelayMs = 60_000;

/** A robots.txt that could not be read this time; the URL is retried later. */
export class RobotsUnavailable extends Error {}

export class RobotsCache {
  private readonly rules = new Map<string, Promise<Robot | undefined>>();

  constructor(
    private readonly database: Database,
    private readonly crawlId: number,
    private readonly guard: NetworkGuard,
    private readonly gate: HostGate,
    private readonly limits: { timeoutMs: number },
  ) {}

  /**
   * Whether robots.txt lets the crawler fetch this URL. Throws RobotsUnavailable when robots.txt could
   * not be read for now, and the guard's WardenError when the host may not be contacted at all.
   */
  async allows(url: URL, host: string, signal: AbortSignal): Promise<boolean> {
    let pending = this.rules.get(host);
    if (pending === undefined) {
      pending = this.load(url, host, signal);
      this.rules.set(host, pending);
      // A failed load is not cached: the next URL of the host tries again.
      pending.catch(() => this.rules.delete(host));
    }
    const robot = await pending;
    return robot?.isAllowed(url.href, crawlerAgent) ?? true;
  }

  private async load(url: URL, host: string, signal: AbortSignal): Promise<Robot | undefined> {
    const robotsUrl = `${url.protocol}//${url.host}/robots.txt`;
    const stored = await this.database.db
      .selectFrom('crawl_hosts')
      .select(['robots_status', 'robots_txt'])
      .where('crawl_id', '=', this.crawlId)
      .where('host', '=', host)
      .executeTakeFirst();
    if (stored?.robots_status !== undefined && stored.robots_status !== null) {
      return this.parse(robotsUrl, host, stored.robots_status, stored.robots_txt ?? '');
    }
    const { status, text } = await this.fetch(robotsUrl, host, signal);
    await this.database.db
      .insertInto('crawl_hosts')
      .values({
        crawl_id: this.crawlId,
        host,
        robots_status: status,
        robots_txt: text,
        robots_fetched_at: now(),
      })
      .onConflict((conflict) =>
        conflict.columns(['crawl_id', 'host']).doUpdateSet({
          robots_status: status,
          robots_txt: text,
          robots_fetched_at: now(),
        }),
      )
      .execute();
    return this.parse(robotsUrl, host, status, text);
  }

  private parse(robotsUrl: string, host: string, status: number, text: string): Robot | undefined {
    if (status < 200 || status > 299) return undefined;
    const robot = robotsParser(robotsUrl, text);
    const delay = robot.getCrawlDelay(crawlerAgent);
    if (delay !== undefined && delay > 0) {
      this.gate.setDelay(host, Math.min(delay * 1000, maxCrawlDelayMs));
    }
    return robot;
  }

  private async fetch(robotsUrl: string, host: string, signal: AbortSignal) {
    const release = await this.gate.acquire(host, signal);
    try {
      const response = await this.guard.fetch(
        robotsUrl,
        { headers: { 'User-Agent': crawlerUserAgent }, signal },
        { timeoutMs: this.limits.timeoutMs, maxBytes: maxRobotsBytes, maxRedirects: 5 },
      );
      if (response.status >= 500 || response.status === 429) {
        await response.discardBody();
        throw new RobotsUnavailable(
          `${robotsUrl} answered with HTTP status ${response.status}; the host's pages wait until it can be read.`,
        );
      }
      if (response.status < 200 || response.status > 299) {
        await response.discardBody();
        return { status: response.status, text: '' };
      }
      const body = await response.readBody().catch((error: unknown) => {
        // A robots.txt over the limit is read as far as the limit, as RFC 9309 allows: here, not at all.
        if (isWardenError(error) && error.code === 'too_large') return Buffer.alloc(0);
        throw error;
      });
      return { status: response.status, text: body.toString('utf8') };
    } catch (error) {
      if (error instanceof RobotsUnavailable || error instanceof WardenError || signal.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new RobotsUnavailable(`${robotsUrl} could not be fetched (${reason}); trying again later.`, {
        cause: error,
      });
    } finally {
      release();
    }
  }
}

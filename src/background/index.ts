// The background work Warden does, in one place for `warden serve` (its embedded worker) and
// `warden worker`: every job kind and its handler — webhook deliveries, mail to reporters, fetching the
// media a reported URL points to, starting crawls from confirmed cases — and the crawls themselves.
import type { Config } from '../config/index.js';
import { CrawlService, crawlDefaults, crawlHandlers } from '../crawl/index.js';
import type { JobHandler } from '../jobs/index.js';
import { mailHandlers } from '../mail/index.js';
import { reportHandlers } from '../reports/index.js';
import type { Warden } from '../warden/index.js';
import { webhookHandlers } from '../webhooks/index.js';

/** Images fetched from one reported page, at most. */
const maxImagesPerPage = 20;

export type BackgroundDependencies = Pick<Warden, 'database' | 'evidence' | 'pipeline' | 'guard' | 'geo'>;

/**
 * The handlers of every job kind, and the crawl service (when this process runs crawls).
 */
export function backgroundHandlers(
  config: Config,
  dependencies: BackgroundDependencies,
  onCrawlError?: (error: unknown, crawlId: number) => void,
): {
  handlers: Record<string, JobHandler>;
  crawls: CrawlService | undefined;
  close(): Promise<void>;
} {
  const crawls =
    config.crawlsPerProcess === 0
      ? undefined
      : new CrawlService(dependencies, {
          crawlsAtOnce: config.crawlsPerProcess,
          concurrency: config.crawlConcurrency,
          leaseMs: config.jobLeaseMs,
          pdqThreshold: config.matchThreshold,
          ...(onCrawlError === undefined ? {} : { onError: onCrawlError }),
        });
  return {
    crawls,
    handlers: {
      ...webhookHandlers(config),
      ...mailHandlers(config),
      ...crawlHandlers(crawlDefaults(config)),
      ...reportHandlers({
        ...dependencies,
        limits: {
          timeoutMs: config.fetchTimeoutMs,
          maxBytes: config.maxImageBytes,
          maxImages: maxImagesPerPage,
        },
      }),
    },
    close: async () => {
      await crawls?.shutdown();
    },
  };
}

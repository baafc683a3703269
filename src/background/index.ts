// The background work Warden does, in one place for `warden serve` (its embedded worker) and
// `warden worker`: every job kind and its handler — webhook deliveries, mail to reporters, fetching the
// media a reported URL points to, starting crawls from confirmed cases — and the crawls themselves.
import type { Config } from '../config/index.js';
import { CrawlService, crawlDefaults, crawlHandlers } from '../crawl/index.js';
import type { EvidenceStore } from '../evidence/index.js';
import type { JobHandler } from '../jobs/index.js';
import { mailHandlers } from '../mail/index.js';
import type { Matcher } from '../matching/index.js';
import { GeoIpTable, NetworkGuard } from '../network/index.js';
import { reportHandlers } from '../reports/index.js';
import type { Casework } from '../reports/index.js';
import type { Database } from '../store/index.js';
import { webhookHandlers } from '../webhooks/index.js';

export interface BackgroundDependencies {
  database: Database;
  casework: Casework;
  evidence: EvidenceStore;
  matcher: Matcher;
}

/**
 * The handlers of every job kind, the crawl service (when this process runs crawls), and what they hold
 * open (the network guard's connections).
 */
export async function backgroundHandlers(
  config: Config,
  dependencies: BackgroundDependencies,
  onCrawlError?: (error: unknown, crawlId: number) => void,
): Promise<{
  handlers: Record<string, JobHandler>;
  crawls: CrawlService | undefined;
  close(): Promise<void>;
}> {
  const guard = new NetworkGuard({ allow: config.networkAllow });
  const geo = config.geoIpFile === undefined ? undefined : await GeoIpTable.load(config.geoIpFile);
  const crawls =
    config.crawlsPerProcess === 0
      ? undefined
      : new CrawlService(
          { ...dependencies, guard, ...(geo === undefined ? {} : { geo }) },
          {
            crawlsAtOnce: config.crawlsPerProcess,
            concurrency: config.crawlConcurrency,
            leaseMs: config.jobLeaseMs,
            pdqThreshold: config.matchThreshold,
            ...(onCrawlError === undefined ? {} : { onError: onCrawlError }),
          },
        );
  return {
    crawls,
    handlers: {
      ...webhookHandlers(config),
      ...mailHandlers(config),
      ...crawlHandlers(crawlDefaults(config)),
      ...reportHandlers({
        ...dependencies,
        guard,
        ...(geo === undefined ? {} : { geo }),
        limits: {
          timeoutMs: config.fetchTimeoutMs,
          deadlineMs: config.fetchDeadlineMs,
          maxBytes: config.maxImageBytes,
          maxImages: config.fetchMaxImages,
          maxPixels: config.fetchMaxPixels,
        },
      }),
    },
    close: async () => {
      await crawls?.shutdown();
      await guard.close();
    },
  };
}

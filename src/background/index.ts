// The background work Warden does, in one place for `warden serve` (its embedded worker) and
// `warden worker`: every job kind and its handler — webhook deliveries, mail to reporters, and fetching
// the media a reported URL points to.
import type { Config } from '../config/index.js';
import type { EvidenceStore } from '../evidence/index.js';
import type { JobHandler } from '../jobs/index.js';
import { mailHandlers } from '../mail/index.js';
import type { Matcher } from '../matching/index.js';
import { GeoIpTable, NetworkGuard } from '../network/index.js';
import { reportHandlers } from '../reports/index.js';
import type { Casework } from '../reports/index.js';
import { webhookHandlers } from '../webhooks/index.js';

/** Images fetched from one reported page, at most. */
const maxImagesPerPage = 20;

export interface BackgroundDependencies {
  casework: Casework;
  evidence: EvidenceStore;
  matcher: Matcher;
}

/** The handlers of every job kind, and what they hold open (the network guard's connections). */
export async function backgroundHandlers(
  config: Config,
  dependencies: BackgroundDependencies,
): Promise<{ handlers: Record<string, JobHandler>; close(): Promise<void> }> {
  const guard = new NetworkGuard({ allow: config.networkAllow });
  const geo = config.geoIpFile === undefined ? undefined : await GeoIpTable.load(config.geoIpFile);
  return {
    handlers: {
      ...webhookHandlers(config),
      ...mailHandlers(config),
      ...reportHandlers({
        ...dependencies,
        guard,
        ...(geo === undefined ? {} : { geo }),
        limits: {
          timeoutMs: config.fetchTimeoutMs,
          maxBytes: config.maxImageBytes,
          maxImages: maxImagesPerPage,
        },
      }),
    },
    close: () => guard.close(),
  };
}

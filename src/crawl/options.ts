// A crawl's options: what it may follow (scope, depth, pages), how gently it treats each host (a delay
// and a concurrency limit per host, robots.txt), and how it retries. Options are stored with the crawl,
// so a resumed crawl behaves as it started.
import type { Config } from '../config/index.js';
import { WardenError } from '../errors/index.js';

export const crawlScopes = ['same-host', 'same-domain', 'any'] as const;
/**
 * Which links a crawl follows: `same-host` the seeds' hosts (host and port), `same-domain` the seeds'
 * host names and their subdomains (`www.` dropped from the seed), `any` everything the guard allows.
 */
export type CrawlScope = (typeof crawlScopes)[number];

export interface CrawlOptions {
  scope: CrawlScope;
  /** Links followed from a seed at most (a seed is depth 0). */
  maxDepth: number;
  /** URLs the crawl admits to its frontier at most, seeds included. */
  maxPages: number;
  /** Least time between the starts of two requests to one host (pages, robots.txt, media). */
  hostDelayMs: number;
  /** Requests in flight to one host at most. */
  hostConcurrency: number;
  /**
   * Ignore robots.txt. Only for operators whose legal mandate covers crawling against a site's wishes
   * (hotlines acting under statute); the default honours robots.txt.
   */
  ignoreRobots: boolean;
  /** Attempts at a URL before it is failed for good (transient errors: network, 5xx, 408, 429). */
  maxAttempts: number;
  /** Delay before the first retry; it doubles with each further one. */
  retryBaseMs: number;
  /** For each request, redirects included. */
  timeoutMs: number;
  /** Largest page body read. */
  maxPageBytes: number;
  /** Largest media file downloaded. */
  maxMediaBytes: number;
  /** Media downloaded from one page at most. */
  maxMediaPerPage: number;
  /** Extra hosts or networks the network guard admits for this crawl (loopback for tests, local sites). */
  allowHosts: string[];
}

export const defaultCrawlOptions: CrawlOptions = {
  scope: 'same-host',
  maxDepth: 3,
  maxPages: 1000,
  hostDelayMs: 1000,
  hostConcurrency: 2,
  ignoreRobots: false,
  maxAttempts: 3,
  retryBaseMs: 5000,
  timeoutMs: 30_000,
  maxPageBytes: 5 * 1024 * 1024,
  maxMediaBytes: 50 * 1024 * 1024,
  maxMediaPerPage: 100,
  allowHosts: [],
};

const bounds: Partial<Record<keyof CrawlOptions, [min: number, max: number]>> = {
  maxDepth: [0, 1000],
  maxPages: [1, 100_000_000],
  hostDelayMs: [0, 3_600_000],
  hostConcurrency: [1, 256],
  maxAttempts: [1, 100],
  retryBaseMs: [0, 86_400_000],
  timeoutMs: [100, 600_000],
  maxPageBytes: [1024, 2 ** 31],
  maxMediaBytes: [1024, 2 ** 31],
  maxMediaPerPage: [0, 10_000],
};

/** Fills in defaults and checks each option; throws a WardenError naming what is wrong. */
export function crawlOptions(given: Partial<CrawlOptions> = {}): CrawlOptions {
  const options: CrawlOptions = { ...defaultCrawlOptions };
  for (const [key, value] of Object.entries(given) as [keyof CrawlOptions, unknown][]) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  if (!crawlScopes.includes(options.scope)) {
    throw new WardenError(
      'invalid_argument',
      `The scope "${String(options.scope)}" is not one of ${crawlScopes.join(', ')}.`,
    );
  }
  for (const [key, [min, max]] of Object.entries(bounds) as [keyof CrawlOptions, [number, number]][]) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new WardenError(
        'invalid_argument',
        `The crawl option ${key} takes a whole number from ${min} to ${max}; got ${String(value)}.`,
      );
    }
  }
  if (typeof options.ignoreRobots !== 'boolean') {
    throw new WardenError('invalid_argument', 'The crawl option ignoreRobots is true or false.');
  }
  if (!Array.isArray(options.allowHosts) || options.allowHosts.some((host) => typeof host !== 'string')) {
    throw new WardenError('invalid_argument', 'The crawl option allowHosts is a list of host names.');
  }
  return options;
}

/** Decides whether a URL is within a crawl's scope, given its seeds. */
export function scopeFilter(scope: CrawlScope, seeds: readonly string[]): (url: URL) => boolean {
  switch (scope) {
    case 'any':
      return () => true;
    case 'same-host': {
      const hosts = new Set(seeds.map((seed) => new URL(seed).host));
      return (url) => hosts.has(url.host);
    }
    case 'same-domain': {
      const domains = seeds.map((seed) => new URL(seed).hostname.replace(/^www\./, ''));
      return (url) =>
        domains.some((domain) => url.hostname === domain || url.hostname.endsWith(`.${domain}`));
    }
  }
}

/** The unit of politeness and robots.txt: host and port as written in the URL (`example.org:8080`). */
export function hostKey(url: URL): string {
  return url.host;
}

/** A new crawl's defaults from the configuration (each crawl may set its own). */
export function crawlDefaults(
  config: Pick<
    Config,
    | 'crawlMaxPages'
    | 'crawlMaxDepth'
    | 'crawlHostDelayMs'
    | 'crawlHostConcurrency'
    | 'fetchTimeoutMs'
    | 'maxImageBytes'
  >,
): Partial<CrawlOptions> {
  return {
    maxPages: config.crawlMaxPages,
    maxDepth: config.crawlMaxDepth,
    hostDelayMs: config.crawlHostDelayMs,
    hostConcurrency: config.crawlHostConcurrency,
    timeoutMs: config.fetchTimeoutMs,
    maxMediaBytes: config.maxImageBytes,
  };
}

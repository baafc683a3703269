// The crawl domain: crawls and their frontier in the database, politeness and robots.txt, link ranking,
// the crawler that fetches pages through the network guard, keeps and matches the media it finds and
// files a report for each match, re-checks of confirmed URLs, and the background service that runs
// crawls in `warden serve` and `warden worker`. Other domains import only from here.
export { Crawler } from './crawler.js';
export type { CrawlerDependencies, CrawlerOptions, CrawlEvent } from './crawler.js';
export { createCrawl, getCrawl, crawlProgress, frontier, listCrawls, crawlErrors } from './frontier.js';
export type { Crawl, CrawlId, CrawlProgress, FrontierEntry, NewCrawl, CrawlError } from './frontier.js';
export { changeCrawlStatus } from './control.js';
export type { CrawlAction } from './control.js';
export { crawlDefaults, crawlOptions, crawlScopes, defaultCrawlOptions, scopeFilter } from './options.js';
export type { CrawlOptions, CrawlScope } from './options.js';
export { createRecheck, listWatchedUrls, recheckSummary } from './recheck.js';
export type { NewRecheck, WatchedUrl } from './recheck.js';
export { crawlerUserAgent } from './robots.js';
export { CrawlService, crawlHandlers } from './service.js';
export type { CrawlServiceOptions } from './service.js';

// The crawl domain: crawls and their frontier in the database, politeness and robots.txt, and the
// crawler that fetches pages through the network guard, keeps and matches the media it finds, and files
// a report for each match. Other domains import only from here.
export { Crawler } from './crawler.js';
export type { CrawlerDependencies, CrawlerOptions, CrawlEvent } from './crawler.js';
export { createCrawl, getCrawl, crawlProgress } from './frontier.js';
export type { Crawl, CrawlId, CrawlProgress, NewCrawl } from './frontier.js';
export { crawlOptions, crawlScopes, defaultCrawlOptions, scopeFilter } from './options.js';
export type { CrawlOptions, CrawlScope } from './options.js';
export { crawlerUserAgent } from './robots.js';

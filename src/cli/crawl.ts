// `warden crawl`: starts a crawl from seed URLs (or a recheck of confirmed URLs, or resumes one by id)
// and runs it in this process until its frontier is empty, with a live progress line on a terminal, JSON
// events with --json, and a summary. Interrupted (SIGINT, SIGTERM, or killed outright), it continues
// where it stopped with --resume ID. --frontier ID shows what a crawl fetches next, and why.
import { Option } from 'commander';
import type { Command } from 'commander';
import { WardenError } from '../errors/index.js';
import type { Context } from './context.js';
import type { Action } from './index.js';
import { writeJson, writeLine } from './io.js';

interface CrawlCliOptions {
  maxPages?: string;
  maxDepth?: string;
  scope?: string;
  allowHost: string[];
  ignoreRobots?: boolean;
  resume?: string;
  recheck?: boolean;
  case: string[];
  frontier?: string;
  delay?: string;
  hostConcurrency?: string;
  concurrency?: string;
  json?: boolean;
}

export function registerCrawl(program: Command, action: Action): void {
  program
    .command('crawl')
    .description(
      'Crawl from seed URLs: follow links within the scope, download and hash every image, match it against the banks, and file a report for each match. Interrupted, it continues with --resume ID.',
    )
    .argument('[seed-url...]', 'pages to start from')
    .option(
      '--max-pages <n>',
      'URLs admitted to the crawl at most, seeds included (default WARDEN_CRAWL_MAX_PAGES)',
    )
    .option('--max-depth <n>', 'links followed from a seed at most (default WARDEN_CRAWL_MAX_DEPTH)')
    .addOption(
      new Option('--scope <scope>', 'which links to follow (default same-host)').choices([
        'same-host',
        'same-domain',
        'any',
      ]),
    )
    .option(
      '--allow-host <host>',
      'let the network guard reach this non-public host or network (repeatable; for local sites and tests)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      '--ignore-robots',
      "do not read robots.txt: only for operators whose legal mandate covers crawling against a site's wishes",
    )
    .option('--resume <id>', 'continue an earlier crawl (its seeds and options are kept)')
    .option(
      '--recheck',
      'revisit the page and media URLs of confirmed cases and record whether the content is still there',
    )
    .option(
      '--case <id>',
      'with --recheck: only this confirmed case (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--frontier <id>', "show the URLs a crawl fetches next, best first, and why (doesn't crawl)")
    .option(
      '--delay <ms>',
      'least time between two requests to one host (default WARDEN_CRAWL_HOST_DELAY_MS)',
    )
    .option(
      '--host-concurrency <n>',
      'requests in flight to one host at most (default WARDEN_CRAWL_HOST_CONCURRENCY)',
    )
    .option('--concurrency <n>', 'pages worked on at once (default WARDEN_CRAWL_CONCURRENCY)')
    .option('--json', 'one JSON event per line: started, page, retry, failed, progress, summary')
    .action(
      action(async (context: Context, seeds: string[], options: CrawlCliOptions) => {
        const {
          Crawler,
          createCrawl,
          createRecheck,
          crawlDefaults,
          crawlProgress,
          frontier,
          getCrawl,
          recheckSummary,
        } = await import('../crawl/index.js');
        const { config, io } = context;
        const database = await context.database();
        const starts = [
          seeds.length > 0,
          options.resume !== undefined,
          options.recheck === true,
          options.frontier !== undefined,
        ];
        if (starts.filter(Boolean).length !== 1) {
          throw new WardenError(
            'invalid_argument',
            'Give one of: seed URLs, --resume ID, --recheck [--case ID]..., or --frontier ID.',
          );
        }
        if (options.frontier !== undefined) {
          const id = whole('--frontier', options.frontier, 1, Number.MAX_SAFE_INTEGER);
          const entries = await frontier(database, id, 50);
          for (const entry of entries) {
            if (options.json) writeJson(io, entry);
            else writeLine(io, `${entry.priority}\t${entry.url}\t${entry.reason}`);
          }
          return 0;
        }
        const given = {
          ...crawlDefaults(config),
          ...(options.maxPages === undefined
            ? {}
            : { maxPages: whole('--max-pages', options.maxPages, 1, 100_000_000) }),
          ...(options.maxDepth === undefined
            ? {}
            : { maxDepth: whole('--max-depth', options.maxDepth, 0, 1000) }),
          ...(options.scope === undefined ? {} : { scope: options.scope as 'same-host' }),
          ...(options.delay === undefined
            ? {}
            : { hostDelayMs: whole('--delay', options.delay, 0, 3_600_000) }),
          ...(options.hostConcurrency === undefined
            ? {}
            : { hostConcurrency: whole('--host-concurrency', options.hostConcurrency, 1, 256) }),
          ignoreRobots: options.ignoreRobots === true,
          allowHosts: options.allowHost,
        };
        let crawl;
        if (options.resume !== undefined) {
          crawl = await getCrawl(database, whole('--resume', options.resume, 1, Number.MAX_SAFE_INTEGER));
        } else if (options.recheck === true) {
          crawl = await createRecheck(database, {
            ...(options.case.length === 0
              ? {}
              : { caseIds: options.case.map((id) => whole('--case', id, 1, Number.MAX_SAFE_INTEGER)) }),
            options: given,
            createdBy: 'cli',
          });
        } else {
          crawl = await createCrawl(database, {
            seeds,
            createdBy: 'cli',
            options: given,
          });
        }
        const concurrency =
          options.concurrency === undefined
            ? config.crawlConcurrency
            : whole('--concurrency', options.concurrency, 1, 1024);

        if (options.json) writeJson(io, { type: 'started', crawl_id: crawl.id, seeds: crawl.seeds });
        else io.stderr.write(`warden crawl: crawl ${crawl.id} on ${database.location}\n`);

        const warden = await context.warden({
          allow: [...crawl.options.allowHosts, ...options.allowHost],
        });
        const crawler = new Crawler(warden, {
          concurrency,
          leaseMs: config.jobLeaseMs,
          pdqThreshold: config.matchThreshold,
          onEvent: options.json ? (event) => writeJson(io, event) : undefined,
        });
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);

        // Progress: a line redrawn on a terminal, an event every few seconds with --json.
        const started = Date.now();
        let drawing = Promise.resolve();
        const draw = () => {
          drawing = drawing
            .then(async () => {
              const progress = await crawlProgress(database, crawl.id);
              const seconds = Math.max(0.001, (Date.now() - started) / 1000);
              if (options.json) {
                writeJson(io, { type: 'progress', ...progress, elapsed_ms: Date.now() - started });
              } else if (io.interactive) {
                io.stderr.write(
                  `\r\u001b[2Kpages ${progress.pages_fetched} (${(progress.pages_fetched / seconds).toFixed(1)}/s) · media ${progress.media_fetched} (${(progress.media_fetched / seconds).toFixed(1)}/s) · frontier ${progress.queued + progress.fetching} · matches ${progress.matches} · errors ${progress.pages_failed}`,
                );
              }
            })
            .catch(() => undefined);
        };
        const timer = setInterval(draw, options.json ? 2000 : 500);
        let progress;
        try {
          progress = await crawler.run(crawl.id, stop.signal);
        } finally {
          clearInterval(timer);
          await drawing;
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await warden.close();
        }
        if (!options.json && io.interactive) io.stderr.write('\r\u001b[2K');
        const summary = {
          crawl_id: progress.crawl_id,
          status: progress.status,
          pages: progress.pages_fetched,
          errors: progress.pages_failed,
          media: progress.media_fetched,
          media_errors: progress.media_failed,
          matches: progress.matches,
          reports: progress.reports_filed,
          frontier: progress.queued + progress.fetching,
          elapsed_ms: Date.now() - started,
          ...(crawl.mode === 'recheck' ? { checks: await recheckSummary(database, crawl.id) } : {}),
        };
        if (options.json) {
          writeJson(io, { type: 'summary', ...summary });
        } else {
          writeLine(
            io,
            `crawl ${summary.crawl_id} ${summary.status}: ${summary.pages} pages, ${summary.media} media, ${summary.matches} matches (${summary.reports} reports filed), ${summary.errors} errors, ${summary.media_errors} media not kept`,
          );
          if (summary.checks !== undefined) {
            const { present, changed, removed, unreachable } = summary.checks;
            writeLine(
              io,
              `recheck: ${present} still there, ${changed} changed (content gone), ${removed} removed, ${unreachable} unreachable — see GET /v1/watched-urls`,
            );
          }
          if (summary.status !== 'done') {
            writeLine(
              io,
              `stopped with ${summary.frontier} URLs left: continue with warden crawl --resume ${summary.crawl_id}`,
            );
          }
        }
        // A recheck's 404s are findings, not errors.
        return summary.status === 'done' && (summary.errors === 0 || crawl.mode === 'recheck') ? 0 : 1;
      }),
    );
}

function whole(option: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new WardenError(
      'invalid_argument',
      `${option} takes a whole number from ${min} to ${max}; got "${value}".`,
    );
  }
  return number;
}

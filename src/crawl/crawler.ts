// The crawler: claims URLs from a crawl's frontier under a lease, fetches each through the network guard
// (robots.txt and the host's politeness first), takes the links and media from HTML pages, stores and
// hashes the media as evidence, matches it against the banks, and for every match files one report with
// the evidence of the fetch (page and media URLs, status, headers, time, the server's address). Links
// are ranked (see priority.ts); a redirect becomes a frontier URL of its own. Marking a URL done,
// admitting the links it found and filing its reports happen in one transaction, so a crawler killed at
// any moment loses nothing and repeats nothing that had finished: a restarted run claims what was left,
// and URLs in flight come back when their leases run out. In recheck mode the same loop visits watched
// URLs and records whether their content is still there instead.
import { matchingDefaults } from '../config/index.js';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { WardenError, isRetryable, isWardenError } from '../errors/index.js';
import { isImageMime, linksAndMediaOnPage, mediaType, pageText, sniffMime } from '../evidence/index.js';
import type { EvidenceItem, EvidenceStore } from '../evidence/index.js';
import { checkUrl, retryableStatus } from '../network/index.js';
import type { FetchLimits, GeoIpTable, GuardedResponse, NetworkGuard } from '../network/index.js';
import { evidenceSignals } from '../pipeline/index.js';
import type { Assessment, ContentPipeline } from '../pipeline/index.js';
import type { FetchRecord } from '../reports/index.js';
import { now } from '../store/index.js';
import type { Database, Schema } from '../store/index.js';
import {
  admitUrls,
  boostHost,
  buryAbandoned,
  claimUrl,
  completeUrl,
  crawlProgress,
  failUrl,
  getCrawl,
  nextWakeUp,
  readyUrls,
  releaseUrl,
  renewLeases,
  setCrawlStatus,
} from './frontier.js';
import type { ClaimedUrl, Crawl, CrawlProgress, DiscoveredUrl } from './frontier.js';
import { hostKey } from './options.js';
import { HostGate, databaseSlots, sleep } from './politeness.js';
import { rankLink } from './priority.js';
import { recordCheck } from './recheck.js';
import type { CheckOutcome } from './recheck.js';
import { RobotsCache, RobotsUnavailable, crawlerUserAgent } from './robots.js';

export interface CrawlerDependencies {
  database: Database;
  guard: NetworkGuard;
  evidence: EvidenceStore;
  /** Matches what a page holds, applies the rules and files the reports. */
  pipeline: ContentPipeline;
  /** Hosting countries for reports, when the operator supplied a GeoIP table. */
  geo?: GeoIpTable | undefined;
}

export interface CrawlerOptions {
  /** Pages processed at once (default 16). */
  concurrency?: number;
  /** How long a claimed URL stays this crawler's without renewal (default 60 s); renewed while it works. */
  leaseMs?: number;
  /** A recheck's PDQ threshold for "the content is still there" (default 31, the match threshold). */
  pdqThreshold?: number;
  /** Told about each URL finished or failed. */
  onEvent?: (event: CrawlEvent) => void;
}

/** What happened to one URL, for progress displays and `--json` event streams. */
export type CrawlEvent =
  | {
      type: 'page';
      url: string;
      final_url: string;
      http_status: number;
      links: number;
      media: number;
      matches: number;
      reports: number;
    }
  | { type: 'retry'; url: string; error: string; attempts: number }
  | { type: 'failed'; url: string; error: string };

interface MediaOutcome {
  item?: EvidenceItem;
  /** Where the bytes came from, after redirects. */
  url: string;
  /** The exchange that brought them. */
  record?: FetchRecord;
  problem?: string;
}
type KeptMedia = MediaOutcome & { item: EvidenceItem };
type Found = { matches: number; reports: number };

/** Media on a page that matched a bank: the pipeline's assessment, recorded when the page is. */
interface Finding {
  mediaUrl: string;
  sha256: string;
  assessment: Assessment;
}

/**
 * What the page step found, as plain data: the loop records it when it marks the URL done. A page gives
 * links to admit, videos to keep and findings to report; a redirect gives the hop; a recheck, its check.
 */
type PageOutcome =
  | {
      kind: 'page';
      host: string;
      finalUrl: string;
      links: DiscoveredUrl[];
      videos: string[];
      findings: Finding[];
    }
  | { kind: 'redirect'; hop: DiscoveredUrl }
  | { kind: 'recheck'; check: CheckOutcome };

/** A page waiting for the group commit that marks it done. */
interface Finishing {
  url: ClaimedUrl;
  response: { status: number; url: string };
  counts: { links: number; media: number; mediaFailed: number };
  outcome: PageOutcome;
  resolve: (found: Found) => void;
  reject: (error: unknown) => void;
}

/** Pages committed in one transaction at most. */
const maxBatch = 64;
const readyMaxAgeMs = 100;

const htmlTypes = new Set(['text/html', 'application/xhtml+xml']);
const vagueTypes = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'text/plain']);
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export class Crawler {
  /** This crawler's lease owner name. */
  readonly owner = `crawler:${randomUUID()}`;
  private readonly concurrency: number;
  private readonly leaseMs: number;

  constructor(
    private readonly deps: CrawlerDependencies,
    private readonly options: CrawlerOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 16;
    this.leaseMs = options.leaseMs ?? 60_000;
    if (!Number.isSafeInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number of at least 1; got ${this.concurrency}.`);
    }
    if (!(this.leaseMs >= 100)) throw new RangeError(`leaseMs must be at least 100; got ${this.leaseMs}.`);
  }

  /**
   * Works on a crawl until its frontier is empty (then marks it done) or the signal aborts (then gives
   * the URLs in flight back to the queue). Returns where the crawl stands.
   */
  async run(crawlId: number, signal: AbortSignal): Promise<CrawlProgress> {
    const { database } = this.deps;
    const crawl = await getCrawl(database, crawlId);
    if (crawl.status === 'done' || crawl.status === 'cancelled') return crawlProgress(database, crawl.id);
    if (crawl.status !== 'running') await setCrawlStatus(database, crawl.id, 'running');
    const run = new CrawlRun(this.deps, crawl, this.owner, this.leaseMs, this.options, signal);
    await run.loadHostMatches();
    const renewal = setInterval(() => run.housekeeping(), Math.max(50, Math.floor(this.leaseMs / 3)));
    try {
      const finished = await run.loop(this.concurrency);
      if (finished) await setCrawlStatus(database, crawl.id, 'done', 'running');
    } finally {
      clearInterval(renewal);
    }
    return crawlProgress(database, crawl.id);
  }
}

/** One run of the crawler over one crawl: what it holds in memory while it works. */
class CrawlRun {
  private readonly gate: HostGate;
  private readonly robots: RobotsCache;
  private readonly inFlight = new Map<number, ClaimedUrl>();
  private readonly pagesPerHost = new Map<string, number>();
  private readonly media = new Map<string, Promise<MediaOutcome>>();
  /** Matches each host served, in every crawl so far (ranks links to it). */
  private hostMatches = new Map<string, number>();
  /** Hosts that served a match in this crawl, whose queued URLs were raised. */
  private readonly hostsMatched = new Set<string>();
  private readonly onEvent: ((event: CrawlEvent) => void) | undefined;
  private readonly pdqThreshold: number;
  private ticks = 0;
  private wake: (() => void) | undefined;
  private readonly finishing: Finishing[] = [];
  private flushing = false;
  /**
   * Ready URLs read from the frontier and not yet tried, best first. Reading the frontier for every page
   * that finishes cost more than the page; a claim is a compare-and-set, so a candidate another process
   * took meanwhile is only skipped. Reread when used up, when this crawler admitted URLs or found a match,
   * and after readyMaxAgeMs for what other processes changed.
   */
  private ready: ClaimedUrl[] = [];
  private readyAt = 0;

  constructor(
    private readonly deps: CrawlerDependencies,
    private readonly crawl: Crawl,
    private readonly owner: string,
    private readonly leaseMs: number,
    options: CrawlerOptions,
    private readonly signal: AbortSignal,
  ) {
    this.onEvent = options.onEvent;
    this.pdqThreshold = options.pdqThreshold ?? matchingDefaults.pdqThreshold;
    this.gate = new HostGate(
      crawl.options.hostDelayMs,
      crawl.options.hostConcurrency,
      databaseSlots(deps.database),
    );
    this.robots = new RobotsCache(deps.database, crawl.id, deps.guard, this.gate, {
      timeoutMs: crawl.options.timeoutMs,
    });
  }

  /** Reads how many matches each host served in every crawl, and which did in this one. */
  async loadHostMatches(): Promise<void> {
    const rows = await this.deps.database.db
      .selectFrom('crawl_findings')
      .select(['host', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('host')
      .execute();
    this.hostMatches = new Map(rows.map((row) => [row.host, Number(row.count)]));
    const mine = await this.deps.database.db
      .selectFrom('crawl_findings')
      .select('host')
      .distinct()
      .where('crawl_id', '=', this.crawl.id)
      .execute();
    for (const row of mine) this.hostsMatched.add(row.host);
  }

  /**
   * Renews the leases in flight, and now and then rereads the hosts' matches (other processes find
   * some too); failures wait for the next tick.
   */
  housekeeping(): void {
    const ids = [...this.inFlight.keys()];
    this.ticks += 1;
    renewLeases(this.deps.database, ids, this.owner, this.leaseMs)
      .then(() => (this.ticks % 10 === 0 ? this.loadHostMatches() : undefined))
      .catch(() => undefined);
  }

  /** Claims and processes URLs until none are left (true) or the signal aborts (false). */
  async loop(concurrency: number): Promise<boolean> {
    const tasks = new Set<Promise<void>>();
    const { database } = this.deps;
    const { hostConcurrency } = this.crawl.options;
    while (!this.signal.aborted) {
      let claimed = 0;
      let free = concurrency - this.inFlight.size;
      if (free > 0) {
        if (this.ready.length === 0 || Date.now() - this.readyAt > readyMaxAgeMs) {
          this.ready = await readyUrls(database, this.crawl.id, Math.max(100, free * 8));
          this.readyAt = Date.now();
        }
        const untried: ClaimedUrl[] = [];
        for (const candidate of this.ready) {
          if (
            free === 0 ||
            this.signal.aborted ||
            (this.pagesPerHost.get(candidate.host) ?? 0) >= hostConcurrency
          ) {
            untried.push(candidate);
            continue;
          }
          if (this.inFlight.has(candidate.id)) continue;
          const url = await claimUrl(database, candidate, this.owner, this.leaseMs);
          if (url === undefined) continue;
          claimed += 1;
          free -= 1;
          this.inFlight.set(url.id, url);
          this.pagesPerHost.set(url.host, (this.pagesPerHost.get(url.host) ?? 0) + 1);
          const task = this.process(url).finally(() => {
            this.inFlight.delete(url.id);
            this.pagesPerHost.set(url.host, (this.pagesPerHost.get(url.host) ?? 1) - 1);
            tasks.delete(task);
            this.wake?.();
          });
          tasks.add(task);
        }
        this.ready = untried;
      }
      if (this.inFlight.size === 0 && claimed === 0) {
        await buryAbandoned(database, this.crawl);
        const wakeAt = await nextWakeUp(database, this.crawl.id);
        if (wakeAt === undefined) return true;
        await sleep(Math.min(Math.max(wakeAt - Date.now(), 20), 1000), this.signal).catch(() => undefined);
        continue;
      }
      // Wait for a task to finish, or a little while: URLs of busy hosts and retries become ready with time.
      await Promise.race([
        new Promise<void>((resolve) => (this.wake = resolve)),
        sleep(claimed > 0 && free > 0 ? 20 : 250, this.signal).catch(() => undefined),
      ]);
    }
    await Promise.allSettled([...tasks]);
    return false;
  }

  private async process(url: ClaimedUrl): Promise<void> {
    try {
      await this.fetchPage(url);
    } catch (error) {
      if (this.signal.aborted) {
        await releaseUrl(this.deps.database, url, this.owner).catch(() => undefined);
        return;
      }
      const failure = describeFailure(error);
      // A recheck records a URL that is gone or out of reach as such, once it has failed for good.
      const recheck =
        this.crawl.mode === 'recheck'
          ? (trx: Kysely<Schema>) =>
              recordCheck(
                trx,
                this.crawl.id,
                rootOf(url),
                {
                  status:
                    failure.httpStatus === 404 || failure.httpStatus === 410 ? 'removed' : 'unreachable',
                  httpStatus: failure.httpStatus ?? null,
                  detail: failure.message,
                },
                this.pdqThreshold,
              )
          : undefined;
      const outcome = await failUrl(this.deps.database, this.crawl, url, this.owner, failure, recheck).catch(
        () => 'lost' as const,
      );
      if (outcome === 'retry') {
        this.onEvent?.({ type: 'retry', url: url.url, error: failure.message, attempts: url.attempts });
      } else if (outcome === 'failed') {
        this.onEvent?.({ type: 'failed', url: url.url, error: failure.message });
      }
    }
  }

  private async fetchPage(url: ClaimedUrl): Promise<void> {
    await this.checkRobots(new URL(url.url), url.host);
    const limits = {
      timeoutMs: this.crawl.options.timeoutMs,
      maxBytes: this.crawl.options.maxPageBytes,
      maxRedirects: 0,
      returnRedirects: true,
    };
    const { response, body, record } = await this.request(url.url, url.host, limits);
    const location = redirectStatuses.has(response.status) ? response.headers.get('location') : null;
    if (location !== null) return this.followRedirect(url, response.status, location);
    if (response.status < 200 || response.status > 299) throw httpFailure(response.url, response.status);

    const type = mediaType(response);
    const sniffed = body === undefined ? '' : sniffMime(body);
    let links: string[] = [];
    let images: string[] = [];
    let videos: string[] = [];
    const media: MediaOutcome[] = [];
    if (body !== undefined && (htmlTypes.has(type) || sniffed === 'text/html')) {
      const page = linksAndMediaOnPage(pageText(body, response), response.url);
      links = page.links;
      images = page.media.filter((item) => item.kind === 'image').map((item) => item.url);
      // Videos are recorded, not downloaded: video hashing (vPDQ) comes with the video issue.
      videos = page.media.filter((item) => item.kind === 'video').map((item) => item.url);
    } else if (body !== undefined && (type.startsWith('image/') || isImageMime(sniffed))) {
      // The URL is itself an image (a seed, a watched media URL, or a link without a telling extension).
      media.push(await this.keep(response.url, body, record));
    }
    media.push(
      ...(await Promise.all(
        images.slice(0, this.crawl.options.maxMediaPerPage).map((item) => this.download(item)),
      )),
    );
    const kept = media.filter((outcome): outcome is KeptMedia => outcome.item !== undefined);
    const counts = { links: 0, media: kept.length, mediaFailed: media.length - kept.length };

    if (this.crawl.mode === 'recheck') {
      const check: CheckOutcome = {
        status: 'present',
        httpStatus: response.status,
        detail: '',
        finalUrl: response.url,
        media: kept,
        fetch: record,
      };
      await this.finish(url, response, counts, { kind: 'recheck', check });
      return;
    }

    // Each kept item goes through the content pipeline as the content of this page: matched and judged
    // by the rules now, recorded with the page.
    const findings: Finding[] = [];
    for (const media of kept) {
      const assessment = await this.deps.pipeline.assess({
        source: 'crawler',
        reporter: `crawl:${this.crawl.id}`,
        url: response.url,
        items: [{ signals: evidenceSignals(media.item), url: media.url, evidence: media.item }],
        hostAddress: response.address,
        hostCountry: this.countryOf(response.address),
        fetches: [record, ...(media.record === undefined ? [] : [media.record])],
      });
      if (assessment.itemMatches[0]?.length) {
        findings.push({ mediaUrl: media.url, sha256: media.item.sha256, assessment });
      }
    }
    const source = {
      depth: url.depth,
      matchDistance: findings.length > 0 ? 0 : url.match_distance,
      images: images.length,
    };
    const discovered: DiscoveredUrl[] = [];
    for (const link of links) {
      const ranked = rankLink(source, this.hostMatches.get(hostOf(link)) ?? 0);
      discovered.push({ url: link, depth: url.depth + 1, discoveredFrom: url.url, ...ranked });
    }
    const host = hostOf(response.url);
    await this.finish(url, response, counts, {
      kind: 'page',
      host,
      finalUrl: response.url,
      links: discovered,
      videos,
      findings,
    });
    if (findings.length > 0) {
      this.hostsMatched.add(host);
      this.hostMatches.set(host, (this.hostMatches.get(host) ?? 0) + findings.length);
    }
  }

  /** Records what a page step found, in the transaction that marks its URL done. */
  private async record(trx: Kysely<Schema>, item: Finishing): Promise<Found> {
    const { outcome } = item;
    switch (outcome.kind) {
      case 'redirect':
        item.counts.links = await admitUrls(trx, this.crawl, [outcome.hop]);
        return { matches: 0, reports: 0 };
      case 'recheck':
        await recordCheck(trx, this.crawl.id, rootOf(item.url), outcome.check, this.pdqThreshold);
        return { matches: 0, reports: 0 };
      case 'page':
        break;
    }
    item.counts.links = await admitUrls(trx, this.crawl, outcome.links);
    if (outcome.videos.length > 0) {
      const at = now();
      await trx
        .insertInto('crawl_videos')
        .values(
          outcome.videos.map((video) => ({
            crawl_id: this.crawl.id,
            page_url: outcome.finalUrl,
            video_url: video,
            created_at: at,
          })),
        )
        .onConflict((conflict) => conflict.columns(['crawl_id', 'page_url', 'video_url']).doNothing())
        .execute();
    }
    let reports = 0;
    for (const finding of outcome.findings) {
      const inserted = await trx
        .insertInto('crawl_findings')
        .values({
          crawl_id: this.crawl.id,
          page_url: outcome.finalUrl,
          media_url: finding.mediaUrl,
          sha256: finding.sha256,
          host: outcome.host,
          report_id: null,
          created_at: now(),
        })
        .onConflict((conflict) => conflict.columns(['page_url', 'sha256']).doNothing())
        .returning('id')
        .executeTakeFirst();
      // Already reported, by an earlier run or another crawl.
      if (inserted === undefined) continue;
      const { report } = await this.deps.pipeline.record(trx, finding.assessment);
      if (report === undefined) continue;
      await trx
        .updateTable('crawl_findings')
        .set({ report_id: report.id })
        .where('id', '=', inserted.id)
        .execute();
      reports += 1;
    }
    if (outcome.findings.length > 0 && !this.hostsMatched.has(outcome.host)) {
      // The host's first match in this crawl: what is still queued there moves up.
      await boostHost(trx, this.crawl.id, outcome.host);
    }
    return { matches: outcome.findings.length, reports };
  }

  /**
   * Marks the URL done, records what it found (`outcome`, in the same transaction), and counts it in the
   * crawl's totals; then tells the listener. Pages finishing at about the same time share one
   * transaction (a group commit): the frontier's database, not the network, is what bounds the rate.
   */
  private async finish(
    url: ClaimedUrl,
    response: { status: number; url: string },
    counts: { links: number; media: number; mediaFailed: number },
    outcome: PageOutcome,
  ): Promise<void> {
    const found = await new Promise<Found>((resolve, reject) => {
      this.finishing.push({ url, response, counts, outcome, resolve, reject });
      this.flush();
    });
    this.onEvent?.({
      type: 'page',
      url: url.url,
      final_url: response.url,
      http_status: response.status,
      links: counts.links,
      media: counts.media,
      matches: found.matches,
      reports: found.reports,
    });
  }

  /** Commits the pages waiting to finish, in batches, until none are left. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    const drain = async () => {
      while (this.finishing.length > 0) {
        const batch = this.finishing.splice(0, maxBatch);
        try {
          await this.commit(batch);
        } catch {
          // One page that cannot be recorded must not fail the others: each is tried on its own.
          for (const item of batch) await this.commit([item]).catch((error: unknown) => item.reject(error));
        }
      }
    };
    void drain().finally(() => {
      this.flushing = false;
      if (this.finishing.length > 0) this.flush();
    });
  }

  private async commit(batch: readonly Finishing[]): Promise<void> {
    const results: (Found | undefined)[] = [];
    await this.deps.database.db.transaction().execute(async (trx) => {
      results.length = 0;
      if (this.deps.database.dialect === 'postgres') {
        // One finisher at a time per crawl: the page limit and the totals stay exact.
        await trx.selectFrom('crawls').select('id').where('id', '=', this.crawl.id).forUpdate().execute();
      }
      const totals = { pages: 0, media: 0, mediaFailed: 0, matches: 0, reports: 0 };
      for (const item of batch) {
        const done = await completeUrl(trx, item.url, this.owner, {
          httpStatus: item.response.status,
          finalUrl: item.response.url,
        });
        if (!done) {
          results.push(undefined);
          continue;
        }
        const found = await this.record(trx, item);
        results.push(found);
        totals.pages += 1;
        totals.media += item.counts.media;
        totals.mediaFailed += item.counts.mediaFailed;
        totals.matches += found.matches;
        totals.reports += found.reports;
      }
      if (totals.pages === 0) return;
      await trx
        .updateTable('crawls')
        .set((eb) => ({
          pages_fetched: eb('pages_fetched', '+', totals.pages),
          media_fetched: eb('media_fetched', '+', totals.media),
          media_failed: eb('media_failed', '+', totals.mediaFailed),
          matches: eb('matches', '+', totals.matches),
          reports_filed: eb('reports_filed', '+', totals.reports),
          updated_at: now(),
        }))
        .where('id', '=', this.crawl.id)
        .execute();
    });
    batch.forEach((item, index) => {
      const found = results[index];
      if (found === undefined) return item.reject(new LostLease(item.url.url));
      // New URLs, or a match that raised a host's priority: what is ready, and in what order, changed.
      if (item.counts.links > 0 || found.matches > 0) this.readyAt = 0;
      item.resolve(found);
    });
  }

  /**
   * A redirect is a hop of its own: the target joins the frontier at the same depth and priority, so it
   * gets robots.txt, scope and politeness like any URL. A seed's target joins the seeds.
   */
  private async followRedirect(url: ClaimedUrl, status: number, location: string): Promise<void> {
    const target = checkUrl(location, new URL(url.url)).href;
    const hop: DiscoveredUrl = {
      url: target,
      depth: url.depth,
      priority: url.priority,
      reason: `a redirect from ${url.url}`,
      matchDistance: url.match_distance,
      // A recheck records the visit under the watched URL the chain started from.
      discoveredFrom: this.crawl.mode === 'recheck' ? rootOf(url) : url.url,
      seedRedirect: url.depth === 0,
    };
    const counts = { links: 0, media: 0, mediaFailed: 0 };
    await this.finish(url, { status, url: target }, counts, { kind: 'redirect', hop });
  }

  private countryOf(address: string): string {
    return address === '' || this.deps.geo === undefined ? '' : this.deps.geo.lookup(address);
  }

  private async checkRobots(url: URL, host: string): Promise<void> {
    if (this.crawl.options.ignoreRobots) return;
    if (!(await this.robots.allows(url, host, this.signal))) {
      throw new WardenError(
        'forbidden',
        `robots.txt of ${url.host} disallows ${url.href}; it was not fetched.`,
      );
    }
  }

  /**
   * One request under the host's gate; the body is read (bounded) when it is HTML or media. Returns the
   * record of the exchange too, for evidence.
   */
  private async request(
    target: string,
    host: string,
    limits: FetchLimits,
  ): Promise<{ response: GuardedResponse; body: Buffer | undefined; record: FetchRecord }> {
    const release = await this.gate.acquire(host, this.signal);
    try {
      const response = await this.deps.guard.fetch(
        target,
        {
          headers: { 'User-Agent': crawlerUserAgent, Accept: 'text/html, image/*;q=0.9, */*;q=0.5' },
          signal: this.signal,
        },
        limits,
      );
      const record: FetchRecord = {
        url: response.url,
        status: response.status,
        fetched_at: now(),
        address: response.address,
        headers: Object.fromEntries(response.headers),
      };
      const type = mediaType(response);
      const wanted =
        response.status >= 200 &&
        response.status <= 299 &&
        (htmlTypes.has(type) || type.startsWith('image/') || vagueTypes.has(type));
      if (!wanted) {
        await response.discardBody();
        return { response, body: undefined, record };
      }
      return { response, body: await response.readBody(), record };
    } finally {
      release();
    }
  }

  /** Downloads one media URL (once per run, whatever number of pages show it) and keeps it as evidence. */
  private download(mediaUrl: string): Promise<MediaOutcome> {
    let pending = this.media.get(mediaUrl);
    if (pending === undefined) {
      pending = this.fetchMedia(mediaUrl);
      this.media.set(mediaUrl, pending);
    }
    return pending;
  }

  private async fetchMedia(mediaUrl: string): Promise<MediaOutcome> {
    try {
      const parsed = new URL(mediaUrl);
      const host = hostKey(parsed);
      await this.checkRobots(parsed, host);
      // A media file's redirects are followed within the fetch (each hop checked by the guard).
      const limits = {
        timeoutMs: this.crawl.options.timeoutMs,
        maxBytes: this.crawl.options.maxMediaBytes,
        maxRedirects: 5,
      };
      const { response, body, record } = await this.request(mediaUrl, host, limits);
      if (response.status < 200 || response.status > 299) {
        return { url: mediaUrl, problem: `${mediaUrl} answered with HTTP status ${response.status}.` };
      }
      if (body === undefined) return { url: mediaUrl, problem: `${mediaUrl} is not an image.` };
      return await this.keep(response.url, body, record);
    } catch (error) {
      if (this.signal.aborted) throw error;
      // A media URL that failed is tried again by the next page that shows it.
      this.media.delete(mediaUrl);
      return { url: mediaUrl, problem: describeFailure(error).message };
    }
  }

  private async keep(mediaUrl: string, bytes: Buffer, record: FetchRecord): Promise<MediaOutcome> {
    if (!isImageMime(sniffMime(bytes))) {
      return { url: mediaUrl, problem: `${mediaUrl} is not an image Warden can hash.` };
    }
    try {
      return { url: mediaUrl, record, item: await this.deps.evidence.put(this.deps.database, bytes) };
    } catch (error) {
      if (!isWardenError(error)) throw error;
      return { url: mediaUrl, problem: `${mediaUrl} was not kept: ${error.message}` };
    }
  }
}

/** A page answered with a status that is not success: worth another try for a server error or 429. */
function httpFailure(url: string, status: number): WardenError {
  return new WardenError(
    'unavailable',
    `${url} answered with HTTP status ${status}.`,
    { status },
    { retryable: retryableStatus(status) },
  );
}

/** The lease on a URL passed to another crawler before this one finished; its work is dropped. */
class LostLease extends Error {
  constructor(url: string) {
    super(`The lease on ${url} ran out before the page was finished; another run will do it.`);
  }
}

/** What to record about a failure, and whether trying again later may help. */
function describeFailure(error: unknown): { message: string; transient: boolean; httpStatus?: number } {
  // robots.txt that cannot be read now, and a lease lost to another crawler, are for a later run.
  if (error instanceof RobotsUnavailable || error instanceof LostLease) {
    return { message: error.message, transient: true };
  }
  if (isWardenError(error)) {
    const status = error.details?.status;
    return {
      message: error.message,
      transient: error.retryable,
      ...(typeof status === 'number' ? { httpStatus: status } : {}),
    };
  }
  const message = error instanceof Error ? error.message || error.name : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return { message: `${message}${cause}`.slice(0, 2000), transient: isRetryable(error) };
}

/** The unit of politeness and host ranking for a URL string; '' when it does not parse. */
function hostOf(url: string): string {
  try {
    return hostKey(new URL(url));
  } catch {
    return '';
  }
}

/** The URL a chain of redirects started from (recheck hops carry it as where they were found). */
function rootOf(url: ClaimedUrl): string {
  return url.discovered_from === '' ? url.url : url.discovered_from;
}

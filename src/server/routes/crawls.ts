// Crawls over HTTP: start one (from seeds, or a recheck of confirmed URLs), watch it (totals, rate,
// errors, what is next in its frontier and why), pause, resume or cancel it; and the watched URLs that
// rechecks keep up to date. The crawls themselves run in the background service of `warden serve` and
// `warden worker`, through the network guard with the server's allow-list only.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { recordAudit } from '../../audit/index.js';
import {
  changeCrawlStatus,
  crawlDefaults,
  crawlErrors,
  crawlProgress,
  crawlScopes,
  createCrawl,
  createRecheck,
  frontier,
  listCrawls,
  listWatchedUrls,
  recheckSummary,
} from '../../crawl/index.js';
import type { CrawlAction, CrawlOptions, CrawlProgress } from '../../crawl/index.js';
import { WardenError } from '../../errors/index.js';
import type { App } from '../app.js';
import { principalOf } from '../auth.js';
import { Enum, errors } from '../schemas.js';
import type { Services } from '../services.js';

const crawlRoles = ['analyst', 'supervisor', 'admin'] as const;
const statuses = ['running', 'paused', 'cancelled', 'done'] as const;
const watchedStatuses = ['unchecked', 'present', 'changed', 'removed', 'unreachable'] as const;
const CrawlId = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const OptionsBody = Type.Object(
  {
    scope: Type.Optional(Enum(crawlScopes)),
    max_depth: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    max_pages: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
    host_delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
    host_concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
    max_media_per_page: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    ignore_robots: Type.Optional(
      Type.Boolean({
        description:
          "Do not read robots.txt (role admin only): for operators whose legal mandate covers crawling against a site's wishes.",
      }),
    ),
  },
  { additionalProperties: false },
);

const CrawlSchema = Type.Object(
  {
    crawl_id: Type.Integer(),
    mode: Enum(['crawl', 'recheck'] as const),
    status: Enum(statuses),
    seeds: Type.Array(Type.String()),
    options: Type.Object({
      scope: Enum(crawlScopes),
      max_depth: Type.Integer(),
      max_pages: Type.Integer(),
      host_delay_ms: Type.Integer(),
      host_concurrency: Type.Integer(),
      ignore_robots: Type.Boolean(),
      max_attempts: Type.Integer(),
      timeout_ms: Type.Integer(),
      max_media_per_page: Type.Integer(),
    }),
    created_by: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
    pages_per_second: Type.Number({ description: 'URLs finished per second over the last minute' }),
    pages_fetched: Type.Integer(),
    pages_failed: Type.Integer(),
    media_fetched: Type.Integer(),
    media_failed: Type.Integer(),
    matches: Type.Integer(),
    reports_filed: Type.Integer(),
    queued: Type.Integer(),
    fetching: Type.Integer(),
  },
  { additionalProperties: true },
);

const ErrorEntry = Type.Object({
  url: Type.String(),
  http_status: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.String(),
  attempts: Type.Integer(),
  fetched_at: Type.Union([Type.String(), Type.Null()]),
});

/** A crawl as the API shows it: options in the API's spelling, without the CLI's allow-list. */
function crawlJson(progress: CrawlProgress) {
  const { options } = progress;
  return {
    ...progress,
    options: {
      scope: options.scope,
      max_depth: options.maxDepth,
      max_pages: options.maxPages,
      host_delay_ms: options.hostDelayMs,
      host_concurrency: options.hostConcurrency,
      ignore_robots: options.ignoreRobots,
      max_attempts: options.maxAttempts,
      timeout_ms: options.timeoutMs,
      max_media_per_page: options.maxMediaPerPage,
    },
  };
}

export function registerCrawlRoutes(app: App, services: Services): void {
  const { database, config } = services;
  const tags = ['crawls'];
  const access = { roles: crawlRoles };
  const audit = (
    request: FastifyRequest,
    action: string,
    id: number,
    details: Record<string, unknown> = {},
  ) =>
    recordAudit(database.db, {
      actor: principalOf(request).actor,
      action,
      target: `crawl:${id}`,
      details,
      sourceIp: request.ip,
    });

  app.post(
    '/v1/crawls',
    {
      config: access,
      schema: {
        summary: 'Start a crawl, or a recheck of confirmed URLs',
        description:
          "A crawl (`mode` `crawl`, the default) follows links from `seeds` within its scope, hashes every image it meets, matches it against the banks, and files a report for each match. A recheck (`mode` `recheck`) visits the page and media URLs of confirmed cases (all, or those in `cases`) and records whether the content is still there (see `GET /v1/watched-urls`). Options not given take the server's defaults (WARDEN_CRAWL_*). The network guard admits only public addresses and the server's WARDEN_NETWORK_ALLOW.",
        tags,
        body: Type.Object(
          {
            mode: Type.Optional(Enum(['crawl', 'recheck'] as const)),
            seeds: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { minItems: 1, maxItems: 1000 }),
            ),
            cases: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10_000 })),
            options: Type.Optional(OptionsBody),
          },
          { additionalProperties: false },
        ),
        response: { 201: CrawlSchema, ...errors(409) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      const given = body.options ?? {};
      if (given.ignore_robots === true && principal.role !== 'admin') {
        throw new WardenError(
          'forbidden',
          'Only an admin may start a crawl that ignores robots.txt (it needs a legal mandate).',
        );
      }
      const options: Partial<CrawlOptions> = {
        ...crawlDefaults(config),
        ...(given.scope === undefined ? {} : { scope: given.scope }),
        ...(given.max_depth === undefined ? {} : { maxDepth: given.max_depth }),
        ...(given.max_pages === undefined ? {} : { maxPages: given.max_pages }),
        ...(given.host_delay_ms === undefined ? {} : { hostDelayMs: given.host_delay_ms }),
        ...(given.host_concurrency === undefined ? {} : { hostConcurrency: given.host_concurrency }),
        ...(given.max_media_per_page === undefined ? {} : { maxMediaPerPage: given.max_media_per_page }),
        ignoreRobots: given.ignore_robots === true,
      };
      let crawl;
      if (body.mode === 'recheck') {
        if (body.seeds !== undefined) {
          throw new WardenError(
            'invalid_argument',
            'A recheck visits confirmed URLs: give `cases`, not `seeds`.',
          );
        }
        crawl = await createRecheck(database, {
          ...(body.cases === undefined ? {} : { caseIds: body.cases }),
          options,
          createdBy: principal.actor,
        });
      } else {
        if (body.seeds === undefined) throw new WardenError('invalid_argument', 'A crawl needs `seeds`.');
        if (body.cases !== undefined) {
          throw new WardenError('invalid_argument', '`cases` is for a recheck (`"mode": "recheck"`).');
        }
        crawl = await createCrawl(database, { seeds: body.seeds, options, createdBy: principal.actor });
      }
      await audit(request, 'crawl.start', crawl.id, { mode: crawl.mode, seeds: crawl.seeds.length });
      return reply.code(201).send(crawlJson(await crawlProgress(database, crawl.id)));
    },
  );

  app.get(
    '/v1/crawls',
    {
      config: access,
      schema: {
        summary: 'Crawls, newest first, with their progress',
        tags,
        querystring: Type.Object({
          status: Type.Optional(Enum(statuses)),
          before: Type.Optional(Type.Integer({ minimum: 1, description: 'crawls with a smaller id' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: Type.Object({ crawls: Type.Array(CrawlSchema) }), ...errors() },
      },
    },
    async (request) => ({
      crawls: (
        await listCrawls(database, {
          ...(request.query.status === undefined ? {} : { status: request.query.status }),
          ...(request.query.before === undefined ? {} : { beforeId: request.query.before }),
          ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
        })
      ).map(crawlJson),
    }),
  );

  app.get(
    '/v1/crawls/:id',
    {
      config: access,
      schema: {
        summary: 'One crawl: totals, rate, frontier size, and its latest errors',
        tags,
        params: CrawlId,
        response: {
          200: Type.Intersect([
            CrawlSchema,
            Type.Object({
              errors: Type.Array(ErrorEntry),
              checks: Type.Optional(
                Type.Object(
                  {
                    present: Type.Integer(),
                    changed: Type.Integer(),
                    removed: Type.Integer(),
                    unreachable: Type.Integer(),
                  },
                  { description: 'a recheck: watched URLs by what it found' },
                ),
              ),
            }),
          ]),
          ...errors(404),
        },
      },
    },
    async (request) => {
      const progress = await crawlProgress(database, request.params.id);
      return {
        ...crawlJson(progress),
        errors: await crawlErrors(database, request.params.id, 20),
        ...(progress.mode === 'recheck' ? { checks: await recheckSummary(database, progress.crawl_id) } : {}),
      };
    },
  );

  app.get(
    '/v1/crawls/:id/frontier',
    {
      config: access,
      schema: {
        summary: 'What the crawl fetches next, and why',
        description:
          'Queued URLs in the order the crawler takes them. `reason` explains each priority: depth, links from a page with a match, a host that served matches, images on the page that linked to it, redirects.',
        tags,
        params: CrawlId,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
        response: {
          200: Type.Object({
            urls: Type.Array(
              Type.Object({
                url: Type.String(),
                depth: Type.Integer(),
                priority: Type.Integer(),
                reason: Type.String(),
                discovered_from: Type.String(),
                attempts: Type.Integer(),
                next_attempt_at: Type.String(),
              }),
            ),
          }),
          ...errors(404),
        },
      },
    },
    async (request) => ({ urls: await frontier(database, request.params.id, request.query.limit ?? 50) }),
  );

  for (const action of ['pause', 'resume', 'cancel'] as const satisfies readonly CrawlAction[]) {
    app.post(
      `/v1/crawls/:id/${action}`,
      {
        config: access,
        schema: {
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a crawl`,
          description:
            action === 'pause'
              ? 'Running crawlers stop within about a second; the URLs they were fetching go back to the queue.'
              : action === 'resume'
                ? 'A paused crawl continues where it stopped.'
                : 'The crawl stops for good; what it found stays.',
          tags,
          params: CrawlId,
          response: { 200: CrawlSchema, ...errors(404, 409) },
        },
      },
      async (request) => {
        await changeCrawlStatus(database, request.params.id, action);
        await audit(request, `crawl.${action}`, request.params.id);
        return crawlJson(await crawlProgress(database, request.params.id));
      },
    );
  }

  app.get(
    '/v1/watched-urls',
    {
      config: access,
      schema: {
        summary: 'Confirmed URLs and whether their content is still there',
        description:
          'Each confirmed page or media URL that a recheck visited or will visit: `present` (a hash still matches the case), `changed` (the URL answers but the content is gone), `removed` (404 or 410), `unreachable`, with the time the content was first found gone (`removed_at`).',
        tags,
        querystring: Type.Object({
          case_id: Type.Optional(Type.Integer({ minimum: 1 })),
          status: Type.Optional(Enum(watchedStatuses)),
          after: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: {
          200: Type.Object({
            urls: Type.Array(
              Type.Object({
                id: Type.Integer(),
                case_id: Type.Integer(),
                url: Type.String(),
                kind: Enum(['page', 'media'] as const),
                status: Enum(watchedStatuses),
                http_status: Type.Union([Type.Integer(), Type.Null()]),
                last_checked_at: Type.Union([Type.String(), Type.Null()]),
                removed_at: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async (request) => ({
      urls: await listWatchedUrls(database, {
        ...(request.query.case_id === undefined ? {} : { caseId: request.query.case_id }),
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
        ...(request.query.after === undefined ? {} : { afterId: request.query.after }),
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
      }),
    }),
  );
}

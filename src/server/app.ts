// Builds the HTTP application: plugins, authentication, errors, audit, OpenAPI, and the routes of each
// domain. Thin by rule: routes parse and validate input, call a domain function, shape the output.
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/index.js';
import { configEnvironment } from '../config/index.js';
import { WardenError, isWardenError } from '../errors/index.js';
import { registerAuth } from './auth.js';
import type { RouteAccess } from './auth.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerBankRoutes } from './routes/banks.js';
import { registerHmaRoutes } from './routes/hma.js';
import { registerPlatformRoutes } from './routes/platform.js';
import { registerCaseRoutes } from './routes/cases.js';
import { registerCrawlRoutes } from './routes/crawls.js';
import { registerTextRoutes } from './routes/text.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerUserRoutes } from './routes/users.js';
import type { Services } from './services.js';

// The console, built by Vite next to the compiled server (build/console from the repository root).
const consoleRoot = fileURLToPath(new URL('../../build/console/', import.meta.url));
const consoleIndex = existsSync(`${consoleRoot}index.html`)
  ? readFileSync(`${consoleRoot}index.html`)
  : undefined;
// API paths never fall back to the console's page: an unknown API path is a 404 a program can read.
const apiPath = /^\/(v1|m|docs|openapi\.json|health)(\/|\?|$)/;
// The console loads only its own scripts and styles, and cannot be framed by another site.
const consolePolicy =
  "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
export const apiVersion = '1.0.0';

export async function buildApp(services: Services): Promise<App> {
  const { config } = services;
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: services.logger,
    // One log line per request is too much at thousands of requests a second; failures are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.maxRequestBytes,
    // Behind the proxies it names, request.ip and request.protocol are the client's (rate limits, the
    // audit log, the Secure cookie); without, X-Forwarded-* from anyone is ignored.
    trustProxy: config.trustProxy.length === 0 ? false : config.trustProxy,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const userError =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? bodyTooLarge(request.routeOptions.bodyLimit ?? config.maxRequestBytes, request.routeOptions.config)
        : toHttpError(error);
    if (userError.status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    return reply.status(userError.status).send({ error: userError.toJSON() });
  });
  app.setNotFoundHandler((request, reply) => {
    // The console is a single-page application: its paths all load index.html.
    if (request.method === 'GET' && !apiPath.test(request.url) && consoleIndex !== undefined) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(consoleIndex);
    }
    return reply.status(404).send({
      error: {
        code: 'not_found',
        message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}. The API is described at /docs.`,
      },
    });
  });

  app.addHook('onRoute', (route) => {
    // The docs' own routes are public; every route states in its description who may call it.
    if (route.url.startsWith('/docs')) route.config = { ...route.config, public: true };
    const access = (route.config ?? {}) as RouteAccess;
    // Anyone may call a public route, so its body is small, and one over the limit is refused from its
    // Content-Length before a byte of it is read.
    if (access.public === true) {
      route.bodyLimit = Math.min(route.bodyLimit ?? config.maxRequestBytes, config.publicMaxBodyBytes);
    }
    if (route.schema !== undefined && access.public !== true) {
      const roles = (access.roles ?? ['admin']).join(', ');
      route.schema.description = `${route.schema.description ?? ''}\n\nRoles: ${roles}.`.trim();
    }
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Warden API',
        version: apiVersion,
        description:
          'Hash matching, banks, rules and webhooks. Authenticate with "Authorization: Bearer KEY"; each route lists the roles it accepts.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  await app.register(cookie);
  registerAuth(app, services);
  await app.register(rateLimit, {
    global: true,
    // On arrival, after authentication and before the body is read: a caller over its limit costs no
    // more than its headers.
    hook: 'onRequest',
    timeWindow: 60_000,
    max: (request) => request.principal?.rateLimitPerMinute ?? config.rateLimitPerMinute,
    keyGenerator: (request) =>
      request.principal === undefined ? `ip:${request.ip}` : request.principal.actor,
    errorResponseBuilder: (request, context) =>
      new WardenError(
        'rate_limited',
        `Rate limit of ${context.max} request${context.max === 1 ? '' : 's'} ${perWindow((request.routeOptions.config.rateLimit || undefined)?.timeWindow)} reached; retry in ${Math.ceil(context.ttl / 1000)} s.`,
      ),
  });
  await app.register(multipart, {
    limits: { fileSize: config.maxImageBytes, files: 1, fields: 20, parts: 25 },
  });
  // Uploads are read by the handlers (request.file()); the body schema of a multipart route only
  // documents the form, so it is validated against an empty placeholder.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.isMultipart()) request.body = {};
    done();
  });

  // Every successful mutating call is written to the audit log: who, what, when, from where.
  app.addHook('onResponse', async (request, reply) => {
    const access = request.routeOptions.config as RouteAccess;
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method) || access.audit === false) return;
    if (reply.statusCode >= 400 || request.principal === undefined) return;
    try {
      await recordAudit(services.database.db, {
        actor: request.principal.actor,
        action: `${request.method} ${request.routeOptions.url ?? request.url}`,
        target: JSON.stringify(request.params ?? {}),
        details: { status: reply.statusCode, query: request.query ?? {} },
        sourceIp: request.ip,
      });
    } catch (error) {
      request.log.error({ err: error }, 'could not write the audit log');
    }
  });

  // Graceful shutdown: once closing starts, answers to requests still in flight end their connection,
  // so that kept-alive connections do not hold the process open after the last answer.
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!request.url.startsWith('/docs')) {
      reply.header('x-frame-options', 'DENY');
      reply.header('content-security-policy', consolePolicy);
    }
    done(null, payload);
  });
  if (consoleIndex !== undefined) {
    // The console's files are public (its data is not): registered in a scope that marks them so.
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, public: true };
      });
      await scope.register(fastifyStatic, { root: consoleRoot, wildcard: false, index: false });
    });
  } else {
    app.get('/', { config: { public: true }, schema: { hide: true } }, (_request, reply) =>
      reply
        .status(503)
        .type('text/plain')
        .send('The console is not built: run "npm run build". The API is described at /docs.'),
    );
  }

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, () => app.swagger());
  registerPlatformRoutes(app, services);
  registerBankRoutes(app, services);
  registerAdminRoutes(app, services);
  registerHmaRoutes(app, services);
  registerSessionRoutes(app, services);
  registerReportRoutes(app, services);
  registerCaseRoutes(app, services);
  registerCrawlRoutes(app, services);
  registerTextRoutes(app, services);
  registerUserRoutes(app, services);
  return app;
}

/** A body over the route's limit, said with the setting that sets it. */
function bodyTooLarge(limit: number, access: RouteAccess): WardenError {
  const setting =
    access.public === true
      ? `${configEnvironment.publicMaxBodyBytes}, for routes open to anyone`
      : configEnvironment.maxRequestBytes;
  return new WardenError(
    'too_large',
    `The request body is larger than the ${limit} bytes this route accepts (${setting}). Send less.`,
    { limit },
  );
}

/** A rate limit's window as people say it: "per minute", "per hour", "per 10 minutes". */
function perWindow(timeWindow: unknown): string {
  const milliseconds = typeof timeWindow === 'number' ? timeWindow : 60_000;
  for (const [unit, size] of [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ] as const) {
    if (milliseconds % size !== 0) continue;
    const count = milliseconds / size;
    return count === 1 ? `per ${unit}` : `per ${count} ${unit}s`;
  }
  return `per ${milliseconds} ms`;
}

/** Maps anything thrown in a request to what the caller may see. */
function toHttpError(error: FastifyError): WardenError {
  if (isWardenError(error)) return error;
  if (error.validation !== undefined) {
    return new WardenError(
      'invalid_argument',
      `Invalid request: ${error.message}. See /docs for the expected shape.`,
    );
  }
  if (error.statusCode === 413 || error.code === 'FST_REQ_FILE_TOO_LARGE') {
    return new WardenError('too_large', `The upload is too large: ${error.message}. Send a smaller file.`);
  }
  if (error.statusCode === 415) {
    return new WardenError(
      'invalid_argument',
      `${error.message}. Send JSON or multipart/form-data as /docs describes.`,
    );
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new WardenError('invalid_argument', `Invalid request: ${error.message}.`);
  }
  return new WardenError('internal', 'Internal error. It was logged; please report it if it persists.');
}

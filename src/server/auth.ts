// Authentication and roles for every route. A route declares who may call it in its config: `roles`
// (any of them may call), or `public: true`. A route that declares neither is for admins only, so a
// forgotten declaration fails closed. Machines authenticate with an API key (Authorization: Bearer);
// people with the console's session cookie, and then every state-changing request must also carry the
// session's CSRF token in a header, which another site's page cannot read or send.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './app.js';
import type { Principal, Role } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { WardenError } from '../errors/index.js';
import { checkCsrf, resolveSession } from '../users/index.js';
import type { Services } from './services.js';

export interface RouteAccess {
  roles?: readonly Role[];
  public?: boolean;
  /** Mutating routes are audited unless they say otherwise (lookups that only read). */
  audit?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    /** The session token, when the caller is a person signed in through the console. */
    sessionToken: string | undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds the fields
  interface FastifyContextConfig extends RouteAccess {}
}

export const sessionCookie = 'warden_session';
export const csrfHeader = 'x-csrf-token';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function registerAuth(app: App, services: Services): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('sessionToken', undefined);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config as RouteAccess;
    // Unknown paths answer 404 (or the console's page) to anyone.
    if (access.public === true || request.is404) return;
    const principal = (await keyPrincipal(request, services)) ?? (await sessionPrincipal(request, services));
    const allowed = access.roles ?? ['admin'];
    if (!allowed.includes(principal.role)) {
      throw new WardenError(
        'forbidden',
        `This route is for ${allowed.join(' or ')}; you are signed in as ${principal.role}.`,
      );
    }
    request.principal = principal;
  });
}

async function keyPrincipal(request: FastifyRequest, services: Services): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined) {
    throw new WardenError('unauthenticated', 'Malformed Authorization header: send "Bearer KEY".');
  }
  const principal = await services.keys.verify(match[1]);
  if (principal === undefined) throw new WardenError('unauthenticated', 'Unknown or revoked API key.');
  return principal;
}

async function sessionPrincipal(request: FastifyRequest, services: Services): Promise<Principal> {
  const token = request.cookies[sessionCookie];
  if (token === undefined || token === '') {
    throw new WardenError(
      'unauthenticated',
      'Sign in to the console, or send "Authorization: Bearer KEY" (create keys with "warden keys create").',
    );
  }
  const session = await resolveSession(services.database, token);
  if (session === undefined) {
    throw new WardenError('unauthenticated', 'Your session has ended: sign in again.');
  }
  if (!safeMethods.has(request.method)) {
    const given = request.headers[csrfHeader];
    if (!checkCsrf(token, typeof given === 'string' ? given : undefined)) {
      throw new WardenError(
        'forbidden',
        `Missing or wrong ${csrfHeader} header: reload the console and try again.`,
      );
    }
  }
  request.sessionToken = token;
  return {
    actor: `user:${session.user.id}`,
    role: session.user.role,
    userId: session.user.id,
    person: session.user.id,
  };
}

/** The caller, for routes that require authentication (the onRequest hook has run). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new WardenError('unauthenticated', 'Missing API key.');
  return request.principal;
}

/** The signed-in person, for routes that only make sense for people (not API keys). */
export function personOf(request: FastifyRequest): Principal & { userId: number } {
  const principal = principalOf(request);
  if (principal.userId === undefined) {
    throw new WardenError('forbidden', 'This route is for people signed in to the console, not API keys.');
  }
  return { ...principal, userId: principal.userId };
}

/** Sets or clears the session cookie: HttpOnly, SameSite=Strict, Secure when served over HTTPS. */
export function setSessionCookie(
  reply: FastifyReply,
  config: Pick<Config, 'cookieSecure'>,
  value: { token: string; expiresAt: string } | undefined,
): void {
  const secure =
    config.cookieSecure === 'auto' ? reply.request.protocol === 'https' : config.cookieSecure === 'true';
  const options = { path: '/', httpOnly: true, sameSite: 'strict', secure } as const;
  if (value === undefined) reply.clearCookie(sessionCookie, options);
  else reply.setCookie(sessionCookie, value.token, { ...options, expires: new Date(value.expiresAt) });
}

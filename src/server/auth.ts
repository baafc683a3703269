// Authentication and roles for every route. A route declares who may call it in its config: `roles`
// (any of them may call), or `public: true`. A route that declares neither is for admins only, so a
// forgotten declaration fails closed.
import type { FastifyRequest } from 'fastify';
import type { App } from './app.js';
import type { Principal, Role } from '../auth/index.js';
import { WardenError } from '../errors/index.js';
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
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds the fields
  interface FastifyContextConfig extends RouteAccess {}
}

export function registerAuth(app: App, services: Services): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config as RouteAccess;
    if (access.public === true) return;
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined) {
      throw new WardenError(
        'unauthenticated',
        'Missing API key: send "Authorization: Bearer KEY" (create keys with "warden keys create").',
      );
    }
    const principal = await services.keys.verify(match[1]);
    if (principal === undefined) throw new WardenError('unauthenticated', 'Unknown or revoked API key.');
    const allowed = access.roles ?? ['admin'];
    if (!allowed.includes(principal.role)) {
      throw new WardenError(
        'forbidden',
        `This route is for ${allowed.join(' or ')} keys; this key has the role ${principal.role}.`,
      );
    }
    request.principal = principal;
  });
}

/** The caller, for routes that require authentication (the onRequest hook has run). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new WardenError('unauthenticated', 'Missing API key.');
  return request.principal;
}

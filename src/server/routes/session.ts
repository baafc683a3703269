// Signing in and out of the console, and a person's own wellness settings. Sessions live in an
// HttpOnly cookie; the CSRF token that every state-changing request must echo comes back in the body.
import type { FastifyRequest } from 'fastify';
import type { App } from '../app.js';
import { Type } from 'typebox';
import { WardenError } from '../../errors/index.js';
import {
  changeOwnPassword,
  exposureToday,
  getWellnessLimits,
  resolveSession,
  signIn,
  signInOptions,
  signOut,
  updateUserSettings,
  userRoles,
} from '../../users/index.js';
import type { User, WellnessLimits } from '../../users/index.js';
import { personOf, setSessionCookie } from '../auth.js';
import { Enum, errors } from '../schemas.js';
import type { Services } from '../services.js';

export const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  display_name: Type.String(),
  role: Enum(userRoles),
  disabled: Type.Boolean(),
  created_at: Type.String(),
});
const SettingsSchema = Type.Object({
  blur: Type.Boolean({ description: 'media blurred until revealed' }),
  greyscale: Type.Boolean({ description: 'revealed media stays greyscale' }),
  exposure_warning: Type.Integer({ description: 'warn after this many reveals in a day' }),
});
export const LimitsSchema = Type.Object({
  allow_unblurred: Type.Boolean({ description: 'may people turn blurring off for themselves' }),
  allow_colour: Type.Boolean({ description: 'may people see revealed media in colour' }),
  max_exposure_warning: Type.Integer({ minimum: 1, description: 'highest daily warning level allowed' }),
});
const SessionSchema = Type.Object({
  user: UserSchema,
  settings: SettingsSchema,
  limits: LimitsSchema,
  exposure_today: Type.Integer({ description: 'media this person revealed today (UTC)' }),
  csrf_token: Type.String({ description: 'send it as the x-csrf-token header on every change' }),
});
const SignInBody = Type.Object(
  { username: Type.String({ maxLength: 100 }), password: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
);
const SettingsBody = Type.Partial(SettingsSchema, { additionalProperties: false });

const people = { roles: userRoles };

export function registerSessionRoutes(app: App, services: Services): void {
  const { database, config } = services;
  const tags = ['console'];

  const session = async (user: User, csrfToken: string) => ({
    user: userJson(user),
    settings: {
      blur: user.settings.blur,
      greyscale: user.settings.greyscale,
      exposure_warning: user.settings.exposureWarning,
    },
    limits: limitsJson(await getWellnessLimits(database)),
    exposure_today: await exposureToday(database, `user:${user.id}`),
    csrf_token: csrfToken,
  });
  const current = async (request: FastifyRequest) => {
    personOf(request);
    const found = await resolveSession(database, request.sessionToken ?? '');
    if (found === undefined)
      throw new WardenError('unauthenticated', 'Your session has ended: sign in again.');
    return found;
  };

  app.post(
    '/v1/session',
    {
      // Public, but slowed per client: passwords cannot be guessed at speed.
      config: { public: true, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'Sign in to the console',
        description: 'Checks the username and password and sets the session cookie.',
        tags,
        security: [],
        body: SignInBody,
        response: { 200: SessionSchema, ...errors() },
      },
    },
    async (request, reply) => {
      const signedIn = await signIn(
        database,
        { username: request.body.username, password: request.body.password, sourceIp: request.ip },
        signInOptions(config),
      );
      setSessionCookie(reply, config, signedIn);
      return session(signedIn.user, signedIn.csrfToken);
    },
  );

  app.get(
    '/v1/session',
    {
      config: people,
      schema: { summary: 'Who is signed in', tags, response: { 200: SessionSchema, ...errors() } },
    },
    async (request) => {
      const found = await current(request);
      return session(found.user, found.csrfToken);
    },
  );

  app.delete(
    '/v1/session',
    {
      config: people,
      schema: { summary: 'Sign out', tags, response: { 204: Type.Null(), ...errors() } },
    },
    async (request, reply) => {
      personOf(request);
      await signOut(database, request.sessionToken ?? '');
      setSessionCookie(reply, config, undefined);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/v1/session/password',
    {
      config: { ...people, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'Change your own password',
        description: 'Ends all your sessions: sign in again with the new password.',
        tags,
        body: Type.Object(
          {
            current_password: Type.String({ maxLength: 1000 }),
            new_password: Type.String({ minLength: 12, maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errors() },
      },
    },
    async (request, reply) => {
      const person = personOf(request);
      await changeOwnPassword(database, person.userId, {
        current: request.body.current_password,
        next: request.body.new_password,
      });
      setSessionCookie(reply, config, undefined);
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/v1/session/settings',
    {
      config: people,
      schema: {
        summary: 'Change your own wellness settings',
        description: 'Within the limits an admin sets (GET /v1/wellness-limits).',
        tags,
        body: SettingsBody,
        response: { 200: SessionSchema, ...errors() },
      },
    },
    async (request) => {
      const found = await current(request);
      const body = request.body;
      const user = await updateUserSettings(database, found.user.id, {
        ...(body.blur === undefined ? {} : { blur: body.blur }),
        ...(body.greyscale === undefined ? {} : { greyscale: body.greyscale }),
        ...(body.exposure_warning === undefined ? {} : { exposureWarning: body.exposure_warning }),
      });
      return session(user, found.csrfToken);
    },
  );
}

export function userJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    display_name: user.displayName,
    role: user.role,
    disabled: user.disabledAt !== null,
    created_at: user.createdAt,
  };
}

export function limitsJson(limits: WellnessLimits) {
  return {
    allow_unblurred: limits.allowUnblurred,
    allow_colour: limits.allowColour,
    max_exposure_warning: limits.maxExposureWarning,
  };
}

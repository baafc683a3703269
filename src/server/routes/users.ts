// Administration of the people who use the console, and the wellness limits that bound their settings.
import type { App } from '../app.js';
import { Type } from 'typebox';
import {
  createUser,
  getWellnessLimits,
  listUsers,
  setWellnessLimits,
  updateUser,
  userRoles,
} from '../../users/index.js';
import { principalOf } from '../auth.js';
import { Enum, errors } from '../schemas.js';
import type { Services } from '../services.js';
import { LimitsSchema, UserSchema, limitsJson, userJson } from './session.js';

const Role = Enum(userRoles);
const NewUserBody = Type.Object(
  {
    username: Type.String({ maxLength: 40 }),
    password: Type.String({ minLength: 12, maxLength: 256 }),
    role: Role,
    display_name: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
const UserChangesBody = Type.Object(
  {
    role: Type.Optional(Role),
    display_name: Type.Optional(Type.String({ maxLength: 100 })),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 256 })),
    disabled: Type.Optional(Type.Boolean({ description: 'a disabled person cannot sign in; sessions end' })),
  },
  { additionalProperties: false },
);
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function registerUserRoutes(app: App, services: Services): void {
  const { database, config } = services;
  const tags = ['users'];

  app.get(
    '/v1/users',
    { schema: { summary: 'List people', tags, response: { 200: Type.Array(UserSchema), ...errors() } } },
    async () => (await listUsers(database)).map(userJson),
  );
  app.post(
    '/v1/users',
    {
      schema: {
        summary: 'Add a person',
        tags,
        body: NewUserBody,
        response: { 201: UserSchema, ...errors(409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const user = await createUser(
        database,
        {
          username: body.username,
          password: body.password,
          role: body.role,
          ...(body.display_name === undefined ? {} : { displayName: body.display_name }),
        },
        { exposureWarning: config.exposureWarning },
        principalOf(request).actor,
      );
      return reply.status(201).send(userJson(user));
    },
  );
  app.patch(
    '/v1/users/:id',
    {
      schema: {
        summary: "Change a person's role, name or password, or disable them",
        tags,
        params: Id,
        body: UserChangesBody,
        response: { 200: UserSchema, ...errors(404) },
      },
    },
    async (request) => {
      const body = request.body;
      const user = await updateUser(
        database,
        request.params.id,
        {
          ...(body.role === undefined ? {} : { role: body.role }),
          ...(body.display_name === undefined ? {} : { displayName: body.display_name }),
          ...(body.password === undefined ? {} : { password: body.password }),
          ...(body.disabled === undefined ? {} : { disabled: body.disabled }),
        },
        principalOf(request).actor,
      );
      return userJson(user);
    },
  );

  app.get(
    '/v1/wellness-limits',
    {
      config: { roles: userRoles },
      schema: {
        summary: 'The limits within which people choose their wellness settings',
        tags,
        response: { 200: LimitsSchema, ...errors() },
      },
    },
    async () => limitsJson(await getWellnessLimits(database)),
  );
  app.put(
    '/v1/wellness-limits',
    {
      schema: {
        summary: 'Set the wellness limits',
        tags,
        body: Type.Partial(LimitsSchema, { additionalProperties: false }),
        response: { 200: LimitsSchema, ...errors() },
      },
    },
    async (request) => {
      const body = request.body;
      const limits = await setWellnessLimits(
        database,
        {
          ...(body.allow_unblurred === undefined ? {} : { allowUnblurred: body.allow_unblurred }),
          ...(body.allow_colour === undefined ? {} : { allowColour: body.allow_colour }),
          ...(body.max_exposure_warning === undefined
            ? {}
            : { maxExposureWarning: body.max_exposure_warning }),
        },
        principalOf(request).actor,
      );
      return limitsJson(limits);
    },
  );
}

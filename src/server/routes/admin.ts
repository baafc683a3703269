// Administration over HTTP: rules, API keys and the audit log.
import type { App } from '../app.js';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { listAudit } from '../../audit/index.js';
import { listApiKeys, revokeApiKey, roles } from '../../auth/index.js';
import type { ApiKey, Role } from '../../auth/index.js';
import { createRule, deleteRule, listRules, updateRule } from '../../policy/index.js';
import type { NewRule } from '../../policy/index.js';
import { errors } from '../schemas.js';
import type { Services } from '../services.js';
import { registerWebhookRoutes } from './webhooks.js';

const Verdict = Type.Union([Type.Literal('allow'), Type.Literal('review'), Type.Literal('block')]);
const RuleSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  category: Type.String({ description: 'a bank category, or * for any' }),
  max_distance: Type.Integer({ minimum: 0, maximum: 256 }),
  min_quality: Type.Integer({ minimum: 0, maximum: 100 }),
  verdict: Verdict,
  enabled: Type.Boolean(),
});
const NewRuleBody = Type.Object(
  {
    name: Type.String(),
    category: Type.String(),
    max_distance: Type.Integer({ minimum: 0, maximum: 256 }),
    min_quality: Type.Integer({ minimum: 0, maximum: 100 }),
    verdict: Verdict,
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const RuleChangesBody = Type.Partial(NewRuleBody, { additionalProperties: false });
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const KeySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.Unsafe<Role>(Type.String({ enum: [...roles] })),
  prefix: Type.String({ description: 'the first characters of the key' }),
  rate_limit_per_minute: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
  user_id: Type.Union([Type.Integer(), Type.Null()], { description: 'the person the key acts for' }),
});
const AuditSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  source_ip: Type.String(),
});
const AuditQuery = Type.Object({
  action: Type.Optional(Type.String()),
  actor: Type.Optional(Type.String()),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'entries older than this id' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
type RuleJson = Static<typeof RuleSchema>;
const ruleJson = (rule: Awaited<ReturnType<typeof listRules>>[number]): RuleJson => ({
  id: rule.id,
  name: rule.name,
  category: rule.category,
  max_distance: rule.maxDistance,
  min_quality: rule.minQuality,
  verdict: rule.verdict,
  enabled: rule.enabled,
});
const keyJson = (key: ApiKey): Static<typeof KeySchema> => ({
  id: key.id,
  name: key.name,
  role: key.role,
  prefix: key.prefix,
  rate_limit_per_minute: key.rateLimitPerMinute,
  created_at: key.createdAt,
  revoked_at: key.revokedAt,
  user_id: key.userId,
});
export function registerAdminRoutes(app: App, services: Services): void {
  const { database } = services;

  app.get(
    '/v1/rules',
    {
      schema: {
        summary: 'List the rules',
        tags: ['rules'],
        response: { 200: Type.Array(RuleSchema), ...errors() },
      },
    },
    async () => (await listRules(database)).map(ruleJson),
  );
  app.post(
    '/v1/rules',
    {
      schema: {
        summary: 'Add a rule',
        tags: ['rules'],
        body: NewRuleBody,
        response: { 201: RuleSchema, ...errors(409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const rule = await createRule(database, ruleFromJson(body) as NewRule);
      return reply.status(201).send(ruleJson(rule));
    },
  );
  app.patch(
    '/v1/rules/:id',
    {
      schema: {
        summary: 'Change a rule',
        tags: ['rules'],
        params: Id,
        body: RuleChangesBody,
        response: { 200: RuleSchema, ...errors(404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      return ruleJson(await updateRule(database, id, ruleFromJson(request.body)));
    },
  );
  app.delete(
    '/v1/rules/:id',
    {
      schema: {
        summary: 'Delete a rule',
        tags: ['rules'],
        params: Id,
        response: { 204: Type.Null(), ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteRule(database, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/keys',
    {
      schema: {
        summary: 'List API keys (never the keys themselves)',
        tags: ['keys'],
        response: { 200: Type.Array(KeySchema), ...errors() },
      },
    },
    async () => (await listApiKeys(database)).map(keyJson),
  );
  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        summary: 'Revoke an API key',
        tags: ['keys'],
        params: Id,
        response: { 200: KeySchema, ...errors(404, 409) },
      },
    },
    async (request) => keyJson(await revokeApiKey(database, request.params.id)),
  );

  app.get(
    '/v1/audit',
    {
      schema: {
        summary: 'Read the audit log, newest first',
        tags: ['audit'],
        querystring: AuditQuery,
        response: { 200: Type.Array(AuditSchema), ...errors() },
      },
    },
    async (request) => {
      const query = request.query;
      const entries = await listAudit(database, {
        ...(query.action === undefined ? {} : { action: query.action }),
        ...(query.actor === undefined ? {} : { actor: query.actor }),
        ...(query.before === undefined ? {} : { beforeId: query.before }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
      return entries.map((entry) => ({
        id: entry.id,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        details: entry.details,
        source_ip: entry.sourceIp,
      }));
    },
  );

  registerWebhookRoutes(app, services);
}

function ruleFromJson(body: Partial<Static<typeof NewRuleBody>>): Partial<NewRule> {
  return {
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.category === undefined ? {} : { category: body.category }),
    ...(body.max_distance === undefined ? {} : { maxDistance: body.max_distance }),
    ...(body.min_quality === undefined ? {} : { minQuality: body.min_quality }),
    ...(body.verdict === undefined ? {} : { verdict: body.verdict }),
    ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
  };
}

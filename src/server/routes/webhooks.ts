// Webhooks over HTTP, for admins: register where events go, and watch their deliveries (the dead-letter
// state included) and retry the ones that gave up.
import type { App } from '../app.js';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import {
  createWebhook,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  retryDelivery,
  setWebhookEnabled,
} from '../../webhooks/index.js';
import type { Delivery, Webhook } from '../../webhooks/index.js';
import { errors } from '../schemas.js';
import type { Services } from '../services.js';

const WebhookSchema = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  created_at: Type.String(),
});
const CreatedWebhookSchema = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.String({ description: 'the signing secret: shown only in this response' }),
});
const NewWebhookBody = Type.Object(
  {
    url: Type.String({ maxLength: 2000 }),
    events: Type.Array(Type.String({ maxLength: 100 }), {
      minItems: 1,
      maxItems: 50,
      description: 'event types, e.g. match.verdict, or *',
    }),
  },
  { additionalProperties: false },
);
const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('dead'),
]);
const DeliverySchema = Type.Object({
  id: Type.Integer(),
  webhook_id: Type.Integer(),
  event_id: Type.String(),
  event_type: Type.String(),
  status: Status,
  attempts: Type.Integer(),
  last_error: Type.String(),
  next_attempt_at: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  finished_at: Type.Union([Type.String(), Type.Null()]),
});
const DeliveriesQuery = Type.Object({
  status: Type.Optional(Status),
  webhook_id: Type.Optional(Type.Integer({ minimum: 1 })),
  after: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const webhookJson = (webhook: Webhook): Static<typeof WebhookSchema> => ({
  id: webhook.id,
  url: webhook.url,
  events: webhook.events,
  enabled: webhook.enabled,
  created_at: webhook.createdAt,
});
const deliveryJson = (delivery: Delivery): Static<typeof DeliverySchema> => ({
  id: delivery.id,
  webhook_id: delivery.webhookId,
  event_id: delivery.eventId,
  event_type: delivery.eventType,
  status: delivery.status,
  attempts: delivery.attempts,
  last_error: delivery.lastError,
  next_attempt_at: delivery.nextAttemptAt,
  created_at: delivery.createdAt,
  finished_at: delivery.finishedAt,
});

export function registerWebhookRoutes(app: App, services: Services): void {
  const { database } = services;
  const tags = ['webhooks'];

  app.get(
    '/v1/webhooks',
    {
      schema: {
        summary: 'List webhooks (without secrets)',
        tags,
        response: { 200: Type.Array(WebhookSchema), ...errors() },
      },
    },
    async () => (await listWebhooks(database)).map(webhookJson),
  );
  app.post(
    '/v1/webhooks',
    {
      schema: {
        summary: 'Register a webhook',
        description:
          'Events are POSTed as JSON {"id","type","created_at","data"} with headers Warden-Event-Id, Warden-Event-Type and Warden-Signature: t=UNIX,v1=HEX (HMAC-SHA256 of "t.body" with the secret). Retries send the same id and body; deduplicate by id.',
        tags,
        body: NewWebhookBody,
        response: { 201: CreatedWebhookSchema, ...errors() },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await createWebhook(database, { url: body.url, events: body.events });
      return reply.status(201).send({ ...webhookJson(created), secret: created.secret });
    },
  );
  app.patch(
    '/v1/webhooks/:id',
    {
      schema: {
        summary: 'Enable or disable a webhook',
        tags,
        params: Id,
        body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: WebhookSchema, ...errors(404) },
      },
    },
    async (request) =>
      webhookJson(await setWebhookEnabled(database, request.params.id, request.body.enabled)),
  );
  app.delete(
    '/v1/webhooks/:id',
    {
      schema: {
        summary: 'Delete a webhook',
        tags,
        params: Id,
        response: { 204: Type.Null(), ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteWebhook(database, request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/v1/webhook-deliveries',
    {
      schema: {
        summary: 'List webhook deliveries; status=dead shows the dead-letter queue',
        tags,
        querystring: DeliveriesQuery,
        response: { 200: Type.Array(DeliverySchema), ...errors() },
      },
    },
    async (request) => {
      const query = request.query;
      const deliveries = await listDeliveries(database, {
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.webhook_id === undefined ? {} : { webhookId: query.webhook_id }),
        ...(query.after === undefined ? {} : { afterId: query.after }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
      return deliveries.map(deliveryJson);
    },
  );
  app.post(
    '/v1/webhook-deliveries/:id/retry',
    {
      schema: {
        summary: 'Send a dead delivery again',
        tags,
        params: Id,
        response: { 200: DeliverySchema, ...errors(404, 409) },
      },
    },
    async (request) => deliveryJson(await retryDelivery(database, request.params.id)),
  );
}

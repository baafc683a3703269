// The webhooks domain: platforms register URLs for event types; Warden emits events in the same
// transaction as the change they announce and delivers them, signed, through the job queue and the
// network guard, retrying until the receiver accepts or a person has to look.
export { createWebhook, listWebhooks, getWebhook, deleteWebhook, setWebhookEnabled } from './registry.js';
export type { Webhook, WebhookId, CreatedWebhook, NewWebhook } from './registry.js';
export { emitEvent, listDeliveries, retryDelivery, deliveryKind } from './events.js';
export type { WebhookEvent, EmittedEvent, Delivery, DeliveryQuery } from './events.js';
export { webhookHandlers } from './delivery.js';
export type { DeliveryConfig } from './delivery.js';
export { verifyWebhookSignature } from './signature.js';

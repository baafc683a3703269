// Webhook registrations: where a platform wants events sent, which event types, and the secret Warden
// signs them with. The secret is shown once, when the webhook is created; Warden keeps it to sign with.
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { WardenError } from '../errors/index.js';
import { checkUrl } from '../network/index.js';
import { now } from '../store/index.js';
import type { Database, Schema } from '../store/index.js';

export type WebhookId = number & { readonly __brand: 'WebhookId' };

export interface Webhook {
  id: WebhookId;
  url: string;
  /** Event types sent to this webhook; `*` means all. */
  events: string[];
  enabled: boolean;
  createdAt: string;
}

/** A webhook as created: the only time its secret is given out. */
export interface CreatedWebhook extends Webhook {
  secret: string;
}

export interface NewWebhook {
  url: string;
  events: readonly string[];
}

const eventTypePattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const maxUrlLength = 2000;

/** Checks an event type as emitted; subscriptions may also use `*`. */
export function validateEventType(type: string): string {
  if (type.length > 100 || !eventTypePattern.test(type)) {
    throw new WardenError(
      'invalid_argument',
      `Invalid event type "${type.slice(0, 100)}": use lowercase dotted words such as match.verdict.`,
    );
  }
  return type;
}

/** Registers a webhook and returns it with its new secret, which is not shown again. */
export async function createWebhook(database: Database, webhook: NewWebhook): Promise<CreatedWebhook> {
  if (webhook.url.length > maxUrlLength) {
    throw new WardenError('invalid_argument', `The webhook URL is longer than ${maxUrlLength} characters.`);
  }
  const url = checkUrl(webhook.url).href;
  if (webhook.events.length === 0) {
    throw new WardenError(
      'invalid_argument',
      'Name at least one event type for the webhook, or "*" for all.',
    );
  }
  const events = [...new Set(webhook.events.map((type) => (type === '*' ? type : validateEventType(type))))];
  const secret = randomBytes(32).toString('base64url');
  const row = await database.db
    .insertInto('webhooks')
    .values({ url, secret, events: JSON.stringify(events), enabled: 1, created_at: now() })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...toWebhook(row), secret };
}

export async function listWebhooks(database: Database): Promise<Webhook[]> {
  const rows = await database.db.selectFrom('webhooks').selectAll().orderBy('id').execute();
  return rows.map(toWebhook);
}

export async function getWebhook(database: Database, id: number): Promise<Webhook> {
  const row = await database.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw notFound(id);
  return toWebhook(row);
}

/** Deletes a webhook. Deliveries still queued for it go to dead, saying so, instead of being sent. */
export async function deleteWebhook(database: Database, id: number): Promise<void> {
  const result = await database.db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound(id);
}

/** A disabled webhook is sent no new events; its queued deliveries go to dead until it is enabled again. */
export async function setWebhookEnabled(database: Database, id: number, enabled: boolean): Promise<Webhook> {
  const row = await database.db
    .updateTable('webhooks')
    .set({ enabled: enabled ? 1 : 0 })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw notFound(id);
  return toWebhook(row);
}

function notFound(id: number): WardenError {
  return new WardenError('not_found', `No webhook with id ${id}.`);
}

function toWebhook(row: Selectable<Schema['webhooks']>): Webhook {
  return {
    id: row.id as WebhookId,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    enabled: row.enabled === 1,
    createdAt: row.created_at,
  };
}

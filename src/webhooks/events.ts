// Events and their deliveries. Emitting an event queues one delivery job per subscribed webhook, in the
// caller's transaction, with the exact bytes to send: every retry of a delivery sends the same body with
// the same event id, so a receiver can recognise a repeat and ignore it.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { WardenError, isWardenError } from '../errors/index.js';
import { enqueueJob, getJob, listJobs, retryJob } from '../jobs/index.js';
import type { Job, JobId, JobStatus } from '../jobs/index.js';
import { now } from '../store/index.js';
import type { Database, Schema } from '../store/index.js';
import { validateEventType } from './registry.js';
import type { WebhookId } from './registry.js';

/** The job kind of a webhook delivery. */
export const deliveryKind = 'webhook.deliver';

// Deliveries give up at the configured webhookMaxAttempts (see delivery.ts), which is read when they run
// so that a change applies to deliveries already queued; this bound (the configuration's maximum) only
// stops a delivery whose worker keeps dying mid-attempt.
const deliveryAttemptBound = 100;

export interface WebhookEvent {
  /** Lowercase dotted words, e.g. `match.verdict`. */
  type: string;
  /** Anything JSON can carry. */
  data: unknown;
}

export interface EmittedEvent {
  id: string;
  type: string;
  createdAt: string;
  /** One delivery job per webhook subscribed to the type. */
  deliveries: JobId[];
}

export const deliveryPayload = z.object({
  webhook_id: z.number().int(),
  event_id: z.string(),
  event_type: z.string(),
  /** The request body, fixed at emission. */
  body: z.string(),
});
export type DeliveryPayload = z.infer<typeof deliveryPayload>;

/**
 * Emits an event to every enabled webhook subscribed to its type (or to `*`). Pass a transaction to tie
 * the deliveries to the change they announce: if it rolls back, nothing is sent.
 */
export async function emitEvent(db: Kysely<Schema>, event: WebhookEvent): Promise<EmittedEvent> {
  const type = validateEventType(event.type);
  const id = randomUUID();
  const createdAt = now();
  let body: string;
  try {
    body = JSON.stringify({ id, type, created_at: createdAt, data: event.data ?? null });
  } catch (error) {
    throw new WardenError('invalid_argument', `Event data must be JSON: ${(error as Error).message}.`);
  }
  const webhooks = await db
    .selectFrom('webhooks')
    .select(['id', 'events'])
    .where('enabled', '=', 1)
    .orderBy('id')
    .execute();
  const deliveries: JobId[] = [];
  for (const webhook of webhooks) {
    const subscribed = JSON.parse(webhook.events) as string[];
    if (!subscribed.includes(type) && !subscribed.includes('*')) continue;
    const payload: DeliveryPayload = { webhook_id: webhook.id, event_id: id, event_type: type, body };
    deliveries.push(
      await enqueueJob(db, {
        kind: deliveryKind,
        payload,
        maxAttempts: deliveryAttemptBound,
        dedupeKey: `webhook:${webhook.id}:${id}`,
      }),
    );
  }
  return { id, type, createdAt, deliveries };
}

export interface Delivery {
  id: JobId;
  webhookId: WebhookId;
  eventId: string;
  eventType: string;
  /** `dead` deliveries gave up; `lastError` says why, and `retryDelivery` sends them again. */
  status: JobStatus;
  attempts: number;
  lastError: string;
  /** When a pending delivery is next tried. */
  nextAttemptAt: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface DeliveryQuery {
  status?: JobStatus;
  webhookId?: number;
  /** Deliveries with an id above this (oldest first). */
  afterId?: number;
  limit?: number;
}

export async function listDeliveries(database: Database, query: DeliveryQuery = {}): Promise<Delivery[]> {
  const jobs = await listJobs(database, {
    kind: deliveryKind,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.webhookId === undefined ? {} : { dedupeKeyPrefix: `webhook:${query.webhookId}:` }),
    ...(query.afterId === undefined ? {} : { afterId: query.afterId }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
  });
  return jobs.map(toDelivery);
}

/** Sends a dead delivery again, with the same event id and body, and a fresh set of attempts. */
export async function retryDelivery(database: Database, id: number): Promise<Delivery> {
  const job = await getJob(database, id).catch((error: unknown) => {
    if (isWardenError(error) && error.code === 'not_found') return undefined;
    throw error;
  });
  if (job?.kind !== deliveryKind) throw new WardenError('not_found', `No webhook delivery with id ${id}.`);
  return toDelivery(await retryJob(database, id));
}

function toDelivery(job: Job): Delivery {
  const payload = deliveryPayload.parse(job.payload);
  return {
    id: job.id,
    webhookId: payload.webhook_id as WebhookId,
    eventId: payload.event_id,
    eventType: payload.event_type,
    status: job.status,
    attempts: job.attempts,
    lastError: job.lastError,
    nextAttemptAt: job.status === 'pending' ? job.runAt : null,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

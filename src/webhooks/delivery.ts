// Delivering webhook events: the job handler that POSTs a queued event, signed, through the network
// guard, and decides from the answer whether to stop, retry later, or give up for a person to look at.
import type { Config } from '../config/index.js';
import { isWardenError } from '../errors/index.js';
import { NonRetryableError } from '../jobs/index.js';
import type { ClaimedJob, JobHandler } from '../jobs/index.js';
import { NetworkGuard, retryableStatus } from '../network/index.js';
import type { GuardedResponse } from '../network/index.js';
import type { Database } from '../store/index.js';
import { deliveryKind, deliveryPayload } from './events.js';
import { signatureHeader } from './signature.js';

export type DeliveryConfig = Pick<Config, 'networkAllow' | 'webhookTimeoutMs' | 'webhookMaxAttempts'>;

// Receivers answer with a status; anything longer than a short note is not read.
const maxAnswerBytes = 64 * 1024;
const maxExcerptLength = 200;

/**
 * The job handlers for a Worker that delivers webhooks. A 2xx answer delivers the event; a 4xx other
 * than 408 and 429 gives up at once (the receiver refuses it: a person must look); 5xx, 408, 429,
 * time-outs and network failures are retried with back-off until `webhookMaxAttempts`.
 */
export function webhookHandlers(config: DeliveryConfig): Record<string, JobHandler> {
  // Lives as long as the handlers; its idle connections close on their own and never hold the process.
  const guard = new NetworkGuard({ allow: config.networkAllow });
  return { [deliveryKind]: (job, signal, database) => deliver(job, signal, database, guard, config) };
}

async function deliver(
  job: ClaimedJob,
  signal: AbortSignal,
  database: Database,
  guard: NetworkGuard,
  config: DeliveryConfig,
): Promise<void> {
  const parsed = deliveryPayload.safeParse(job.payload);
  if (!parsed.success) throw new NonRetryableError(`Malformed delivery payload: ${parsed.error.message}`);
  const payload = parsed.data;
  const webhook = await database.db
    .selectFrom('webhooks')
    .select(['url', 'secret', 'enabled'])
    .where('id', '=', payload.webhook_id)
    .executeTakeFirst();
  if (webhook === undefined) {
    throw new NonRetryableError(`Webhook ${payload.webhook_id} was deleted, so the event was not sent.`);
  }
  if (webhook.enabled !== 1) {
    throw new NonRetryableError(
      `Webhook ${payload.webhook_id} is disabled, so the event was not sent; enable it and retry the delivery.`,
    );
  }

  const timestamp = Math.floor(Date.now() / 1000);
  let response: GuardedResponse;
  try {
    response = await guard.fetch(
      webhook.url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Warden-Webhooks',
          'Warden-Event-Id': payload.event_id,
          'Warden-Event-Type': payload.event_type,
          'Warden-Signature': signatureHeader(webhook.secret, payload.body, timestamp),
        },
        body: payload.body,
        signal,
      },
      { timeoutMs: config.webhookTimeoutMs, maxBytes: maxAnswerBytes, maxRedirects: 0 },
    );
  } catch (error) {
    // The guard's refusals (a private address, a redirect) will not change by themselves.
    if (isWardenError(error)) throw error;
    throw failure(
      job,
      config,
      `Could not deliver to ${new URL(webhook.url).origin}: ${messageOf(error)}`,
      true,
    );
  }

  if (response.status >= 200 && response.status < 300) {
    await response.discardBody();
    return;
  }
  const retryable = retryableStatus(response.status);
  const answer = `The receiver answered ${response.status}${await excerpt(response)}`;
  throw failure(
    job,
    config,
    retryable ? answer : `${answer}. Fix the receiver, then retry the delivery.`,
    retryable,
  );
}

/** The error for a failed attempt: retryable while configured attempts remain. */
function failure(job: ClaimedJob, config: DeliveryConfig, message: string, retryable: boolean): Error {
  if (!retryable) return new NonRetryableError(message);
  return job.attempts >= config.webhookMaxAttempts
    ? new NonRetryableError(
        `${message.replace(/\.$/, '')} (gave up after ${job.attempts} attempt${job.attempts === 1 ? '' : 's'}).`,
      )
    : new Error(message);
}

async function excerpt(response: GuardedResponse): Promise<string> {
  // The receiver's own words often say what is wrong; they are a courtesy, so an unreadable body is skipped.
  const body = await response.readBody().catch(() => undefined);
  const text = body?.toString('utf8').replace(/\s+/g, ' ').trim() ?? '';
  if (text === '') return '';
  return `: ${text.length > maxExcerptLength ? `${text.slice(0, maxExcerptLength)}…` : text}`;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Connecting to several addresses at once fails with an AggregateError that has a code but no message.
  return error.message !== '' ? error.message : ((error as NodeJS.ErrnoException).code ?? error.name);
}

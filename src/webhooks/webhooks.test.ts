import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { Database } from '../store/index.js';
import { describeEachEngine, runJobsUntilSettled } from '../../test/support/index.js';
import {
  createWebhook,
  deleteWebhook,
  deliveryKind,
  emitEvent,
  getWebhook,
  listDeliveries,
  listWebhooks,
  retryDelivery,
  setWebhookEnabled,
  verifyWebhookSignature,
  webhookHandlers,
} from './index.js';
import type { DeliveryConfig } from './index.js';

interface Received {
  eventId: string;
  eventType: string;
  contentType: string;
  signature: string;
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A webhook receiver on 127.0.0.1 that records each request and answers `answer(n)` to the n-th. */
async function receiver(
  answer: (count: number) => [status: number, text?: string] = () => [204],
): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        eventId: String(request.headers['warden-event-id']),
        eventType: String(request.headers['warden-event-type']),
        contentType: String(request.headers['content-type']),
        signature: String(request.headers['warden-signature']),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const [status, text] = answer(received.length);
      response.writeHead(status).end(text);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const config: DeliveryConfig = { networkAllow: ['127.0.0.1'], webhookTimeoutMs: 5000, webhookMaxAttempts: 5 };

/** Runs a delivery worker until every delivery has settled (done or dead). */
function deliverAll(database: Database, settings: DeliveryConfig = config): Promise<void> {
  return runJobsUntilSettled(database, deliveryKind, {
    concurrency: 4,
    backoff: { baseMs: 20, maxMs: 100 },
    handlers: webhookHandlers(settings),
  });
}

describeEachEngine('webhooks', (database) => {
  it('registers webhooks, shows the secret only once, and disables and deletes them', async () => {
    const created = await createWebhook(database(), {
      url: 'https://platform.example/hooks/warden',
      events: ['match.verdict', 'report.created', 'match.verdict'],
    });
    expect(created).toMatchObject({
      url: 'https://platform.example/hooks/warden',
      events: ['match.verdict', 'report.created'],
      enabled: true,
    });
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await listWebhooks(database());
    expect(listed).toEqual([
      {
        id: created.id,
        url: created.url,
        events: created.events,
        enabled: true,
        createdAt: created.createdAt,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    expect(await setWebhookEnabled(database(), created.id, false)).toMatchObject({ enabled: false });
    expect((await getWebhook(database(), created.id)).enabled).toBe(false);
    await deleteWebhook(database(), created.id);
    await expect(getWebhook(database(), created.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(deleteWebhook(database(), created.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(setWebhookEnabled(database(), created.id, true)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('refuses URLs the guard would never fetch, and malformed event types', async () => {
    const refused = [
      [{ url: 'ftp://platform.example/', events: ['*'] }, /Only http:\/\/ and https:\/\//],
      [{ url: 'https://user:pw@platform.example/', events: ['*'] }, /credentials/],
      [{ url: 'platform.example/hook', events: ['*'] }, /not a valid URL/],
      [{ url: 'https://platform.example/', events: [] }, /at least one event type/],
      [{ url: 'https://platform.example/', events: ['Match Verdict'] }, /Invalid event type/],
    ] as const;
    for (const [webhook, message] of refused) {
      await expect(createWebhook(database(), webhook)).rejects.toMatchObject({
        code: 'invalid_argument',
        message: expect.stringMatching(message) as string,
      });
    }
    expect(await listWebhooks(database())).toEqual([]);
  });

  it('queues one delivery per subscribed, enabled webhook, and none if the transaction rolls back', async () => {
    const matches = await createWebhook(database(), { url: 'https://a.example/', events: ['match.verdict'] });
    const reports = await createWebhook(database(), {
      url: 'https://b.example/',
      events: ['report.created'],
    });
    const everything = await createWebhook(database(), { url: 'https://c.example/', events: ['*'] });
    const disabled = await createWebhook(database(), {
      url: 'https://d.example/',
      events: ['match.verdict'],
    });
    await setWebhookEnabled(database(), disabled.id, false);

    await expect(
      database()
        .db.transaction()
        .execute(async (trx) => {
          await emitEvent(trx, { type: 'match.verdict', data: {} });
          throw new Error('the decision was not stored');
        }),
    ).rejects.toThrow('the decision was not stored');
    expect(await listDeliveries(database())).toEqual([]);

    const event = await emitEvent(database().db, { type: 'match.verdict', data: { report_id: 7 } });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    const deliveries = await listDeliveries(database());
    expect(deliveries.map((delivery) => delivery.webhookId)).toEqual([matches.id, everything.id]);
    expect(deliveries.map((delivery) => delivery.id)).toEqual(event.deliveries);
    expect(deliveries[0]).toMatchObject({ eventId: event.id, eventType: 'match.verdict', status: 'pending' });
    expect(await listDeliveries(database(), { webhookId: reports.id })).toEqual([]);
    expect(await listDeliveries(database(), { webhookId: everything.id })).toHaveLength(1);
    await expect(emitEvent(database().db, { type: '*', data: {} })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('delivers a signed event that the receiver can verify, and nothing to other subscriptions', async () => {
    const wanted = await receiver();
    const other = await receiver();
    const hook = await createWebhook(database(), { url: wanted.url, events: ['match.verdict'] });
    await createWebhook(database(), { url: other.url, events: ['report.created'] });
    const event = await emitEvent(database().db, {
      type: 'match.verdict',
      data: { verdict: 'block', note: 'é' },
    });
    await deliverAll(database());

    expect(other.received).toEqual([]);
    expect(wanted.received).toHaveLength(1);
    const [delivery] = wanted.received;
    expect(delivery).toMatchObject({
      eventId: event.id,
      eventType: 'match.verdict',
      contentType: 'application/json',
    });
    expect(verifyWebhookSignature(hook.secret, delivery?.signature ?? '', delivery?.body ?? '', 60)).toBe(
      true,
    );
    expect(verifyWebhookSignature('wrong secret', delivery?.signature ?? '', delivery?.body ?? '', 60)).toBe(
      false,
    );
    expect(JSON.parse(delivery?.body ?? '')).toEqual({
      id: event.id,
      type: 'match.verdict',
      created_at: event.createdAt,
      data: { verdict: 'block', note: 'é' },
    });
    expect(await listDeliveries(database())).toMatchObject([
      { status: 'done', attempts: 1, nextAttemptAt: null },
    ]);
  });

  it('retries a failing receiver with the same event id and byte-identical body', async () => {
    const flaky = await receiver((count) => (count <= 2 ? [count === 1 ? 500 : 503, 'try later'] : [200]));
    const hook = await createWebhook(database(), { url: flaky.url, events: ['report.created'] });
    const event = await emitEvent(database().db, {
      type: 'report.created',
      data: { report_id: 1, text: '✓' },
    });
    await deliverAll(database());

    expect(flaky.received).toHaveLength(3);
    expect(new Set(flaky.received.map((request) => request.eventId))).toEqual(new Set([event.id]));
    expect(new Set(flaky.received.map((request) => request.body)).size).toBe(1);
    for (const request of flaky.received) {
      expect(verifyWebhookSignature(hook.secret, request.signature, request.body, 60)).toBe(true);
    }
    expect(await listDeliveries(database())).toMatchObject([
      { status: 'done', attempts: 3, lastError: 'The receiver answered 503: try later' },
    ]);
  });

  it('gives up at once on a 4xx, keeps the reason, and sends again on retry', async () => {
    let refuse = true;
    const strict = await receiver(() => (refuse ? [400, 'unknown\n  field "data"'] : [202]));
    await createWebhook(database(), { url: strict.url, events: ['*'] });
    await emitEvent(database().db, { type: 'report.created', data: {} });
    await deliverAll(database());

    const [dead] = await listDeliveries(database(), { status: 'dead' });
    expect(dead).toMatchObject({
      attempts: 1,
      lastError:
        'The receiver answered 400: unknown field "data". Fix the receiver, then retry the delivery.',
    });
    expect(strict.received).toHaveLength(1);

    refuse = false;
    expect(await retryDelivery(database(), dead?.id ?? 0)).toMatchObject({ status: 'pending', attempts: 0 });
    await deliverAll(database());
    expect(await listDeliveries(database())).toMatchObject([{ status: 'done', attempts: 1 }]);
    expect(strict.received.map((request) => request.body)).toEqual([
      strict.received[0]?.body,
      strict.received[0]?.body,
    ]);
    await expect(retryDelivery(database(), dead?.id ?? 0)).rejects.toMatchObject({ code: 'conflict' });
    await expect(retryDelivery(database(), 999_999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('retries 408 and 429, and stops at the configured number of attempts', async () => {
    const busy = await receiver((count) => [count % 2 === 1 ? 429 : 408]);
    await createWebhook(database(), { url: busy.url, events: ['*'] });
    await emitEvent(database().db, { type: 'report.created', data: {} });
    await deliverAll(database(), { ...config, webhookMaxAttempts: 3 });

    expect(busy.received).toHaveLength(3);
    expect(await listDeliveries(database())).toMatchObject([
      { status: 'dead', attempts: 3, lastError: 'The receiver answered 429 (gave up after 3 attempts).' },
    ]);
  });

  it('does not send to addresses the network guard refuses, to deleted or to disabled webhooks', async () => {
    const internal = await receiver();
    const refused = await createWebhook(database(), { url: internal.url, events: ['*'] });
    const deleted = await createWebhook(database(), { url: internal.url, events: ['*'] });
    const disabled = await createWebhook(database(), { url: internal.url, events: ['*'] });
    await emitEvent(database().db, { type: 'report.created', data: {} });
    await deleteWebhook(database(), deleted.id);
    await setWebhookEnabled(database(), disabled.id, false);
    await deliverAll(database(), { ...config, networkAllow: [] });

    expect(internal.received).toEqual([]);
    const reasons = (await listDeliveries(database())).map((delivery) => [
      delivery.webhookId,
      delivery.status,
      delivery.attempts,
      delivery.lastError,
    ]);
    expect(reasons).toEqual([
      [
        refused.id,
        'dead',
        1,
        expect.stringMatching(/^Refused to connect to 127\.0\.0\.1: it is a loopback address/),
      ],
      [deleted.id, 'dead', 1, `Webhook ${deleted.id} was deleted, so the event was not sent.`],
      [disabled.id, 'dead', 1, expect.stringMatching(/is disabled, so the event was not sent; enable it/)],
    ]);
  });

  it('retries when the receiver cannot be reached or does not answer in time', async () => {
    const silent = createServer(() => undefined);
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const closed = await receiver();
    const closedUrl = closed.url;
    servers.splice(servers.length - 1, 1)[0]?.close();
    await createWebhook(database(), {
      url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
      events: ['*'],
    });
    await createWebhook(database(), { url: closedUrl, events: ['*'] });
    await emitEvent(database().db, { type: 'report.created', data: {} });
    await deliverAll(database(), { ...config, webhookTimeoutMs: 200, webhookMaxAttempts: 2 });

    expect(
      (await listDeliveries(database())).map((delivery) => [
        delivery.status,
        delivery.attempts,
        delivery.lastError,
      ]),
    ).toEqual([
      ['dead', 2, expect.stringMatching(/within 200 ms \(gave up after 2 attempts\)/)],
      [
        'dead',
        2,
        expect.stringMatching(
          /^Could not deliver to http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*\(gave up after 2 attempts\)/,
        ),
      ],
    ]);
  });
});

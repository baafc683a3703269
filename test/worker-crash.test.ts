// A worker process killed mid-delivery (SIGKILL: no chance to clean up) loses no event. Its leases run
// out, a second worker process delivers what was left, and a receiver that sees an event twice sees the
// same event id and the same bytes. PostgreSQL only: it is the engine that many worker processes share.
// Runs the real `warden worker` binary over the compiled dist/ (built by `npm test`'s pretest).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { listJobs } from '../src/jobs/index.js';
import { createWebhook, deliveryKind, emitEvent, verifyWebhookSignature } from '../src/webhooks/index.js';

import { childEnvironment, openTestDatabase, wardenBinary } from './support/index.js';
import type { TestDatabase } from './support/index.js';

const events = 40;

interface Delivery {
  eventId: string;
  signature: string;
  body: string;
}

/** A receiver on 127.0.0.1 that records each delivery as it arrives, then takes 200–400 ms to answer. */
async function slowReceiver() {
  const deliveries: Delivery[] = [];
  let answering = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({
        eventId: String(request.headers['warden-event-id']),
        signature: String(request.headers['warden-signature']),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answering += 1;
      setTimeout(
        () => {
          answering -= 1;
          response.writeHead(200).end();
        },
        200 + Math.random() * 200,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    answering: () => answering,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

function startWorker(database: TestDatabase): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [wardenBinary, 'worker'], {
    env: childEnvironment({
      ...database.environment,
      WARDEN_NETWORK_ALLOW: '127.0.0.1',
      WARDEN_JOB_LEASE_MS: '2000',
      WARDEN_WORKER_CONCURRENCY: '{"webhook.deliver":4}',
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

const exited = (child: ChildProcess) =>
  new Promise<number | string | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode);
    else child.once('exit', (code, signal) => resolve(code ?? signal));
  });

const waitUntil = (what: string, check: () => boolean | Promise<boolean>, timeout = 30_000) =>
  vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`still waiting: ${what}`);
    },
    { timeout, interval: 25 },
  );

if (process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === '') {
  describe.skip('worker crash [postgres: set DATABASE_URL=postgres://… to run this test]', () => {
    it('delivers every event exactly as emitted after a worker is killed', () => undefined);
  });
} else {
  describe('worker crash [postgres]', () => {
    it('delivers every event exactly as emitted after a worker is killed', async () => {
      const database = await openTestDatabase('postgres');
      const receiver = await slowReceiver();
      const workers: ChildProcess[] = [];
      try {
        const webhook = await createWebhook(database, { url: receiver.url, events: ['report.created'] });
        const emitted = new Map<string, number>();
        for (let index = 0; index < events; index += 1) {
          const event = await emitEvent(database.db, { type: 'report.created', data: { report_id: index } });
          emitted.set(event.id, index);
        }

        const first = startWorker(database);
        workers.push(first.child);
        await waitUntil(
          'some deliveries arrived and others are being answered',
          () => receiver.deliveries.length >= 8 && receiver.answering() > 0,
        ).catch((error: unknown) => {
          throw new Error(`${(error as Error).message}; worker said: ${first.stderr()}`);
        });
        first.child.kill('SIGKILL');
        expect(await exited(first.child)).toBe('SIGKILL');
        const abandoned = await listJobs(database, { kind: deliveryKind, status: 'running' });
        expect(abandoned.length).toBeGreaterThan(0);

        const second = startWorker(database);
        workers.push(second.child);
        await waitUntil(
          'every delivery is done',
          async () => (await listJobs(database, { kind: deliveryKind, status: 'done' })).length === events,
        );
        second.child.kill('SIGTERM');
        expect(await exited(second.child)).toBe(0);
        expect(second.stderr()).toMatch(/^warden worker: started as .+\nwarden worker: stopped .+\n$/);

        const byEvent = new Map<string, Delivery[]>();
        for (const delivery of receiver.deliveries) {
          byEvent.set(delivery.eventId, [...(byEvent.get(delivery.eventId) ?? []), delivery]);
        }
        expect(new Set(byEvent.keys())).toEqual(new Set(emitted.keys()));
        for (const [eventId, copies] of byEvent) {
          expect(new Set(copies.map((copy) => copy.body)).size, `copies of ${eventId}`).toBe(1);
          const body = JSON.parse(copies[0]?.body ?? '') as { id: string; data: { report_id: number } };
          expect(body.id).toBe(eventId);
          expect(body.data.report_id).toBe(emitted.get(eventId));
          for (const copy of copies) {
            expect(verifyWebhookSignature(webhook.secret, copy.signature, copy.body, 300)).toBe(true);
          }
        }
        // The deliveries in flight when the first worker died were sent again.
        const repeated = [...byEvent.values()].filter((copies) => copies.length > 1);
        expect(repeated.length).toBeGreaterThanOrEqual(1);
        expect(await listJobs(database, { kind: deliveryKind, status: 'dead' })).toEqual([]);
        const retried = (await listJobs(database, { kind: deliveryKind })).filter((job) => job.attempts > 1);
        expect(retried.map((job) => job.id)).toEqual(abandoned.map((job) => job.id));
      } finally {
        for (const worker of workers)
          if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
        await receiver.close();
        await database.close();
      }
    });
  });
}

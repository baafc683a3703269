// Background work by kind: public reports of pages full of slow images occupy the report fetches' own
// slots, never the webhooks'. A loopback web holds every image open until the test lets go, and a
// webhook event emitted meanwhile must arrive while those fetches are still held. The worker is built as
// `warden serve` builds it: the configured slots per kind and every job kind's handler.
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import sharp from 'sharp';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createApiKey } from '../src/auth/index.js';
import { backgroundHandlers } from '../src/background/index.js';
import { loadConfig } from '../src/config/index.js';
import { Worker, listJobs } from '../src/jobs/index.js';
import { buildApp, openServices } from '../src/server/index.js';
import type { App, Services } from '../src/server/index.js';
import { emitEvent } from '../src/webhooks/index.js';
import { describeEachEngine } from './support/index.js';

const imagesPerPage = 20;
const reports = 5;

interface SlowWeb {
  origin: string;
  /** Image requests answered with nothing yet. */
  held: ServerResponse[];
  /** Bodies POSTed to /hook, in order. */
  deliveries: string[];
  /** Answers the held image requests, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

async function startSlowWeb(): Promise<SlowWeb> {
  const image = await sharp({
    create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 10, b: 10 } },
  })
    .png()
    .toBuffer();
  const held: ServerResponse[] = [];
  const deliveries: string[] = [];
  let released = false;
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    if (path === '/hook') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        deliveries.push(Buffer.concat(chunks).toString());
        response.writeHead(200).end();
      });
    } else if (path.startsWith('/page/')) {
      const images = Array.from({ length: imagesPerPage }, (_, index) => `<img src="/image/${index}.png">`);
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<html><body>${images.join('')}</body></html>`);
    } else if (released) {
      response.writeHead(200, { 'content-type': 'image/png' }).end(image);
    } else {
      held.push(response);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    deliveries,
    release: () => {
      released = true;
      for (const response of held.splice(0))
        response.writeHead(200, { 'content-type': 'image/png' }).end(image);
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const waitUntil = (what: string, check: () => boolean | Promise<boolean>) =>
  vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`not yet: ${what}`);
    },
    { timeout: 20_000, interval: 20 },
  );

describeEachEngine('background work by kind', (database) => {
  let web: SlowWeb;
  let services: Services & { close(): Promise<void> };
  let app: App;

  beforeEach(async () => {
    web = await startSlowWeb();
    const config = loadConfig(
      {},
      { dataDir: '/nonexistent', networkAllow: ['127.0.0.1'], indexRefreshMs: 60_000, hashingThreads: 1 },
    );
    services = await openServices(config, pino({ level: 'silent' }), database());
    app = await buildApp(services);
  });
  afterEach(async () => {
    web.release();
    await app.close();
    await services.close();
    await web.close();
  });

  it('delivers a webhook while public reports of pages with slow images hold every report-fetch slot', async () => {
    const { key } = await createApiKey(database(), { role: 'admin', name: 'admin' });
    const hook = await app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: { authorization: `Bearer ${key}` },
      payload: { url: `${web.origin}/hook`, events: ['match.verdict'] },
    });
    expect(hook.statusCode).toBe(201);
    for (let index = 0; index < reports; index += 1) {
      const filed = await app.inject({
        method: 'POST',
        url: '/v1/public/reports',
        payload: { url: `${web.origin}/page/${index}.html`, reason: 'other' },
      });
      expect(filed.statusCode).toBe(201);
    }

    const { config } = services;
    const background = backgroundHandlers(config, services);
    const errors: unknown[] = [];
    const worker = new Worker(database(), {
      concurrency: config.workerConcurrency,
      leaseMs: config.jobLeaseMs,
      pollMs: 20,
      handlers: background.handlers,
      onError: (error) => errors.push(error),
    });
    const running = worker.run(new AbortController().signal);
    try {
      const fetchSlots = config.workerConcurrency['report.fetch'] ?? 0;
      const fetchesOf = async (status: string) =>
        (await listJobs(database(), { kind: 'report.fetch' })).filter((job) => job.status === status).length;
      // Every report-fetch slot is taken by a page whose images do not come.
      await waitUntil(
        'the report fetches hold their slots',
        async () => (await fetchesOf('running')) === fetchSlots,
      );
      await waitUntil('images are requested and held', () => web.held.length >= fetchSlots);
      expect(await fetchesOf('pending')).toBe(reports - fetchSlots);

      await emitEvent(database().db, { type: 'match.verdict', data: { verdict: 'block' } });
      await waitUntil('the webhook arrives', () => web.deliveries.length === 1);
      expect(JSON.parse(web.deliveries[0] ?? '{}')).toMatchObject({ type: 'match.verdict' });
      // ... while the fetches are still held: nothing was answered, nothing finished.
      expect(await fetchesOf('running')).toBe(fetchSlots);
      expect(await fetchesOf('done')).toBe(0);

      web.release();
      await waitUntil('every report is fetched', async () => (await fetchesOf('done')) === reports);
      expect(errors).toEqual([]);
    } finally {
      web.release();
      await worker.shutdown();
      await running;
      await background.close();
    }
  });
});

// Anonymous input is small: routes open to anyone take a few kilobytes, refuse more from the declared
// length before reading it, and count the caller against its rate limit before any of the body is read;
// a multipart upload carries one file, and a second is refused rather than ignored.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createApiKey } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import type { Config } from '../src/config/index.js';
import { buildApp, openServices } from '../src/server/index.js';
import type { App, Services } from '../src/server/index.js';
import { describeEachEngine, vectorPath } from './support/index.js';
import { readFileSync } from 'node:fs';

const image = readFileSync(vectorPath('pdq/decoded/q0122.png'));

/** A multipart/form-data body with the given files, each as [field, bytes]. */
function multipart(files: [string, Buffer][]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----warden${Math.random().toString(16).slice(2)}`;
  const parts = files.flatMap(([field, bytes], index) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${index}.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    bytes,
    Buffer.from('\r\n'),
  ]);
  return {
    payload: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** A public report; `padding` bytes more make it larger than a public route takes. */
const fileReport = (server: App, padding = 0) =>
  server.inject({
    method: 'POST',
    url: '/v1/public/reports',
    payload: {
      url: 'https://example.org/page',
      reason: 'other',
      ...(padding > 0 ? { padding: 'x'.repeat(padding) } : {}),
    },
  });

describeEachEngine('anonymous input', (database) => {
  let services: (Services & { close(): Promise<void> }) | undefined;
  let app: App | undefined;

  const start = async (overrides: Partial<Config> = {}) => {
    const config = loadConfig(
      {},
      { dataDir: '/nonexistent', indexRefreshMs: 60_000, hashingThreads: 1, ...overrides },
    );
    services = await openServices(config, pino({ level: 'silent' }), database());
    app = await buildApp(services);
    return app;
  };
  afterEach(async () => {
    await app?.close();
    await services?.close();
    app = undefined;
    services = undefined;
  });

  it('takes a few kilobytes on public routes, and the full size from callers with a key', async () => {
    const server = await start();
    const ordinary = await fileReport(server);
    expect(ordinary.statusCode).toBe(201);

    const padded = await fileReport(server, 20_000);
    expect(padded.statusCode).toBe(413);
    expect(padded.json()).toEqual({
      error: {
        code: 'too_large',
        message:
          'The request body is larger than the 16384 bytes this route accepts (WARDEN_PUBLIC_MAX_BODY_BYTES, for routes open to anyone). Send less.',
        details: { limit: 16384 },
      },
    });
    // Sign-in is open to anyone too.
    const signIn = await server.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { username: 'x'.repeat(20_000), password: 'y' },
    });
    expect(signIn.statusCode).toBe(413);

    const { key } = await createApiKey(database(), { role: 'platform', name: 'platform' });
    const keyed = await server.inject({
      method: 'POST',
      url: '/v1/text/check',
      headers: { authorization: `Bearer ${key}` },
      payload: { text: 'an ordinary sentence. '.repeat(1000) },
    });
    expect(keyed.statusCode).toBe(200);
  });

  it('refuses a large public body from its declared length, before the body is sent', async () => {
    const server = await start();
    await server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const sending = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/public/reports',
          headers: { 'content-type': 'application/json', 'content-length': 58_000_000 },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      sending.on('error', reject);
      // Only the first bytes of the 58 MB announced: the answer must not wait for the rest.
      sending.write('{"url":"https://example.org/","reason":"');
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatch(/larger than the 16384 bytes this route accepts/);
  });

  it('counts a public caller against its rate limit before reading the body', async () => {
    const server = await start({ publicReportsPerHour: 1 });
    const first = await fileReport(server);
    expect(first.statusCode).toBe(201);
    // Over the limit and over the size: the rate limit answers, so the body was never read.
    const second = await fileReport(server, 20_000);
    expect(second.statusCode).toBe(429);
  });

  it('refuses a multipart upload with several files instead of using the first', async () => {
    const server = await start();
    const { key } = await createApiKey(database(), { role: 'platform', name: 'platform' });
    const send = (files: [string, Buffer][]) => {
      const { payload, headers } = multipart(files);
      return server.inject({
        method: 'POST',
        url: '/v1/hash',
        payload,
        headers: { ...headers, authorization: `Bearer ${key}` },
      });
    };
    expect((await send([['file', image]])).statusCode).toBe(200);
    const two = await send([
      ['file', image],
      ['file', image],
    ]);
    expect(two.statusCode).toBe(400);
    expect(two.json()).toMatchObject({
      error: {
        code: 'invalid_argument',
        message: expect.stringMatching(/^Send one file per request/) as string,
      },
    });
    const elsewhere = await send([
      ['file', image],
      ['other', image],
    ]);
    expect(elsewhere.statusCode).toBe(400);
    const wrongField = await send([['picture', image]]);
    expect(wrongField.json()).toMatchObject({
      error: { message: expect.stringMatching(/No file in the field "file"/) as string },
    });
  });
});

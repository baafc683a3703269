// Warden behind a reverse proxy (WARDEN_TRUST_PROXY): rate limits, the audit log and the Secure cookie
// see the client the trusted proxy names, and nobody else can claim an address; a 429 says its window.
import { expect, it } from 'vitest';
import { listAudit } from '../src/audit/index.js';
import { loadConfig } from '../src/config/index.js';
import type { Config } from '../src/config/index.js';
import type { App } from '../src/server/index.js';
import { createUser } from '../src/users/index.js';
import { describeEachEngine, useTemporaryDirectory, useTestApp } from './support/index.js';

const password = 'correct horse battery';

describeEachEngine('behind a proxy', (database) => {
  const directory = useTemporaryDirectory();
  const startApp = useTestApp();
  const start = async (environment: Record<string, string>, overrides: Partial<Config> = {}) => {
    const app = await startApp(database(), directory(), environment, overrides);
    await createUser(database(), { username: 'alice', password, role: 'analyst' }, { exposureWarning: 50 });
    return app;
  };
  // Fastify's inject comes from 127.0.0.1, where the proxy would be.
  const signIn = (server: App, client: string, given: string, proto = 'http') =>
    server.inject({
      method: 'POST',
      url: '/v1/session',
      headers: { 'x-forwarded-for': client, 'x-forwarded-proto': proto },
      payload: { username: 'alice', password: given },
    });

  it('believes a trusted proxy: the audit log, the Secure cookie and the per-account back-off see the client', async () => {
    const server = await start({ WARDEN_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' });
    const signedIn = await signIn(server, '203.0.113.7, 10.1.2.3', password, 'https');
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.headers['set-cookie']).toMatch(/; Secure/);
    expect(await listAudit(database(), { action: 'user.sign_in' })).toMatchObject([
      { sourceIp: '203.0.113.7' },
    ]);

    // Guesses sent at once from ever new addresses still stop at the one account's free attempts
    // (attempts are counted before the password is checked; the waits themselves are tested with an
    // injected clock in src/users/sessions.test.ts).
    const statuses = await Promise.all(
      Array.from(
        { length: 7 },
        async (_, guess) => (await signIn(server, `198.51.100.${guess}`, `guess ${guess}`)).statusCode,
      ),
    );
    expect(statuses.sort()).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('ignores X-Forwarded-For and -Proto from anyone else: the rate limit counts the real sender', async () => {
    const server = await start({});
    const signedIn = await signIn(server, '203.0.113.7', password, 'https');
    expect(signedIn.headers['set-cookie']).not.toMatch(/; Secure/);
    expect(await listAudit(database(), { action: 'user.sign_in' })).toMatchObject([
      { sourceIp: '127.0.0.1' },
    ]);

    // Ten sign-ins a minute per address (one is spent above), whatever address each request claims.
    const statuses = [];
    for (let claimed = 0; claimed < 10; claimed += 1) {
      statuses.push((await signIn(server, `192.0.2.${claimed}`, password)).statusCode);
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    const limited = await signIn(server, '192.0.2.99', password);
    expect(limited.json()).toMatchObject({
      error: {
        code: 'rate_limited',
        message: expect.stringMatching(/^Rate limit of 10 requests per minute reached/),
      },
    });
  });

  it('says "per hour" for an hourly limit', async () => {
    const server = await start({}, { publicReportsPerHour: 1 });
    const report = () =>
      server.inject({
        method: 'POST',
        url: '/v1/public/reports',
        payload: { url: 'https://example.org/page', reason: 'other' },
      });
    expect((await report()).statusCode).toBe(201);
    const limited = await report();
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      error: {
        message: expect.stringMatching(/^Rate limit of 1 request per hour reached; retry in \d+ s\.$/),
      },
    });
  });

  it('refuses a WARDEN_TRUST_PROXY that is not addresses or ranges, naming the entry', () => {
    expect(() => loadConfig({ WARDEN_TRUST_PROXY: '10.0.0.0/8, proxy.example, 10.0.0.0/33' })).toThrow(
      /WARDEN_TRUST_PROXY: "proxy\.example", "10\.0\.0\.0\/33" is not an address or CIDR range/,
    );
  });
});

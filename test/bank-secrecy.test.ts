// Bank lists stay secret: hash lists of known abuse material are confidential by agreement with the hotlines
// that share them, so no caller below the roles that manage banks (admin) ever receives a bank entry's
// hash — not in a match answer, the HMA routes, a report or case view, nor a webhook body — and no query can
// page through a bank with a wide threshold. On SQLite and, when DATABASE_URL is set, PostgreSQL.
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createApiKey } from '../src/auth/index.js';
import type { Role } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import { listJobs } from '../src/jobs/index.js';
import { buildApp, openServices } from '../src/server/index.js';
import type { App, Services } from '../src/server/index.js';
import { describeEachEngine, flip, pdqA } from './support/index.js';

const md5 = '0cc175b9c0f1b6a831c399e269772661';

describeEachEngine('bank secrecy over HTTP', (database) => {
  let services: Services & { close(): Promise<void> };
  let app: App;
  const keys = {} as Record<Role, string>;

  beforeEach(async () => {
    const config = loadConfig(
      {},
      { dataDir: '/nonexistent', indexRefreshMs: 60_000, hashingThreads: 1, maxMatches: 3 },
    );
    services = await openServices(config, pino({ level: 'silent' }), database());
    app = await buildApp(services);
    for (const role of ['admin', 'supervisor', 'analyst', 'platform'] as const) {
      keys[role] = (await createApiKey(database(), { role, name: `${role} key` })).key;
    }
  });
  afterEach(async () => {
    await app.close();
    await services.close();
  });

  const call = (role: Role, method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${keys[role]}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const ok = async (role: Role, method: 'GET' | 'POST', url: string, body?: unknown) => {
    const response = await call(role, method, url, body);
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response;
  };
  const addEntry = async (signal: string, type = 'pdq') =>
    (await ok('admin', 'POST', '/v1/banks/standin-csam/entries', { signal_type: type, signal })).json<{
      id: number;
    }>();

  it("never shows a platform, analyst or webhook receiver a bank entry's hash; an admin sees it", async () => {
    await ok('admin', 'POST', '/v1/banks', { name: 'standin-csam', category: 'csam' });
    const entry = await addEntry(pdqA);
    const md5Entry = await addEntry(md5, 'md5');
    await ok('admin', 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] });
    const query = flip(pdqA, 5);
    const expectNoSecret = (text: string) => expect(text).not.toContain(pdqA);

    // The match route: bank, category, entry id and distance, but not the entry's hash.
    const matched = await ok('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: query }],
      quality: 90,
    });
    expect(matched.json()).toMatchObject({
      verdict: 'block',
      matches: [
        { bank: 'standin-csam', category: 'csam', signal_type: 'pdq', distance: 5, entry_id: entry.id },
      ],
      truncated: false,
    });
    expect(matched.json<{ matches: object[] }>().matches[0]).not.toHaveProperty('signal');
    expectNoSecret(matched.body);
    const exact = await ok('platform', 'POST', '/v1/match', { signals: [{ type: 'md5', value: md5 }] });
    // An exact match tells the caller only what it sent; still, the answer has no signal of the entry's own.
    expect(exact.json()).toMatchObject({ matches: [{ entry_id: md5Entry.id, distance: 0 }] });
    expect(exact.json<{ matches: object[] }>().matches[0]).not.toHaveProperty('signal');
    const asAdmin = await ok('admin', 'POST', '/v1/match', { signals: [{ type: 'pdq', value: query }] });
    expect(asAdmin.json()).toMatchObject({ matches: [{ entry_id: entry.id, signal: pdqA }] });

    // The HMA routes.
    for (const url of [
      `/m/lookup?signal_type=pdq&signal=${query}`,
      `/m/raw_lookup?signal_type=pdq&signal=${query}&include_distance=true`,
      `/c/banks`,
    ]) {
      expectNoSecret((await ok('platform', 'GET', url)).body);
    }

    // A platform's report, and what it files.
    const filed = await ok('platform', 'POST', '/v1/reports', {
      url: 'https://example.org/page',
      signals: [{ type: 'pdq', value: query }],
    });
    expect(filed.json()).toMatchObject({ matches: [{ entry_id: entry.id, distance: 5 }] });
    expectNoSecret(filed.body);

    // Reports and case views: analysts and supervisors review without the entry's hash; admins see it.
    const reportId = matched.json<{ report_id: number }>().report_id;
    const caseId = (await ok('analyst', 'GET', `/v1/reports/${reportId}`)).json<{ case_id: number }>()
      .case_id;
    for (const role of ['analyst', 'supervisor'] as const) {
      for (const url of ['/v1/reports', `/v1/reports/${reportId}`, `/v1/cases/${caseId}`]) {
        const view = await ok(role, 'GET', url);
        expect(view.body).toContain(`"entry_id":${entry.id}`);
        expectNoSecret(view.body);
      }
    }
    expectNoSecret((await ok('analyst', 'POST', `/v1/cases/${caseId}/claim`)).body);
    await ok('analyst', 'POST', `/v1/cases/${caseId}/release`);
    expectNoSecret((await ok('analyst', 'POST', '/v1/cases/next')).body);
    expect((await ok('admin', 'GET', `/v1/cases/${caseId}`)).body).toContain(pdqA);
    expect((await ok('admin', 'GET', `/v1/reports/${reportId}`)).body).toContain(pdqA);

    // Webhook bodies go to platforms.
    const deliveries = await listJobs(database(), { kind: 'webhook.deliver' });
    const bodies = deliveries.map((job) => (job.payload as { body: string }).body);
    expect(bodies.some((body) => body.includes('"match.verdict"'))).toBe(true);
    for (const body of bodies) expectNoSecret(body);
  });

  it('refuses a threshold above the server maximum with a 400 that names it', async () => {
    await ok('admin', 'POST', '/v1/banks', { name: 'standin-csam', category: 'csam' });
    await addEntry(flip(pdqA, 63));
    const widest = await ok('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: pdqA }],
      threshold: 63,
    });
    expect(widest.json<{ matches: unknown[] }>().matches).toHaveLength(1);
    for (const threshold of [64, 256]) {
      const refused = await call('platform', 'POST', '/v1/match', {
        signals: [{ type: 'pdq', value: pdqA }],
        threshold,
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({
        error: {
          code: 'invalid_argument',
          message: expect.stringMatching(/maximum of 63 \(WARDEN_MAX_PDQ_THRESHOLD\)/),
        },
      });
    }
    expect(() => loadConfig({ WARDEN_MATCH_THRESHOLD: '70' })).toThrow(/WARDEN_MAX_PDQ_THRESHOLD/);
  });

  it('answers at most WARDEN_MAX_MATCHES matches, the nearest, and flags the rest', async () => {
    await ok('admin', 'POST', '/v1/banks', { name: 'standin-csam', category: 'csam' });
    const ids: number[] = [];
    for (let distance = 6; distance >= 1; distance--)
      ids[distance] = (await addEntry(flip(pdqA, distance))).id;
    const answer = await ok('platform', 'POST', '/v1/match', { signals: [{ type: 'pdq', value: pdqA }] });
    expect(answer.json()).toMatchObject({ truncated: true });
    expect(answer.json<{ matches: { entry_id: number; distance: number }[] }>().matches).toEqual(
      [1, 2, 3].map((distance): unknown => expect.objectContaining({ distance, entry_id: ids[distance] })),
    );
    const hma = await ok('platform', 'GET', `/m/raw_lookup?signal_type=pdq&signal=${pdqA}`);
    expect(hma.json()).toEqual({ matches: [ids[1], ids[2], ids[3]] });
    const few = await ok('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: flip(pdqA, 6) }],
      threshold: 0,
    });
    expect(few.json()).toMatchObject({ matches: [{ entry_id: ids[6] }], truncated: false });
  });
});

// The review API in process (Fastify inject): public and platform intake, people signing in with
// sessions and CSRF tokens, the queue, decisions under the two-person rule, evidence views in the audit
// log, search and the dashboard — on SQLite and, when DATABASE_URL is set, on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import sharp from 'sharp';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { listAudit } from '../src/audit/index.js';
import { createApiKey } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import { createBank, listBankEntries } from '../src/matching/index.js';
import { buildApp, openServices } from '../src/server/index.js';
import type { App, Services } from '../src/server/index.js';
import { createUser } from '../src/users/index.js';
import { describeEachEngine } from './support/index.js';

/** A benign synthetic picture: coloured gradients and a few shapes, different for each seed. */
async function syntheticImage(seed: number, size = 256): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const offset = (y * size + x) * 3;
      pixels[offset] = (x * (seed + 1) + y) & 255;
      pixels[offset + 1] = ((x ^ y) * (seed + 3)) & 255;
      pixels[offset + 2] = (Math.sin((x + seed * 17) / 9) * 127 + 128) & 255;
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

function multipart(bytes: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----warden${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const password = 'correct horse battery staple';

describeEachEngine('review API', (database) => {
  let services: Services & { close(): Promise<void> };
  let app: App;
  let dataDir: string;
  let platformKey: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'warden-review-'));
    const config = loadConfig(
      {},
      { dataDir, indexRefreshMs: 60_000, hashingThreads: 1, publicReportsPerHour: 4 },
    );
    services = await openServices(config, pino({ level: 'silent' }), database());
    app = await buildApp(services);
    platformKey = (await createApiKey(database(), { role: 'platform' })).key;
    for (const [username, role] of [
      ['ana', 'analyst'],
      ['ben', 'analyst'],
      ['sue', 'supervisor'],
    ] as const) {
      await createUser(database(), { username, password, role }, { exposureWarning: 2 });
    }
    await createBank(database(), { name: 'csam-standin', category: 'csam' });
  });
  afterEach(async () => {
    await app.close();
    await services.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Signs a person in and returns a caller that sends their cookie and CSRF token. */
  const signIn = async (username: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { username, password },
    });
    expect(response.statusCode, response.body).toBe(200);
    const cookie = response.cookies.find((entry) => entry.name === 'warden_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const csrf = response.json<{ csrf_token: string }>().csrf_token;
    const cookies = { warden_session: cookie?.value ?? '' };
    return Object.assign(
      (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
        app.inject({
          method,
          url,
          cookies,
          headers: { 'x-csrf-token': csrf },
          ...(payload === undefined ? {} : { payload }),
        }),
      { cookies },
    );
  };

  it('takes public reports from anyone, with a reference, and refuses hostile URLs saying why', async () => {
    const filed = await app.inject({
      method: 'POST',
      url: '/v1/public/reports',
      payload: { url: 'https://Example.org/page#top', reason: 'csam', email: 'reporter@example.org' },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const { reference } = filed.json<{ reference: string }>();
    expect(reference).toMatch(/^WR-[0-9A-HJKMNP-TV-Z]{10}$/);
    const status = await app.inject({ method: 'GET', url: `/v1/public/reports/${reference}` });
    expect(status.json()).toMatchObject({ reference, status: 'received' });

    for (const [url, message] of [
      ['javascript:alert(1)', /Only http/],
      ['http://user:secret@example.org/', /credentials/],
      [`https://example.org/${'a'.repeat(2100)}`, /2048|maxLength|must NOT have more/],
    ] as const) {
      const refused = await app.inject({
        method: 'POST',
        url: '/v1/public/reports',
        payload: { url, reason: 'other' },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<{ error: { message: string } }>().error.message).toMatch(message);
    }
    // Rate-limited per client, counting every request (the limit is checked before the body is read, so
    // refused ones count too): the fifth within the hour (the limit is 4 here) is refused.
    const limited = await app.inject({
      method: 'POST',
      url: '/v1/public/reports',
      payload: { url: 'https://example.org/other', reason: 'other' },
    });
    expect(limited.statusCode).toBe(429);
  });

  it('signs people in with an HttpOnly cookie, demands the CSRF token for changes, and signs out', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { username: 'ana', password: 'not the password' },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.json<{ error: { message: string } }>().error.message).toBe('Wrong username or password.');

    const ana = await signIn('ana');
    const session = await ana('GET', '/v1/session');
    expect(session.json()).toMatchObject({
      user: { username: 'ana', role: 'analyst' },
      settings: { blur: true, greyscale: true, exposure_warning: 2 },
      exposure_today: 0,
    });
    const withoutCsrf = await app.inject({ method: 'POST', url: '/v1/cases/next', cookies: ana.cookies });
    expect(withoutCsrf.statusCode).toBe(403);
    expect((await ana('POST', '/v1/cases/next')).statusCode).toBe(204);
    // Settings stay within the admin's limits: blurring cannot be turned off by default.
    const unblurred = await ana('PATCH', '/v1/session/settings', { blur: false });
    expect(unblurred.statusCode).toBe(400);
    expect((await ana('DELETE', '/v1/session')).statusCode).toBe(204);
    expect((await ana('GET', '/v1/session')).statusCode).toBe(401);
    // Analysts cannot administer people; they change their own password, which ends their sessions.
    const ben = await signIn('ben');
    expect((await ben('GET', '/v1/users')).statusCode).toBe(403);
    const wrong = await ben('PUT', '/v1/session/password', {
      current_password: 'not it at all',
      new_password: 'a brand new passphrase',
    });
    expect(wrong.statusCode).toBe(403);
    const changed = await ben('PUT', '/v1/session/password', {
      current_password: password,
      new_password: 'a brand new passphrase',
    });
    expect(changed.statusCode).toBe(204);
    expect((await ben('GET', '/v1/session')).statusCode).toBe(401);
  });

  it('runs a platform upload through the queue: blurred views, audited reveals, two analysts, into the bank', async () => {
    const image = await syntheticImage(1);
    const { payload, headers } = multipart(image);
    const filed = await app.inject({
      method: 'POST',
      url: '/v1/reports?category=csam&reason=flagged%20by%20a%20moderator&reference=post-77',
      payload,
      headers: { ...headers, authorization: `Bearer ${platformKey}` },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const { case_id: caseId } = filed.json<{ case_id: number }>();

    const ana = await signIn('ana');
    const queue = (await ana('GET', '/v1/cases')).json<{ cases: { id: number; reasons: string[] }[] }>();
    expect(queue.cases[0]?.id).toBe(caseId);
    expect(queue.cases[0]?.reasons.join(' ')).toMatch(/csam/);
    const claimed = (await ana('POST', '/v1/cases/next')).json<{
      id: number;
      status: string;
      media: { sha256: string }[];
    }>();
    expect(claimed).toMatchObject({ id: caseId, status: 'in_review' });
    const sha256 = claimed.media[0]?.sha256 ?? '';

    const blurred = await ana('GET', `/v1/evidence/${sha256}?case_id=${caseId}`);
    expect(blurred.statusCode).toBe(200);
    expect(blurred.headers['content-type']).toBe('image/webp');
    expect(blurred.headers['cache-control']).toBe('private, no-store');
    const revealed = await ana('GET', `/v1/evidence/${sha256}?view=revealed&case_id=${caseId}`);
    expect(revealed.headers['x-exposure-today']).toBe('1');
    expect(revealed.rawPayload.equals(blurred.rawPayload)).toBe(false);
    // Evidence is shown only in a case that holds it.
    expect((await ana('GET', `/v1/evidence/${sha256}?case_id=${caseId + 1000}`)).statusCode).toBe(404);
    const reveals = await listAudit(database(), { action: 'evidence.reveal' });
    expect(reveals).toEqual([
      expect.objectContaining({
        actor: expect.stringMatching(/^user:\d+$/),
        target: `case:${caseId}`,
        details: { sha256, view: 'revealed' },
      }),
    ]);

    // Another analyst cannot take a case that is locked.
    const ben = await signIn('ben');
    expect((await ben('POST', `/v1/cases/${caseId}/claim`)).statusCode).toBe(409);

    const items = [{ sha256, verdict: 'confirmed' }];
    const confirmed = await ana('POST', `/v1/cases/${caseId}/decisions`, {
      kind: 'confirmed',
      category: 'csam',
      grade: 'B',
      reason: 'stand-in image matches the category',
      items,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'awaiting_agreement' });
    expect(await listBankEntries(database(), 'csam-standin')).toEqual([]);
    // Nobody agrees with themselves.
    await ana('POST', `/v1/cases/${caseId}/claim`);
    const selfAgreement = await ana('POST', `/v1/cases/${caseId}/decisions`, {
      kind: 'agree',
      reason: 'yes',
      items,
    });
    expect(selfAgreement.statusCode).toBe(409);
    await ana('POST', `/v1/cases/${caseId}/release`);

    expect((await ben('POST', `/v1/cases/${caseId}/claim`)).statusCode).toBe(200);
    // Ben has not revealed it in his claim: the server knows, whatever a client says.
    const unseen = await ben('POST', `/v1/cases/${caseId}/decisions`, { kind: 'agree', reason: 'ok', items });
    expect(unseen.statusCode).toBe(409);
    expect(unseen.json<{ error: { message: string } }>().error.message).toMatch(/Reveal each item/);
    await ben('GET', `/v1/evidence/${sha256}?view=revealed&case_id=${caseId}`);
    const agreed = await ben('POST', `/v1/cases/${caseId}/decisions`, {
      kind: 'agree',
      reason: 'agreed',
      items,
    });
    expect(agreed.json()).toMatchObject({ status: 'decided', outcome: 'confirmed', grade: 'B' });
    const entries = await listBankEntries(database(), 'csam-standin');
    expect(entries.map((entry) => entry.signalType).sort()).toEqual(['md5', 'pdq', 'sha256']);

    const search = (await ben('GET', `/v1/search?q=${sha256}`)).json<{ cases: { id: number }[] }>();
    expect(search.cases.map((found) => found.id)).toEqual([caseId]);
    const dashboard = (await ben('GET', '/v1/dashboard?days=7')).json<{
      confirmed: { category: string; grade: string; count: number }[];
      time_to_decision: { count: number };
    }>();
    expect(dashboard.confirmed).toEqual([{ category: 'csam', grade: 'B', count: 1 }]);
    expect(dashboard.time_to_decision.count).toBe(1);
  });

  it('publishes a page item by item through the API, for people only: keys bound to one person count once', async () => {
    // A page report with two images: the pipeline records what each matched (here set by hand).
    const filed = await app.inject({
      method: 'POST',
      url: '/v1/public/reports',
      payload: { url: 'https://example.org/gallery', reason: 'csam' },
    });
    const { reference } = filed.json<{ reference: string }>();
    const [report] = await database()
      .db.selectFrom('reports')
      .selectAll()
      .where('reference', '=', reference)
      .execute();
    const caseId = report?.case_id ?? 0;
    const images = [await syntheticImage(3), await syntheticImage(4)];
    const stored = await Promise.all(images.map((image) => services.evidence.put(database(), image)));
    await services.casework.attachMedia(
      report?.id ?? 0,
      stored.map((item, index) => ({ item, url: `https://example.org/${index}.png` })),
    );
    const [matched, unrelated] = stored.map((item) => item.sha256);
    const items = [
      { sha256: matched, verdict: 'confirmed', grade: 'A' },
      { sha256: unrelated, verdict: 'not_actionable' },
    ];
    const urls = [{ url: 'https://example.org/gallery', verdict: 'not_actionable' }];

    const ana = (
      await createUser(database(), { username: 'ana2', password, role: 'analyst' }, { exposureWarning: 2 })
    ).id;
    const keyOf = async (role: 'analyst' | 'supervisor', userId?: number) =>
      (await createApiKey(database(), { role, ...(userId === undefined ? {} : { userId }) })).key;
    const call = (key: string) => (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}` },
        ...(payload === undefined ? {} : { payload }),
      });
    const machine = call(await keyOf('analyst'));
    const anaFirst = call(await keyOf('analyst', ana));
    const anaSecond = call(await keyOf('supervisor', ana));

    // A key of no one may look and reveal, but not publish.
    expect((await machine('POST', `/v1/cases/${caseId}/claim`)).statusCode).toBe(200);
    await machine('GET', `/v1/evidence/${matched}?view=revealed&case_id=${caseId}`);
    const decision = { kind: 'confirmed', category: 'csam', reason: 'the first image', items, urls };
    const refused = await machine('POST', `/v1/cases/${caseId}/decisions`, decision);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/--user NAME/);
    expect((await machine('POST', `/v1/cases/${caseId}/release`)).statusCode).toBe(204);

    // Ana's key acts as Ana: the case and the reveal are hers.
    const claimed = (await anaFirst('POST', `/v1/cases/${caseId}/claim`)).json<{
      locked_by: string;
      media: { sha256: string; matches: unknown[] }[];
      urls: { url: string }[];
    }>();
    expect(claimed.locked_by).toBe(`user:${ana}`);
    expect(claimed.urls).toEqual([
      { url: 'https://example.org/gallery', reported: 'https://example.org/gallery' },
    ]);
    await anaFirst('GET', `/v1/evidence/${matched}?view=revealed&case_id=${caseId}`);
    const heartbeat = await anaFirst('POST', `/v1/cases/${caseId}/heartbeat`);
    expect(heartbeat.json()).toMatchObject({ locked_by: `user:${ana}` });
    const proposed = await anaFirst('POST', `/v1/cases/${caseId}/decisions`, decision);
    expect(proposed.statusCode, proposed.body).toBe(200);
    expect(proposed.json()).toMatchObject({
      status: 'awaiting_agreement',
      pending: { actor: `user:${ana}`, items: [{ sha256: matched, grade: 'A' }], urls: [] },
      decisions: [
        {
          actor: `user:${ana}`,
          reveal_rule: true,
          evidence_seen: [
            { sha256: matched, revealed: true },
            { sha256: unrelated, revealed: false },
          ],
        },
      ],
    });
    // Her other key is still Ana: no agreement with herself, not even as a supervisor.
    expect((await anaSecond('POST', `/v1/cases/${caseId}/claim`)).statusCode).toBe(403);

    // Ben holds it: the supervisor finds nothing to claim and is told one case is held by others; she
    // releases his lock (audited); he takes it again and agrees to exactly the set.
    const sue = await signIn('sue');
    const ben = await signIn('ben');
    expect((await ben('POST', `/v1/cases/${caseId}/claim`)).statusCode).toBe(200);
    await ben('GET', `/v1/evidence/${matched}?view=revealed&case_id=${caseId}`);
    const empty = await sue('POST', '/v1/cases/next');
    expect(empty.statusCode).toBe(204);
    expect(empty.headers['x-held-by-others']).toBe('1');
    expect((await sue('GET', '/v1/cases')).json()).toMatchObject({ held_by_others: 1 });
    expect((await sue('POST', `/v1/cases/${caseId}/release`)).statusCode).toBe(204);
    expect((await ben('POST', `/v1/cases/${caseId}/heartbeat`)).statusCode).toBe(409);
    const releases = await listAudit(database(), { action: 'case.released' });
    expect(releases[0]).toMatchObject({
      details: { case_id: caseId, held_by: expect.stringMatching(/^user:/) },
    });
    expect((await ben('POST', `/v1/cases/${caseId}/claim`)).statusCode).toBe(200);
    const agreed = await ben('POST', `/v1/cases/${caseId}/decisions`, {
      kind: 'agree',
      reason: 'the first image only',
      items: [{ sha256: matched, verdict: 'confirmed' }],
    });
    expect(agreed.statusCode, agreed.body).toBe(200);
    expect(agreed.json()).toMatchObject({ status: 'decided', outcome: 'confirmed', grade: 'A' });
    const banked = (await listBankEntries(database(), 'csam-standin')).map((entry) => entry.signal);
    expect(banked).toContain(matched);
    expect(banked).not.toContain(unrelated);
    expect(banked).not.toContain(stored[1]?.pdq);
  });
});

// The HTTP API, in process (Fastify inject): every route, its errors, and every role boundary, on SQLite
// and, when DATABASE_URL is set, on PostgreSQL.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../src/auth/index.js';
import type { Role } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import { Worker, listJobs } from '../src/jobs/index.js';
import { buildApp, openServices } from '../src/server/index.js';
import type { App, Services } from '../src/server/index.js';
import { webhookHandlers } from '../src/webhooks/index.js';
import { describeEachEngine, expectedPdq, vectorPath } from './support/index.js';

const bridge = vectorPath('pdq/images/pdq-data/reg-test-input/dih/bridge-1-original.jpg');
const rotated = vectorPath('pdq/images/pdq-data/reg-test-input/dih/bridge-2-rotate-90.jpg');
const decoded = vectorPath('pdq/decoded/q0122.png');
const pdqA = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

/** A multipart/form-data body with one file. */
function multipart(
  field: string,
  file: string | Buffer,
  filename = 'upload.bin',
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----warden${Math.random().toString(16).slice(2)}`;
  const bytes = typeof file === 'string' ? readFileSync(file) : file;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** `hash` with its first `bits` bits flipped. */
function flip(hash: string, bits: number): string {
  const bytes = Buffer.from(hash, 'hex');
  for (let bit = 0; bit < bits; bit += 1) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
  return bytes.toString('hex');
}

describeEachEngine('HTTP API', (database) => {
  let services: Services & { close(): Promise<void> };
  let app: App;
  const keys = {} as Record<Role, string>;

  beforeEach(async () => {
    const config = loadConfig(
      {},
      { dataDir: '/nonexistent', maxImageBytes: 3_000_000, indexRefreshMs: 60_000, hashingThreads: 1 },
    );
    services = await openServices(config, pino({ level: 'silent' }), database());
    app = await buildApp(services);
    for (const role of ['admin', 'analyst', 'platform', 'member', 'law-enforcement'] as const) {
      keys[role] = (await createApiKey(database(), { role, name: `${role} key` })).key;
    }
  });
  afterEach(async () => {
    await app.close();
    await services.close();
  });

  const call = (
    role: Role | undefined,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    extra: object = {},
  ) =>
    app.inject({
      method,
      url,
      ...(role === undefined ? {} : { headers: { authorization: `Bearer ${keys[role]}` } }),
      ...(body === undefined ? {} : { payload: body as object }),
      ...extra,
    });
  const upload = (role: Role, url: string, field: string, file: string | Buffer) => {
    const { payload, headers } = multipart(field, file);
    return app.inject({
      method: 'POST',
      url,
      payload,
      headers: { ...headers, authorization: `Bearer ${keys[role]}` },
    });
  };
  const createBank = async (name: string, category: string) => {
    const response = await call('admin', 'POST', '/v1/banks', { name, category });
    expect(response.statusCode).toBe(201);
  };
  const addEntry = async (bank: string, signal: string, type = 'pdq') => {
    const response = await call('admin', 'POST', `/v1/banks/${bank}/entries`, { signal_type: type, signal });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: number }>();
  };

  it('answers health and serves its OpenAPI document and docs page without a key', async () => {
    const health = await call(undefined, 'GET', '/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', database: expect.any(String), index_size: 0 });
    const openapi = (await call(undefined, 'GET', '/openapi.json')).json<{
      paths: Record<string, Record<string, { responses?: object }>>;
    }>();
    for (const path of [
      '/v1/hash',
      '/v1/match',
      '/v1/banks',
      '/v1/banks/{name}/import',
      '/m/lookup',
      '/m/raw_lookup',
      '/h/hash',
      '/c/banks',
      '/v1/audit',
      '/v1/rules',
    ]) {
      expect(Object.keys(openapi.paths)).toContain(path);
    }
    for (const [path, operations] of Object.entries(openapi.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(
          operation.responses?.['200' as keyof object] ??
            operation.responses?.['201' as keyof object] ??
            operation.responses?.['204' as keyof object],
          `${method} ${path}`,
        ).toBeDefined();
      }
    }
    const docs = await call(undefined, 'GET', '/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/html/);
    const missing = await call('admin', 'GET', '/v1/nothing');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses missing, unknown and revoked keys, and keys of the wrong role', async () => {
    const none = await call(undefined, 'GET', '/v1/banks');
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({
      error: { code: 'unauthenticated', message: expect.stringContaining('Bearer') },
    });
    expect(
      (await app.inject({ method: 'GET', url: '/v1/banks', headers: { authorization: 'Bearer wdn_nope' } }))
        .statusCode,
    ).toBe(401);
    const { apiKey, key } = await createApiKey(database(), { role: 'admin' });
    await revokeApiKey(database(), apiKey.id);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/banks', headers: { authorization: `Bearer ${key}` } }))
        .statusCode,
    ).toBe(401);

    const boundaries: [Role, 'GET' | 'POST', string, number][] = [
      ['platform', 'GET', '/v1/banks', 403],
      ['member', 'POST', '/v1/match', 403],
      ['law-enforcement', 'GET', '/v1/banks', 403],
      ['analyst', 'GET', '/v1/audit', 403],
      ['platform', 'GET', '/v1/reports', 403],
      ['analyst', 'GET', '/v1/reports', 200],
      ['admin', 'GET', '/v1/audit', 200],
      ['member', 'GET', '/m/lookup?signal_type=pdq&signal=' + pdqA, 403],
      ['platform', 'GET', '/m/lookup?signal_type=pdq&signal=' + pdqA, 200],
      ['platform', 'GET', '/v1/rules', 403],
      ['platform', 'GET', '/v1/keys', 403],
      ['admin', 'GET', '/v1/keys', 200],
    ];
    for (const [role, method, url, status] of boundaries) {
      const response = await call(
        role,
        method,
        url,
        method === 'POST' ? { signals: [{ type: 'pdq', value: pdqA }] } : undefined,
      );
      expect(response.statusCode, `${role} ${method} ${url}`).toBe(status);
      if (status === 403)
        expect(response.json()).toMatchObject({
          error: { code: 'forbidden', message: expect.stringContaining(role) },
        });
    }
    const listed = (await call('admin', 'GET', '/v1/keys')).json<{ prefix: string; role: string }[]>();
    expect(JSON.stringify(listed)).not.toContain(keys.admin);
  });

  it('hashes an upload bit-exactly and explains corrupt, oversized and missing files', async () => {
    const hashed = await upload('platform', '/v1/hash', 'file', decoded);
    expect(hashed.statusCode).toBe(200);
    const expected = expectedPdq('full-resolution-pipeline.csv').find(
      (row) => row.file === 'decoded/q0122.png',
    );
    expect(hashed.json()).toMatchObject({
      pdq: expected?.hash,
      quality: expected?.quality,
      width: 256,
      height: 256,
    });

    const corrupt = await upload('platform', '/v1/hash', 'file', Buffer.from('this is not an image at all'));
    expect(corrupt.statusCode).toBe(422);
    expect(corrupt.json()).toMatchObject({
      error: { code: expect.stringMatching(/corrupt_media|unsupported_media/) },
    });
    const huge = await upload('platform', '/v1/hash', 'file', Buffer.alloc(3_500_000, 1));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: { code: 'too_large' } });
    const wrongField = await upload('platform', '/v1/hash', 'image', decoded);
    expect(wrongField.statusCode).toBe(400);
    expect(wrongField.json().error.message).toMatch(/field "file"/);
    const json = await call('platform', 'POST', '/v1/hash', { file: 'x' });
    expect(json.statusCode).toBe(400);
  });

  it('matches hashes and uploads, applies the rules, files reports and queues webhooks', async () => {
    await createBank('standin-csam', 'csam');
    await createBank('standin-other', 'other');
    const entry = await addEntry('standin-csam', pdqA);
    await addEntry('standin-other', flip(pdqA, 100));
    const hook = await call('admin', 'POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['match.verdict'],
    });
    expect(hook.statusCode).toBe(201);

    const blocked = await call('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: flip(pdqA, 5) }],
      quality: 90,
      reference: 'upload-1',
    });
    expect(blocked.statusCode).toBe(200);
    expect(blocked.json()).toMatchObject({
      verdict: 'block',
      rules: expect.arrayContaining(['block-known-csam']),
      report_id: expect.any(Number),
      low_quality: false,
      matches: [
        // No `signal`: a platform key never sees a bank entry's hash (test/bank-secrecy.test.ts).
        { bank: 'standin-csam', category: 'csam', signal_type: 'pdq', distance: 5, entry_id: entry.id },
      ],
    });
    const report = await call(
      'analyst',
      'GET',
      `/v1/reports/${blocked.json<{ report_id: number }>().report_id}`,
    );
    expect(report.json()).toMatchObject({
      source: 'match',
      verdict: 'block',
      platform_reference: 'upload-1',
    });
    const deliveries = await listJobs(database(), { kind: 'webhook.deliver' });
    expect(deliveries).toHaveLength(1);

    const lowQuality = await call('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: pdqA }],
      quality: 20,
    });
    expect(lowQuality.json()).toMatchObject({ verdict: 'review', low_quality: true });
    const other = await call('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: flip(pdqA, 100) }],
    });
    expect(other.json()).toMatchObject({
      verdict: 'review',
      matches: [{ bank: 'standin-other', distance: 0 }],
    });
    const none = await call('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: flip(pdqA, 60) }],
    });
    expect(none.json()).toEqual({
      verdict: 'allow',
      rules: [],
      low_quality: false,
      query: { pdq: flip(pdqA, 60) },
      matches: [],
      truncated: false,
    });
    const widened = await call('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: flip(pdqA, 40) }],
      threshold: 45,
    });
    expect(widened.json<{ matches: unknown[] }>().matches).toHaveLength(1);

    const badHash = await call('platform', 'POST', '/v1/match', { signals: [{ type: 'pdq', value: 'abc' }] });
    expect(badHash.statusCode).toBe(400);
    expect(badHash.json()).toMatchObject({
      error: { code: 'invalid_hash', message: expect.stringMatching(/64/) },
    });
    const badThreshold = await call('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: pdqA }],
      threshold: 999,
    });
    expect(badThreshold.statusCode).toBe(400);
    const noSignals = await call('platform', 'POST', '/v1/match', { signals: [] });
    expect(noSignals.statusCode).toBe(400);

    // An upload: the bank holds the original bridge; the rotated one matches only with dihedral lookup.
    const original = (await upload('platform', '/v1/hash', 'file', bridge)).json<{ pdq: string }>();
    const bridgeEntry = await addEntry('standin-csam', original.pdq);
    const exact = await upload('platform', '/v1/match', 'file', bridge);
    expect(exact.json()).toMatchObject({
      verdict: 'block',
      matches: [{ entry_id: bridgeEntry.id, distance: 0 }],
    });
    expect((await upload('platform', '/v1/match', 'file', rotated)).json()).toMatchObject({
      verdict: 'allow',
    });
    const turned = await upload('platform', '/v1/match?dihedral=true', 'file', rotated);
    expect(turned.json()).toMatchObject({
      verdict: 'block',
      matches: [{ entry_id: bridgeEntry.id, variant: expect.any(String) }],
    });
  });

  it('manages banks and entries over HTTP, with imports that write all or nothing', async () => {
    await createBank('standin', 'terrorism');
    expect(
      (await call('admin', 'POST', '/v1/banks', { name: 'standin', category: 'other' })).statusCode,
    ).toBe(409);
    expect(
      (await call('admin', 'POST', '/v1/banks', { name: 'bad name', category: 'other' })).statusCode,
    ).toBe(400);

    const entry = await addEntry('standin', pdqA);
    const matched = () => call('platform', 'POST', '/v1/match', { signals: [{ type: 'pdq', value: pdqA }] });
    expect((await matched()).json()).toMatchObject({ verdict: 'block' });
    expect(
      (await call('admin', 'PATCH', `/v1/entries/${entry.id}`, { enabled: false })).json(),
    ).toMatchObject({ enabled: false });
    expect((await matched()).json()).toMatchObject({ verdict: 'allow' });

    const csv = `signal_type,signal,note\npdq,${flip(pdqA, 3)},x\nmd5,${'a'.repeat(32)},\n`;
    const imported = await upload('admin', '/v1/banks/standin/import', 'file', Buffer.from(csv));
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toMatchObject({ entries: 2, added: 2, already_present: 0 });
    const bad = await upload(
      'admin',
      '/v1/banks/standin/import',
      'file',
      Buffer.from(`${pdqA}\nnot-a-hash\n`),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { code: 'invalid_import', details: { errors: [{ line: 2 }], errorCount: 1 } },
    });

    const exported = await call('admin', 'GET', '/v1/banks/standin/export?format=txt&signal_type=pdq');
    expect(exported.statusCode).toBe(200);
    expect(exported.body).toBe(`${flip(pdqA, 3)}\n`);
    const mixed = await call('admin', 'GET', '/v1/banks/standin/export?format=txt');
    expect(mixed.statusCode).toBe(400);
    expect((await call('admin', 'GET', '/v1/banks/standin/export')).headers['content-type']).toMatch(
      /text\/csv/,
    );

    const listed = (await call('admin', 'GET', '/v1/banks')).json<{ name: string; entries: number }[]>();
    expect(listed).toEqual([expect.objectContaining({ name: 'standin', entries: 2 })]);
    const renamed = await call('admin', 'PATCH', '/v1/banks/standin', { name: 'standin-2', enabled: false });
    expect(renamed.json()).toMatchObject({ name: 'standin-2', enabled: false });
    expect(
      (await call('admin', 'GET', '/v1/banks/standin-2/entries?include_disabled=true')).json(),
    ).toHaveLength(3);
    expect((await call('admin', 'DELETE', '/v1/banks/standin-2')).statusCode).toBe(204);
    expect((await call('admin', 'DELETE', '/v1/banks/standin-2')).statusCode).toBe(404);
  });

  it('speaks the HMA API', async () => {
    await createBank('STANDIN_BANK', 'csam');
    await addEntry('STANDIN_BANK', pdqA);
    const entry = await addEntry('STANDIN_BANK', 'b'.repeat(32), 'md5');
    expect(
      (await call('platform', 'GET', `/m/lookup?signal_type=pdq&signal=${flip(pdqA, 4)}`)).json(),
    ).toEqual(['STANDIN_BANK']);
    expect(
      (await call('platform', 'GET', `/m/lookup?signal_type=video_md5&signal=${'b'.repeat(32)}`)).json(),
    ).toEqual(['STANDIN_BANK']);
    expect(
      (await call('platform', 'GET', `/m/lookup?signal_type=pdq&signal=${flip(pdqA, 90)}`)).json(),
    ).toEqual([]);
    const raw = await call(
      'platform',
      'GET',
      `/m/raw_lookup?signal_type=video_md5&signal=${'b'.repeat(32)}&include_distance=true`,
    );
    expect(raw.json()).toEqual({ matches: [{ content_id: entry.id, distance: '0' }] });
    expect(
      (await call('platform', 'GET', `/m/raw_lookup?signal_type=video_md5&signal=${'b'.repeat(32)}`)).json(),
    ).toEqual({ matches: [entry.id] });
    expect((await call('platform', 'GET', '/m/lookup?signal_type=pdq&signal=zz')).statusCode).toBe(400);
    expect((await call('platform', 'GET', `/m/lookup?signal_type=tmk&signal=${pdqA}`)).statusCode).toBe(400);
    const hashed = await upload('platform', '/h/hash', 'photo', decoded);
    expect(Object.keys(hashed.json())).toEqual(['pdq']);
    expect((await call('platform', 'GET', '/c/banks')).json()).toEqual([
      { name: 'STANDIN_BANK', matching_enabled_ratio: 1 },
    ]);
  });

  it('manages rules, and writes every mutating call and every action to the audit log', async () => {
    const rules = (await call('admin', 'GET', '/v1/rules')).json<{ id: number; name: string }[]>();
    expect(rules.map((rule) => rule.name)).toEqual([
      'block-known-csam',
      'block-known-terrorism',
      'review-any-match',
    ]);
    const created = await call('admin', 'POST', '/v1/rules', {
      name: 'allow-other',
      category: 'other',
      max_distance: 10,
      min_quality: 0,
      verdict: 'allow',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: number }>().id;
    expect((await call('admin', 'PATCH', `/v1/rules/${id}`, { verdict: 'block' })).json()).toMatchObject({
      verdict: 'block',
    });
    expect(
      (
        await call('admin', 'POST', '/v1/rules', {
          name: 'x',
          category: 'other',
          max_distance: 10,
          min_quality: 0,
          verdict: 'maybe',
        })
      ).statusCode,
    ).toBe(400);
    expect((await call('admin', 'DELETE', `/v1/rules/${id}`)).statusCode).toBe(204);

    await createBank('standin', 'csam');
    await addEntry('standin', pdqA);
    await call('platform', 'POST', '/v1/match', { signals: [{ type: 'pdq', value: pdqA }] });
    const audit = (await call('admin', 'GET', '/v1/audit?limit=100')).json<
      { actor: string; action: string; source_ip: string }[]
    >();
    const actions = audit.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'POST /v1/rules',
        'PATCH /v1/rules/:id',
        'DELETE /v1/rules/:id',
        'POST /v1/banks',
        'match.action',
      ]),
    );
    expect(audit.find((entry) => entry.action === 'match.action')?.actor).toMatch(/^key:\d+$/);
    expect(audit.every((entry) => entry.source_ip !== '')).toBe(true);
    expect(actions).not.toContain('POST /v1/match');
  });

  it('manages webhooks over HTTP and shows dead deliveries for a person to retry', async () => {
    const created = await call('admin', 'POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['match.verdict'],
    });
    expect(created.statusCode).toBe(201);
    const hook = created.json<{ id: number; secret: string }>();
    expect(hook.secret.length).toBeGreaterThan(30);
    expect(JSON.stringify((await call('admin', 'GET', '/v1/webhooks')).json())).not.toContain(hook.secret);
    expect(
      (await call('admin', 'POST', '/v1/webhooks', { url: 'ftp://example.org/x', events: ['*'] })).statusCode,
    ).toBe(400);
    expect(
      (await call('admin', 'POST', '/v1/webhooks', { url: 'http://u:p@example.org/x', events: ['*'] }))
        .statusCode,
    ).toBe(400);
    expect((await call('analyst', 'GET', '/v1/webhooks')).statusCode).toBe(403);

    await createBank('standin', 'csam');
    await addEntry('standin', pdqA);
    // Each call another image: a repeat of one image adds an occurrence to its report, and no event.
    let sent = 0;
    const match = () => {
      sent += 1;
      // A hash a few bits from the bank's: still a match, but another image.
      const near = `${pdqA.slice(0, 63)}${((parseInt(pdqA.slice(63), 16) + sent) % 16).toString(16)}`;
      return call('platform', 'POST', '/v1/match', { signals: [{ type: 'pdq', value: near }] });
    };
    expect(
      (await call('admin', 'PATCH', `/v1/webhooks/${hook.id}`, { enabled: false })).json(),
    ).toMatchObject({ enabled: false });
    await match();
    expect((await call('admin', 'GET', '/v1/webhook-deliveries')).json()).toEqual([]);
    await call('admin', 'PATCH', `/v1/webhooks/${hook.id}`, { enabled: true });
    await match();
    const [pending] = (await call('admin', 'GET', '/v1/webhook-deliveries')).json<
      { id: number; status: string; event_type: string }[]
    >();
    expect(pending).toMatchObject({ status: 'pending', event_type: 'match.verdict', webhook_id: hook.id });

    // Nothing listens on port 9: with one attempt allowed, the delivery goes dead and says why.
    const worker = new Worker(database(), {
      concurrency: 1,
      leaseMs: 5000,
      pollMs: 50,
      handlers: webhookHandlers({
        networkAllow: ['127.0.0.1'],
        webhookTimeoutMs: 2000,
        webhookMaxAttempts: 1,
      }),
      onError: () => undefined,
    });
    const stop = new AbortController();
    const running = worker.run(stop.signal);
    await expect
      .poll(
        async () =>
          (await call('admin', 'GET', '/v1/webhook-deliveries?status=dead')).json<unknown[]>().length,
        { timeout: 10_000 },
      )
      .toBe(1);
    stop.abort();
    await running;
    const [dead] = (await call('admin', 'GET', '/v1/webhook-deliveries?status=dead')).json<
      { id: number; last_error: string }[]
    >();
    expect(dead?.last_error).not.toBe('');
    const retried = await call('admin', 'POST', `/v1/webhook-deliveries/${dead?.id}/retry`);
    expect(retried.json()).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await call('admin', 'POST', '/v1/webhook-deliveries/999999/retry')).statusCode).toBe(404);

    expect((await call('admin', 'DELETE', `/v1/webhooks/${hook.id}`)).statusCode).toBe(204);
    expect((await call('admin', 'DELETE', `/v1/webhooks/${hook.id}`)).statusCode).toBe(404);
  });

  it('lists and revokes keys over HTTP, and lists the reports that rules filed', async () => {
    const keysListed = (await call('admin', 'GET', '/v1/keys')).json<
      { id: number; role: string; revoked_at: string | null }[]
    >();
    const member = keysListed.find((key) => key.role === 'member');
    const revoked = await call('admin', 'DELETE', `/v1/keys/${member?.id}`);
    expect(revoked.json()).toMatchObject({ role: 'member', revoked_at: expect.any(String) });
    expect((await call('admin', 'DELETE', `/v1/keys/${member?.id}`)).statusCode).toBe(409);
    expect((await call('admin', 'DELETE', '/v1/keys/999999')).statusCode).toBe(404);

    await createBank('standin', 'terrorism');
    await addEntry('standin', pdqA);
    await call('platform', 'POST', '/v1/match', {
      signals: [{ type: 'pdq', value: pdqA }],
      reference: 'post-7',
    });
    const reports = (await call('analyst', 'GET', '/v1/reports?source=match')).json<
      { platform_reference: string; verdict: string }[]
    >();
    expect(reports).toEqual([
      expect.objectContaining({ platform_reference: 'post-7', verdict: 'block', source: 'match' }),
    ]);
    expect((await call('analyst', 'GET', '/v1/reports/999999')).statusCode).toBe(404);
  });

  it('limits each key to its rate and refuses oversized request bodies', async () => {
    const { key } = await createApiKey(database(), { role: 'platform', rateLimitPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push(
        (
          await app.inject({
            method: 'GET',
            url: `/m/lookup?signal_type=pdq&signal=${pdqA}`,
            headers: { authorization: `Bearer ${key}` },
          })
        ).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const big = await app.inject({
      method: 'POST',
      url: '/v1/match',
      headers: { authorization: `Bearer ${keys.platform}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        signals: [{ type: 'pdq', value: pdqA }],
        reference: 'x'.repeat(70 * 1024 * 1024),
      }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: { code: 'too_large' } });
  });
});

// Term blocking over the API, in process: a CSV term list imported into a text bank (all or nothing,
// with line numbers), checks of messages and search queries with spans in the text as sent, the
// deterrence message for a blocked search, export, and bank changes taking effect at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createApiKey } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import { buildApp, openServices } from '../src/server/index.js';
import type { App, Services } from '../src/server/index.js';
import { describeEachEngine } from './support/index.js';

const termList = [
  'term,category,severity,match,allow,note',
  'empty chair,harassment,4,word,,stand-in phrase',
  'kill yourself,harassment,5,word,,stand-in threat',
  'ass,harassment,2,substring,,stand-in insult (substring)',
  'class,harassment,,substring,true,allow-list',
  '"buy followers, cheap",spam,2,word,,a comma inside quotes',
].join('\n');

interface CheckJson {
  verdict: string;
  matches: { term: string; category: string; severity: number; start: number; end: number; text: string }[];
  deterrence?: { message: string; help_url: string };
}

describeEachEngine('text API', (database) => {
  let services: Services & { close(): Promise<void> };
  let app: App;
  let dataDir: string;
  let admin: string;
  let platform: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'warden-text-'));
    const config = loadConfig({}, { dataDir, indexRefreshMs: 60_000, hashingThreads: 1 });
    services = await openServices(config, pino({ level: 'silent' }), database());
    app = await buildApp(services);
    admin = (await createApiKey(database(), { role: 'admin' })).key;
    platform = (await createApiKey(database(), { role: 'platform' })).key;
  });
  afterEach(async () => {
    await app.close();
    await services.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const importCsv = (name: string, csv: string, key = admin) =>
    app.inject({
      method: 'POST',
      url: `/v1/banks/${name}/terms`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      payload: csv,
    });
  const check = async (text: string, extra: object = {}) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/text/check',
      headers: { authorization: `Bearer ${platform}` },
      payload: { text, ...extra },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<CheckJson>();
  };

  it('imports a term list and checks messages and searches against it, with spans in the text as sent', async () => {
    expect((await importCsv('standin-terms', termList, platform)).statusCode).toBe(403);
    const imported = await importCsv('standin-terms', termList);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({
      bank: 'standin-terms',
      created_bank: true,
      entries: 5,
      allow: 1,
    });

    const message = 'you should k1ll   y0ur$elf, says the E-M-P-T-Y chair';
    const result = await check(message);
    expect(result.verdict).toBe('block');
    expect(result.matches.map((match) => [match.term, message.slice(match.start, match.end)])).toEqual([
      ['kill yourself', 'k1ll   y0ur$elf'],
      ['empty chair', 'E-M-P-T-Y chair'],
    ]);
    expect(result.deterrence).toBeUndefined();

    // A lesser match is for review; the allow-list keeps "class" clean.
    expect(await check('what a smartass')).toMatchObject({ verdict: 'review' });
    expect(await check('a first class seat')).toEqual({ verdict: 'allow', matches: [] });

    // A blocked search gets the deterrence message and help link of its category (or the default).
    const search = await check('kill yourself', { mode: 'search' });
    expect(search.verdict).toBe('block');
    expect(search.deterrence?.message).toMatch(/blocked/);

    // Only the banks asked for; an unknown bank is a clear error.
    expect((await check('buy followers, cheap', { banks: ['standin-terms'] })).matches).toHaveLength(1);
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/text/check',
      headers: { authorization: `Bearer ${platform}` },
      payload: { text: 'hello', banks: ['no-such-bank'] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ error: { message: string } }>().error.message).toMatch(/no-such-bank/);
  });

  it('refuses a term list with bad rows as a whole, naming each line, and writes nothing', async () => {
    const bad = [
      'term,category,severity,match,regex',
      'fine term,harassment,3,word,',
      ',harassment,3,word,',
      'another,harassment,9,word,',
      'x,harassment,3,sometimes,',
      '(a)\\1,spam,3,word,true',
    ].join('\n');
    const response = await importCsv('standin-bad', bad);
    expect(response.statusCode).toBe(400);
    const message = response.json<{ error: { message: string } }>().error.message;
    for (const line of [3, 4, 5, 6]) expect(message).toContain(`line ${line}`);
    expect(message).toMatch(/nothing was written/i);
    const banks = await app.inject({
      method: 'GET',
      url: '/v1/banks',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(JSON.stringify(banks.json())).not.toContain('standin-bad');
    expect((await check('fine term')).verdict).toBe('allow');
  });

  it('exports what it imported, shows attributes on entries, and follows bank changes at once', async () => {
    await importCsv('standin-terms', termList);
    const exported = await app.inject({
      method: 'GET',
      url: '/v1/banks/standin-terms/terms',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(exported.headers['content-type']).toMatch(/text\/csv/);
    const again = await importCsv('standin-copy', exported.body);
    expect(again.json()).toMatchObject({ entries: 5, allow: 1 });

    const entries = await app.inject({
      method: 'GET',
      url: '/v1/banks/standin-terms/entries',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(entries.json()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          signal_type: 'term',
          signal: 'class',
          attributes: { severity: 3, language: '', match: 'substring', allow: true },
        }),
      ]),
    );
    // Disable both banks: nothing matches any more, without a restart.
    for (const name of ['standin-terms', 'standin-copy']) {
      const changed = await app.inject({
        method: 'PATCH',
        url: `/v1/banks/${name}`,
        headers: { authorization: `Bearer ${admin}` },
        payload: { enabled: false },
      });
      expect(changed.statusCode).toBe(200);
    }
    expect(await check('kill yourself')).toEqual({ verdict: 'allow', matches: [] });
  });
});

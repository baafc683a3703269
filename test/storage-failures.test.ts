// A database that fails under Warden, as an operator meets it: /health says so instead of "ok", the
// API answers 503 with the cause, and the `warden` command names the cause instead of "Internal error".
import { openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/auth/index.js';
import { openDatabase } from '../src/store/index.js';
import type { Database } from '../src/store/index.js';
import { describeEachEngine, runWarden, useTemporaryDirectory, useTestApp, warden } from './support/index.js';
import type { TestDatabase } from './support/index.js';

/**
 * The same data, refusing writes as a read-only file or a PostgreSQL standby does: SQLite's query_only
 * (the tests run as root, who may write any file), PostgreSQL's default_transaction_read_only.
 */
async function readOnly(database: TestDatabase): Promise<Database> {
  if (database.dialect === 'sqlite') {
    await sql`pragma query_only = 1`.execute(database.db);
    return database;
  }
  const url = new URL(database.environment.DATABASE_URL ?? '');
  url.searchParams.set('options', `${url.searchParams.get('options')} -c default_transaction_read_only=on`);
  return openDatabase({ dataDir: '', databaseUrl: url.toString() });
}

describeEachEngine('the HTTP API on a database that refuses writes', (database) => {
  const directory = useTemporaryDirectory();
  let refusing: Database | undefined;
  afterEach(async () => {
    if (refusing !== database()) await refusing?.close();
  });
  // Declared after: its app closes first (after-hooks run in reverse).
  const startApp = useTestApp();

  it('answers /health with 503 and the cause, and a write with 503 saying what failed', async () => {
    const { key } = await createApiKey(database(), { role: 'admin' });
    refusing = await readOnly(database());
    const app = await startApp(refusing, directory());

    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'database unavailable',
      problem: expect.stringMatching(/^The database cannot be written/),
    });
    const created = await app.inject({
      method: 'POST',
      url: '/v1/banks',
      headers: { authorization: `Bearer ${key}` },
      payload: { name: 'standin', category: 'csam' },
    });
    expect(created.statusCode).toBe(503);
    expect(created.json()).toMatchObject({
      error: { code: 'unavailable', message: expect.stringMatching(/^The database cannot be written/) },
    });
  });
});

describe('warden on a damaged SQLite file', () => {
  const directory = useTemporaryDirectory();

  /** Overwrites `length` bytes at `offset` of warden.db with garbage. */
  function damage(offset: number, length: number): void {
    const file = openSync(join(directory(), 'warden.db'), 'r+');
    writeSync(file, Buffer.alloc(length, 0xa5), 0, length, offset);
    closeSync(file);
  }

  it('names the damage and what to do, for a damaged table and for a file that is no database', async () => {
    const environment = { WARDEN_DATA_DIR: directory() };
    await warden(['bank', 'create', 'standin', '--category', 'csam'], environment);
    // Fold the write-ahead log into the file, then find where the banks table lives in it.
    const sqlite = new SqliteDatabase(join(directory(), 'warden.db'));
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = Number(sqlite.pragma('page_size', { simple: true }));
    const { rootpage } = sqlite.prepare("select rootpage from sqlite_master where name = 'banks'").get() as {
      rootpage: number;
    };
    sqlite.close();

    damage((rootpage - 1) * pageSize, pageSize);
    const listed = await runWarden(['bank', 'list'], environment);
    expect(listed.stderr).toMatch(
      /The database is damaged \(SQLITE_CORRUPT\w*: .*\)\. Stop Warden and restore/,
    );
    expect(listed.stderr).not.toContain('Internal error');
    expect(listed.code).toBe(2);

    damage(0, 100);
    const opened = await runWarden(['bank', 'list'], environment);
    expect(opened.stderr).toContain(
      `Cannot open the database ${join(directory(), 'warden.db')}: The database is damaged (SQLITE_NOTADB`,
    );
    expect(opened.code).toBe(2);
  });
});

// The database as an operator meets it: files created private, and failures of the storage itself
// (a damaged file, a full disk, a read-only database) reported with their cause.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { rejection, useTemporaryDirectory } from '../../test/support/index.js';
import { openDatabase } from './index.js';
import type { Schema } from './index.js';
import { StorageMonitor } from './storage-failures.js';

const auditRow = (actor = 'test') => ({
  at: new Date().toISOString(),
  actor,
  action: 'test.write',
  target: '',
  details: '{}',
  source_ip: '',
});

describe('the SQLite database files', () => {
  const directory = useTemporaryDirectory();

  it('are created readable by their owner only: data directory 0700, warden.db and its -wal and -shm 0600', async () => {
    const dataDir = join(directory(), 'data');
    const database = await openDatabase({ dataDir });
    try {
      await database.db.insertInto('audit_log').values(auditRow()).execute();
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const name of ['warden.db', 'warden.db-wal', 'warden.db-shm']) {
        expect({ name, mode: statSync(join(dataDir, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      }
    } finally {
      await database.close();
    }
  });
});

describe('a full disk [sqlite]', () => {
  const directory = useTemporaryDirectory();

  it('is reported until a write succeeds again; an idle database tries a write of its own after 30 s', async () => {
    await (await openDatabase({ dataDir: directory() })).close();
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const monitor = new StorageMonitor('sqlite', () => clock);
    const db = new Kysely<Schema>({
      dialect: monitor.watch(
        new SqliteDialect({ database: new SqliteDatabase(join(directory(), 'warden.db')) }),
      ),
    });
    try {
      // SQLite's page limit fails writes with the same SQLITE_FULL as a full disk.
      const pages = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]?.page_count;
      await sql.raw(`pragma max_page_count = ${pages}`).execute(db);
      const fill = async () => {
        for (let row = 0; row < 10_000; row += 1) {
          await db
            .insertInto('audit_log')
            .values(auditRow('x'.repeat(500)))
            .execute();
        }
      };
      const failed = await rejection(fill());
      expect(failed.message).toMatch(
        /the disk is full \(SQLITE_FULL: database or disk is full\)\. Free space/,
      );
      expect(await monitor.checkHealth(db)).toMatchObject({ ok: false, problem: failed.message });

      // Space comes back; within 30 s health still reports the failure, then proves a write itself.
      await sql`pragma max_page_count = 1073741823`.execute(db);
      clock += 29_000;
      expect(await monitor.checkHealth(db)).toMatchObject({ ok: false });
      clock += 1_000;
      expect(await monitor.checkHealth(db)).toEqual({ ok: true });

      // A write of the application's own that commits clears a failure at once.
      await sql.raw(`pragma max_page_count = ${pages}`).execute(db);
      await rejection(fill());
      expect(await monitor.checkHealth(db)).toMatchObject({ ok: false });
      await sql`pragma max_page_count = 1073741823`.execute(db);
      await db.transaction().execute((trx) => trx.insertInto('audit_log').values(auditRow()).execute());
      expect(await monitor.checkHealth(db)).toEqual({ ok: true });
    } finally {
      await db.destroy();
    }
  });
});

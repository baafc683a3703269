// The database as an operator meets it: files created private, and failures of the storage itself
// (a damaged file, a full disk, a read-only database) reported with their cause.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTemporaryDirectory } from '../../test/support/index.js';
import { openDatabase } from './index.js';

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

function auditRow() {
  return {
    at: new Date().toISOString(),
    actor: 'test',
    action: 'test.write',
    target: '',
    details: '{}',
    source_ip: '',
  };
}

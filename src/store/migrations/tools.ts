// What every migration may use: the dialect, the id column type and a table with it, and append-only
// tables.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.js';

export interface MigrationTools {
  dialect: Dialect;
  /** SQLite's rowid alias versus PostgreSQL's identity column; both yield increasing integer ids. */
  id: 'integer' | 'bigint';
  /** A new table with an increasing integer id as its key. */
  idColumn: (db: Kysely<unknown>, table: string) => ReturnType<typeof createWithId>;
  appendOnly: (db: Kysely<unknown>, dialect: Dialect, table: string) => Promise<void>;
}

function createWithId(db: Kysely<unknown>, dialect: Dialect, table: string) {
  return db.schema
    .createTable(table)
    .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigint', (column) =>
      dialect === 'sqlite'
        ? column.primaryKey().autoIncrement()
        : column.primaryKey().generatedByDefaultAsIdentity(),
    );
}

export function migrationTools(dialect: Dialect): MigrationTools {
  return {
    dialect,
    id: dialect === 'sqlite' ? 'integer' : 'bigint',
    idColumn: (db, table) => createWithId(db, dialect, table),
    appendOnly,
  };
}

/** Makes a table append-only: the database itself refuses updates and deletes. */
async function appendOnly(db: Kysely<unknown>, dialect: Dialect, table: string): Promise<void> {
  const message = `${table} is append-only`;
  if (dialect === 'sqlite') {
    for (const operation of ['update', 'delete']) {
      await sql
        .raw(
          `create trigger ${table}_no_${operation} before ${operation} on ${table} begin select raise(abort, '${message}'); end`,
        )
        .execute(db);
    }
    return;
  }
  await sql
    .raw(
      `create function ${table}_append_only() returns trigger language plpgsql as $$ begin raise exception '${message}'; end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger ${table}_append_only before update or delete on ${table} for each row execute function ${table}_append_only()`,
    )
    .execute(db);
}

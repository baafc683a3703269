// Schema migrations, run on every start. Kysely's migrator takes a lock, so several processes starting
// at once against one PostgreSQL database migrate it exactly once.
import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from './database.js';

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

export function migrations(dialect: Dialect): Record<string, Migration> {
  // SQLite's rowid alias versus PostgreSQL's identity column; both yield increasing integer ids.
  const id = dialect === 'sqlite' ? ('integer' as const) : ('bigint' as const);
  const idColumn = (db: Kysely<unknown>, table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', id, (column) =>
        dialect === 'sqlite'
          ? column.primaryKey().autoIncrement()
          : column.primaryKey().generatedByDefaultAsIdentity(),
      );

  return {
    '0001_banks': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('counters')
          .addColumn('name', 'text', (column) => column.primaryKey())
          .addColumn('value', 'bigint', (column) => column.notNull())
          .execute();
        await db
          .insertInto('counters' as never)
          .values({ name: 'bank_revision', value: 0 })
          .execute();

        await idColumn(db, 'banks')
          .addColumn('name', 'text', (column) => column.notNull().unique())
          .addColumn('category', 'text', (column) => column.notNull())
          .addColumn('source', 'text', (column) => column.notNull())
          .addColumn('description', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1))
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('updated_at', 'text', (column) => column.notNull())
          .addColumn('revision', 'bigint', (column) => column.notNull())
          .execute();

        await idColumn(db, 'bank_entries')
          .addColumn('bank_id', id, (column) => column.notNull().references('banks.id').onDelete('cascade'))
          .addColumn('signal_type', 'text', (column) => column.notNull())
          .addColumn('value', 'text', (column) => column.notNull())
          .addColumn('category', 'text', (column) => column.notNull())
          .addColumn('source', 'text', (column) => column.notNull())
          .addColumn('note', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('external_id', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('added_at', 'text', (column) => column.notNull())
          .addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1))
          .addColumn('revision', 'bigint', (column) => column.notNull())
          // Signal first: the one index serves both uniqueness within a bank and exact lookups across banks.
          .addUniqueConstraint('bank_entries_signal_unique', ['signal_type', 'value', 'bank_id'])
          .execute();
        await db.schema
          .createIndex('bank_entries_by_revision')
          .on('bank_entries')
          .columns(['revision', 'id'])
          .execute();
        if (dialect === 'postgres') await sql`analyze`.execute(db);
      },
    },

    '0002_service': {
      async up(db: Kysely<unknown>) {
        await idColumn(db, 'api_keys')
          .addColumn('name', 'text', (column) => column.notNull())
          .addColumn('role', 'text', (column) => column.notNull())
          .addColumn('key_hash', 'text', (column) => column.notNull().unique())
          .addColumn('key_prefix', 'text', (column) => column.notNull())
          .addColumn('rate_limit_per_minute', 'integer')
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('revoked_at', 'text')
          .execute();

        await idColumn(db, 'audit_log')
          .addColumn('at', 'text', (column) => column.notNull())
          .addColumn('actor', 'text', (column) => column.notNull())
          .addColumn('action', 'text', (column) => column.notNull())
          .addColumn('target', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('details', 'text', (column) => column.notNull().defaultTo('{}'))
          .addColumn('source_ip', 'text', (column) => column.notNull().defaultTo(''))
          .execute();
        await db.schema
          .createIndex('audit_log_by_action')
          .on('audit_log')
          .columns(['action', 'id'])
          .execute();
        await appendOnly(db, dialect, 'audit_log');

        await idColumn(db, 'jobs')
          .addColumn('kind', 'text', (column) => column.notNull())
          .addColumn('payload', 'text', (column) => column.notNull())
          .addColumn('status', 'text', (column) => column.notNull())
          .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('max_attempts', 'integer', (column) => column.notNull())
          .addColumn('run_at', 'text', (column) => column.notNull())
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text')
          .addColumn('last_error', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('dedupe_key', 'text', (column) => column.unique())
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('updated_at', 'text', (column) => column.notNull())
          .addColumn('finished_at', 'text')
          .execute();
        await db.schema.createIndex('jobs_ready').on('jobs').columns(['status', 'run_at']).execute();
        await db.schema.createIndex('jobs_by_kind').on('jobs').columns(['kind', 'status', 'id']).execute();

        await idColumn(db, 'rules')
          .addColumn('name', 'text', (column) => column.notNull().unique())
          .addColumn('category', 'text', (column) => column.notNull())
          .addColumn('max_distance', 'integer', (column) => column.notNull())
          .addColumn('min_quality', 'integer', (column) => column.notNull())
          .addColumn('verdict', 'text', (column) => column.notNull())
          .addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1))
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('updated_at', 'text', (column) => column.notNull())
          .execute();

        await idColumn(db, 'reports')
          .addColumn('source', 'text', (column) => column.notNull())
          .addColumn('status', 'text', (column) => column.notNull())
          .addColumn('verdict', 'text', (column) => column.notNull())
          .addColumn('content', 'text', (column) => column.notNull())
          .addColumn('matches', 'text', (column) => column.notNull())
          .addColumn('reporter', 'text', (column) => column.notNull())
          .addColumn('platform_reference', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('created_at', 'text', (column) => column.notNull())
          .execute();
        await db.schema.createIndex('reports_by_status').on('reports').columns(['status', 'id']).execute();

        await idColumn(db, 'webhooks')
          .addColumn('url', 'text', (column) => column.notNull())
          .addColumn('secret', 'text', (column) => column.notNull())
          .addColumn('events', 'text', (column) => column.notNull())
          .addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1))
          .addColumn('created_at', 'text', (column) => column.notNull())
          .execute();
      },
    },
  };
}

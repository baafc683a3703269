// Schema migrations, run on every start. Kysely's migrator takes a lock, so several processes starting
// at once against one PostgreSQL database migrate it exactly once.
import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from './database.js';

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
          .values({ name: 'bank_revision', value: 0 } as never)
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
          .addUniqueConstraint('bank_entries_signal_unique', ['bank_id', 'signal_type', 'value'])
          .execute();
        await db.schema
          .createIndex('bank_entries_by_signal')
          .on('bank_entries')
          .columns(['signal_type', 'value'])
          .execute();
        await db.schema
          .createIndex('bank_entries_by_revision')
          .on('bank_entries')
          .columns(['revision', 'id'])
          .execute();
        if (dialect === 'postgres') await sql`analyze`.execute(db);
      },
    },
  };
}

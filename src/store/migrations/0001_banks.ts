import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(db: Kysely<unknown>, { dialect, id, idColumn }: MigrationTools): Promise<void> {
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
}

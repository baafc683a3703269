import type { Kysely } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(db: Kysely<unknown>, _tools: MigrationTools): Promise<void> {
  // Term and regex entries (text banks) carry what a hash does not: severity, language, whole-word
  // or substring matching, and whether the entry allows rather than blocks (JSON object).
  await db.schema
    .alterTable('bank_entries')
    .addColumn('attributes', 'text', (column) => column.notNull().defaultTo('{}'))
    .execute();
}

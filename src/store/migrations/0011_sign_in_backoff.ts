import type { Kysely } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(db: Kysely<unknown>, _tools: MigrationTools): Promise<void> {
  // Sign-in attempts per username and per address, so that guessing slows down whichever the
  // guesser varies.
  await db.schema
    .createTable('sign_in_attempts')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('last_at', 'text', (column) => column.notNull())
    .addColumn('blocked_until', 'text', (column) => column.notNull())
    .execute();
}

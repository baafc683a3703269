import type { Kysely } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(db: Kysely<unknown>, { id }: MigrationTools): Promise<void> {
  // A key bound to a person acts as that person: the two-person rule counts people, not keys.
  await db.schema
    .alterTable('api_keys')
    .addColumn('user_id', id, (column) => column.references('users.id'))
    .execute();
}

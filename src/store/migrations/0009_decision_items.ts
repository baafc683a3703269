import type { Kysely } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(db: Kysely<unknown>, { id, idColumn }: MigrationTools): Promise<void> {
  // What each decision said item by item (JSON: the media and URLs it confirmed or set aside), and
  // whether the rule "reveal before you confirm" applied to it.
  for (const column of ['items', 'urls']) {
    await db.schema
      .alterTable('decisions')
      .addColumn(column, 'text', (builder) => builder.notNull().defaultTo('[]'))
      .execute();
  }
  await db.schema
    .alterTable('decisions')
    .addColumn('reveal_rule', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  // A claim is one person's run of holding a case: it survives their page reloads and ends when
  // someone else takes the case or a decision is made. Reveals are counted per claim.
  await db.schema
    .alterTable('cases')
    .addColumn('claim_seq', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('cases').addColumn('claim_actor', 'text').execute();
  await idColumn(db, 'case_reveals')
    .addColumn('case_id', id, (column) => column.notNull().references('cases.id'))
    .addColumn('claim_seq', 'integer', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('sha256', 'text', (column) => column.notNull())
    .addColumn('revealed_at', 'text', (column) => column.notNull())
    .addUniqueConstraint('case_reveals_unique', ['case_id', 'claim_seq', 'actor', 'sha256'])
    .execute();
}

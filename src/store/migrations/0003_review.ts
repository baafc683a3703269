import type { Kysely } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(
  db: Kysely<unknown>,
  { dialect, id, idColumn, appendOnly }: MigrationTools,
): Promise<void> {
  // People who sign in to the console. API keys stay for machines; both become principals.
  await idColumn(db, 'users')
    .addColumn('username', 'text', (column) => column.notNull().unique())
    .addColumn('display_name', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('password_hash', 'text', (column) => column.notNull())
    .addColumn('settings', 'text', (column) => column.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('disabled_at', 'text')
    .execute();
  await idColumn(db, 'sessions')
    .addColumn('token_hash', 'text', (column) => column.notNull().unique())
    .addColumn('user_id', id, (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .addColumn('last_seen_at', 'text', (column) => column.notNull())
    .addColumn('source_ip', 'text', (column) => column.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('sessions_by_user').on('sessions').columns(['user_id']).execute();
  await db.schema
    .createTable('settings')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();

  // Evidence: one row per stored blob (content-addressed, encrypted on disk).
  await db.schema
    .createTable('evidence')
    .addColumn('sha256', 'text', (column) => column.primaryKey())
    .addColumn('md5', 'text', (column) => column.notNull())
    .addColumn('pdq', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('quality', 'integer')
    .addColumn('mime', 'text', (column) => column.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('size_bytes', 'bigint', (column) => column.notNull())
    .addColumn('stored_at', 'text', (column) => column.notNull())
    .execute();

  await idColumn(db, 'cases')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('category', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('grade', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('outcome', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('priority', 'integer', (column) => column.notNull())
    .addColumn('known_match', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('match_summary', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('severity', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('report_count', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('first_reported_at', 'text', (column) => column.notNull())
    .addColumn('last_reported_at', 'text', (column) => column.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('pending', 'text')
    .addColumn('merged_into', id)
    .addColumn('decided_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  // The queue: open cases by priority, oldest first within a priority.
  await db.schema
    .createIndex('cases_queue')
    .on('cases')
    .columns(['status', 'priority desc', 'first_reported_at', 'id'])
    .execute();
  await db.schema.createIndex('cases_by_merged_into').on('cases').columns(['merged_into']).execute();
  await db.schema.createIndex('cases_by_decided_at').on('cases').columns(['decided_at']).execute();
  await idColumn(db, 'case_signals')
    .addColumn('case_id', id, (column) => column.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('signal_type', 'text', (column) => column.notNull())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    // One case per signal: reports about the same content join it.
    .addUniqueConstraint('case_signals_unique', ['signal_type', 'value'])
    .execute();
  await db.schema.createIndex('case_signals_by_case').on('case_signals').columns(['case_id']).execute();
  await idColumn(db, 'decisions')
    .addColumn('case_id', id, (column) => column.notNull().references('cases.id'))
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('category', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('grade', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('reason', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('bank', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('evidence_seen', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('decisions_by_case').on('decisions').columns(['case_id', 'id']).execute();
  await appendOnly(db, dialect, 'decisions');

  // Reports gain what intake needs: the case they joined, the public reference, the URL and the
  // content's own signals, and where the URL was hosted.
  const reportColumns: [string, 'text' | 'integer' | typeof id, string | number | null][] = [
    ['case_id', id, null],
    ['reference', 'text', null],
    ['url', 'text', ''],
    ['url_key', 'text', ''],
    ['reason', 'text', ''],
    ['category', 'text', ''],
    ['contact_email', 'text', null],
    ['pdq', 'text', ''],
    ['md5', 'text', ''],
    ['sha256', 'text', ''],
    ['quality', 'integer', null],
    ['host_address', 'text', ''],
    ['host_country', 'text', ''],
  ];
  for (const [name, type, fallback] of reportColumns) {
    await db.schema
      .alterTable('reports')
      .addColumn(name, type, (column) => (fallback === null ? column : column.notNull().defaultTo(fallback)))
      .execute();
  }
  await db.schema.createIndex('reports_by_case').on('reports').columns(['case_id']).execute();
  await db.schema.createIndex('reports_by_reference').on('reports').columns(['reference']).unique().execute();
  await db.schema.createIndex('reports_by_source').on('reports').columns(['source', 'id']).execute();
  await idColumn(db, 'report_media')
    .addColumn('report_id', id, (column) => column.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('sha256', 'text', (column) => column.notNull())
    .addColumn('url', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('report_media_by_report').on('report_media').columns(['report_id']).execute();
  await db.schema.createIndex('report_media_by_sha256').on('report_media').columns(['sha256']).execute();

  // A case's history reads the audit log by target.
  await db.schema.createIndex('audit_log_by_target').on('audit_log').columns(['target', 'id']).execute();
  // Daily exposure counts read the audit log by actor and time.
  await db.schema
    .createIndex('audit_log_by_actor')
    .on('audit_log')
    .columns(['actor', 'action', 'at'])
    .execute();
}

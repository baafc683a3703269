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
    '0003_review': {
      async up(db: Kysely<unknown>) {
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
            .addColumn(name, type, (column) =>
              fallback === null ? column : column.notNull().defaultTo(fallback),
            )
            .execute();
        }
        await db.schema.createIndex('reports_by_case').on('reports').columns(['case_id']).execute();
        await db.schema
          .createIndex('reports_by_reference')
          .on('reports')
          .columns(['reference'])
          .unique()
          .execute();
        await db.schema.createIndex('reports_by_source').on('reports').columns(['source', 'id']).execute();
        await idColumn(db, 'report_media')
          .addColumn('report_id', id, (column) =>
            column.notNull().references('reports.id').onDelete('cascade'),
          )
          .addColumn('sha256', 'text', (column) => column.notNull())
          .addColumn('url', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('created_at', 'text', (column) => column.notNull())
          .execute();
        await db.schema
          .createIndex('report_media_by_report')
          .on('report_media')
          .columns(['report_id'])
          .execute();
        await db.schema
          .createIndex('report_media_by_sha256')
          .on('report_media')
          .columns(['sha256'])
          .execute();

        // A case's history reads the audit log by target.
        await db.schema
          .createIndex('audit_log_by_target')
          .on('audit_log')
          .columns(['target', 'id'])
          .execute();
        // Daily exposure counts read the audit log by actor and time.
        await db.schema
          .createIndex('audit_log_by_actor')
          .on('audit_log')
          .columns(['actor', 'action', 'at'])
          .execute();
      },
    },
    '0004_crawl': {
      async up(db: Kysely<unknown>) {
        // A crawl: its seeds and options as given, where it stands, and running totals (updated in the
        // same transaction that finishes each URL, so they never disagree with the frontier).
        await idColumn(db, 'crawls')
          .addColumn('seeds', 'text', (column) => column.notNull())
          .addColumn('options', 'text', (column) => column.notNull())
          .addColumn('status', 'text', (column) => column.notNull())
          .addColumn('pages_fetched', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('pages_failed', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('media_fetched', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('media_failed', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('matches', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('reports_filed', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('created_by', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('updated_at', 'text', (column) => column.notNull())
          .execute();
        // The frontier: one row per normalised URL per crawl, claimed under a lease like a job.
        await idColumn(db, 'crawl_urls')
          .addColumn('crawl_id', id, (column) => column.notNull().references('crawls.id').onDelete('cascade'))
          .addColumn('url', 'text', (column) => column.notNull())
          .addColumn('host', 'text', (column) => column.notNull())
          .addColumn('depth', 'integer', (column) => column.notNull())
          .addColumn('status', 'text', (column) => column.notNull())
          .addColumn('priority', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'text', (column) => column.notNull())
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text')
          .addColumn('error', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('http_status', 'integer')
          .addColumn('final_url', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('discovered_from', 'text', (column) => column.notNull().defaultTo(''))
          .addColumn('fetched_at', 'text')
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addUniqueConstraint('crawl_urls_unique', ['crawl_id', 'url'])
          .execute();
        await db.schema
          .createIndex('crawl_urls_ready')
          .on('crawl_urls')
          .columns(['crawl_id', 'status', 'priority desc', 'id'])
          .execute();
        // Per host of a crawl: robots.txt as fetched, and when the next request may start (politeness
        // that survives a restart).
        await db.schema
          .createTable('crawl_hosts')
          .addColumn('crawl_id', id, (column) => column.notNull().references('crawls.id').onDelete('cascade'))
          .addColumn('host', 'text', (column) => column.notNull())
          .addColumn('robots_status', 'integer')
          .addColumn('robots_txt', 'text')
          .addColumn('robots_fetched_at', 'text')
          .addColumn('next_allowed_at', 'text', (column) => column.notNull())
          .addPrimaryKeyConstraint('crawl_hosts_key', ['crawl_id', 'host'])
          .execute();
        // What the crawler reported: one report per page and media, whatever crawl or restart finds it.
        await idColumn(db, 'crawl_findings')
          .addColumn('crawl_id', id, (column) => column.notNull().references('crawls.id').onDelete('cascade'))
          .addColumn('page_url', 'text', (column) => column.notNull())
          .addColumn('media_url', 'text', (column) => column.notNull())
          .addColumn('sha256', 'text', (column) => column.notNull())
          .addColumn('report_id', id)
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addUniqueConstraint('crawl_findings_unique', ['page_url', 'sha256'])
          .execute();
      },
    },
    '0005_crawl_intelligence': {
      async up(db: Kysely<unknown>) {
        // A crawl hunts (`crawl`) or revisits confirmed URLs (`recheck`).
        await db.schema
          .alterTable('crawls')
          .addColumn('mode', 'text', (column) => column.notNull().defaultTo('crawl'))
          .execute();
        // Why a URL has its priority, in words, and how many links away the nearest page with a match is.
        await db.schema
          .alterTable('crawl_urls')
          .addColumn('reason', 'text', (column) => column.notNull().defaultTo(''))
          .execute();
        await db.schema.alterTable('crawl_urls').addColumn('match_distance', 'integer').execute();
        // The crawl's recent rate (pages finished in the last minute).
        await db.schema
          .createIndex('crawl_urls_by_fetched_at')
          .on('crawl_urls')
          .columns(['crawl_id', 'fetched_at'])
          .execute();
        await db.schema
          .createIndex('crawl_urls_by_host')
          .on('crawl_urls')
          .columns(['crawl_id', 'host', 'status'])
          .execute();
        // Hosts with earlier matches, in any crawl, rank their pages higher.
        await db.schema
          .alterTable('crawl_findings')
          .addColumn('host', 'text', (column) => column.notNull().defaultTo(''))
          .execute();
        await db.schema
          .createIndex('crawl_findings_by_host')
          .on('crawl_findings')
          .columns(['host'])
          .execute();
        // Politeness is per host across every crawl and every process: the next time a request to the
        // host may start is reserved here, atomically. It replaces the per-crawl record.
        await db.schema
          .createTable('host_slots')
          .addColumn('host', 'text', (column) => column.primaryKey())
          .addColumn('next_allowed_at', 'text', (column) => column.notNull())
          .execute();
        await db.schema.alterTable('crawl_hosts').dropColumn('next_allowed_at').execute();
        // Confirmed URLs being watched: whether the content is still there, and since when it is not.
        await idColumn(db, 'watched_urls')
          .addColumn('case_id', id, (column) => column.notNull().references('cases.id'))
          .addColumn('url', 'text', (column) => column.notNull())
          // `page` (the media is looked for on it) or `media` (the file itself).
          .addColumn('kind', 'text', (column) => column.notNull())
          .addColumn('status', 'text', (column) => column.notNull().defaultTo('unchecked'))
          .addColumn('http_status', 'integer')
          .addColumn('last_checked_at', 'text')
          .addColumn('removed_at', 'text')
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addUniqueConstraint('watched_urls_unique', ['case_id', 'url'])
          .execute();
        // Every visit of a watched URL, append-only: the history a notice to the host can cite.
        await idColumn(db, 'url_checks')
          .addColumn('watched_url_id', id, (column) => column.notNull().references('watched_urls.id'))
          .addColumn('crawl_id', id, (column) => column.notNull())
          .addColumn('checked_at', 'text', (column) => column.notNull())
          .addColumn('status', 'text', (column) => column.notNull())
          .addColumn('http_status', 'integer')
          .addColumn('detail', 'text', (column) => column.notNull().defaultTo(''))
          // JSON: the hashes that still match the case, and the fetch's headers and address.
          .addColumn('evidence', 'text', (column) => column.notNull().defaultTo('{}'))
          .addUniqueConstraint('url_checks_unique', ['watched_url_id', 'crawl_id'])
          .execute();
        await appendOnly(db, dialect, 'url_checks');
        // Videos the crawler met, kept for video hashing (vPDQ) to fetch and match.
        await idColumn(db, 'crawl_videos')
          .addColumn('crawl_id', id, (column) => column.notNull().references('crawls.id').onDelete('cascade'))
          .addColumn('page_url', 'text', (column) => column.notNull())
          .addColumn('video_url', 'text', (column) => column.notNull())
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addUniqueConstraint('crawl_videos_unique', ['crawl_id', 'page_url', 'video_url'])
          .execute();
      },
    },
    '0006_text': {
      async up(db: Kysely<unknown>) {
        // Term and regex entries (text banks) carry what a hash does not: severity, language, whole-word
        // or substring matching, and whether the entry allows rather than blocks (JSON object).
        await db.schema
          .alterTable('bank_entries')
          .addColumn('attributes', 'text', (column) => column.notNull().defaultTo('{}'))
          .execute();
      },
    },
    '0007_crawl_admitted': {
      async up(db: Kysely<unknown>) {
        // URLs admitted to the frontier, kept with each admission: counting them cost a scan per page.
        await db.schema
          .alterTable('crawls')
          .addColumn('urls_admitted', 'integer', (column) => column.notNull().defaultTo(0))
          .execute();
        await sql`update crawls set urls_admitted = (select count(*) from crawl_urls where crawl_urls.crawl_id = crawls.id)`.execute(
          db,
        );
      },
    },
    '0008_content_pipeline': {
      async up(db: Kysely<unknown>) {
        // What each item matched, so an analyst decides item by item and only what was judged is banked.
        await db.schema
          .alterTable('report_media')
          .addColumn('matches', 'text', (column) => column.notNull().defaultTo('[]'))
          .execute();
        // A repeat of the same content from the same source adds an occurrence to the open report
        // instead of a report of its own: `repeat_key` names source, reporter and content.
        await db.schema
          .alterTable('reports')
          .addColumn('repeat_key', 'text', (column) => column.notNull().defaultTo(''))
          .execute();
        await db.schema
          .alterTable('reports')
          .addColumn('occurrences', 'integer', (column) => column.notNull().defaultTo(1))
          .execute();
        await db.schema
          .alterTable('reports')
          .addColumn('last_seen_at', 'text', (column) => column.notNull().defaultTo(''))
          .execute();
        // JSON: the platform references of the repeats (the first ones, bounded).
        await db.schema
          .alterTable('reports')
          .addColumn('occurrence_references', 'text', (column) => column.notNull().defaultTo('[]'))
          .execute();
        await sql`update reports set last_seen_at = created_at`.execute(db);
        await db.schema
          .createIndex('reports_repeat_key')
          .on('reports')
          .columns(['repeat_key', 'id'])
          .execute();
      },
    },
    '0009_decision_items': {
      async up(db: Kysely<unknown>) {
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
      },
    },
    '0010_person_keys': {
      async up(db: Kysely<unknown>) {
        // A key bound to a person acts as that person: the two-person rule counts people, not keys.
        await db.schema
          .alterTable('api_keys')
          .addColumn('user_id', id, (column) => column.references('users.id'))
          .execute();
      },
    },
    '0011_sign_in_backoff': {
      async up(db: Kysely<unknown>) {
        // Sign-in attempts per username and per address, so that guessing slows down whichever the
        // guesser varies.
        await db.schema
          .createTable('sign_in_attempts')
          .addColumn('key', 'text', (column) => column.primaryKey())
          .addColumn('attempts', 'integer', (column) => column.notNull())
          .addColumn('last_at', 'text', (column) => column.notNull())
          .addColumn('blocked_until', 'text', (column) => column.notNull())
          .execute();
      },
    },
  };
}

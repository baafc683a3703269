// Opens the one database: SQLite in the data directory by default, PostgreSQL when DATABASE_URL is set.
// Both run the same Kysely queries; the few differences live here and in migrations.ts.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';
import pg from 'pg';
import { WardenError } from '../errors/index.js';
import { migrations } from './migrations/index.js';
import { StorageMonitor } from './storage-failures.js';
import type { DatabaseHealth } from './storage-failures.js';
import type { Schema } from './schema.js';
import { GatedDialect, WriteGate, runLongSqliteWrite } from './write-gate.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<Schema>;
  readonly dialect: Dialect;
  /** Where the data lives, for messages: a file path or the PostgreSQL URL without its password. */
  readonly location: string;
  /**
   * Runs a long write (a bank import) in one transaction that other requests neither wait behind for reads
   * nor slip into: on SQLite on a connection of its own, with other writers queued (see write-gate.ts).
   * `work` must use only the handle it is given and should yield between batches.
   */
  longWrite<T>(work: (db: Kysely<Schema>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Whether the database takes writes (see StorageMonitor.checkHealth). */
  checkHealth(): Promise<DatabaseHealth>;
}

export interface DatabaseOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to use (created if absent); tests use one each. Default: the server's search_path. */
  postgresSchema?: string;
}

// PostgreSQL returns int8 as strings to protect precision; Warden's ids and counters stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.postgresSchema)
    : openSqlite(options.dataDir);
  try {
    await migrate(database, options.databaseUrl ? options.postgresSchema : undefined);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

function openSqlite(dataDir: string): Database {
  const file = join(dataDir, 'warden.db');
  let sqlite: SqliteDatabase.Database;
  try {
    // Private from the start: the database holds reports, accounts and audit. SQLite gives its -wal and
    // -shm files the database file's mode, so they are private too.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
    sqlite = new SqliteDatabase(file);
  } catch (error) {
    throw new WardenError(
      'configuration',
      `Cannot open the database ${file}: ${(error as Error).message}. Check that WARDEN_DATA_DIR is writable.`,
    );
  }
  const monitor = new StorageMonitor('sqlite');
  try {
    // WAL lets readers (the CLI) work while a server writes; the busy timeout rides out short write locks.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('foreign_keys = ON');
    // Bank imports insert millions of random hashes into B-tree indexes: the default 2 MB page cache
    // would turn that into disk traffic.
    sqlite.pragma('cache_size = -131072');
    sqlite.pragma('temp_store = MEMORY');
  } catch (error) {
    // A file that is not a database, or cannot be written, fails here first.
    sqlite.close();
    throw openingFailure(file, monitor.describe(error));
  }
  const gate = new WriteGate();
  const db = new Kysely<Schema>({
    dialect: monitor.watch(new GatedDialect({ database: keptStatements(sqlite) }, gate)),
  });
  return {
    db,
    dialect: 'sqlite',
    location: file,
    longWrite: (work) => runLongSqliteWrite(file, gate, work),
    close: () => db.destroy(),
    checkHealth: () => monitor.checkHealth(db),
  };
}

/**
 * Under Kysely, better-sqlite3 prepares every query anew, and preparing costs more than running most of
 * Warden's queries (a crawl spent an eighth of its time there). Statements are kept by their SQL text,
 * the thousand most recently used, and reused; one busy in an unfinished iteration is not shared.
 */
function keptStatements(sqlite: SqliteDatabase.Database): KyselySqliteDatabase {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      kept.clear();
      sqlite.close();
    },
    prepare: (text: string) => {
      let statement = kept.get(text);
      if (statement !== undefined) kept.delete(text);
      if (statement === undefined || statement.busy) statement = sqlite.prepare(text);
      kept.set(text, statement);
      if (kept.size > 1000) kept.delete(kept.keys().next().value ?? text);
      return statement;
    },
  };
}

async function openPostgres(url: string, schema: string | undefined): Promise<Database> {
  const location = redactPassword(url);
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new WardenError('configuration', `Invalid PostgreSQL schema name "${schema}".`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client that loses its connection must not take the process down.
  pool.on('error', () => undefined);
  const monitor = new StorageMonitor('postgres');
  const db = new Kysely<Schema>({ dialect: monitor.watch(new PostgresDialect({ pool })) });
  try {
    if (schema !== undefined) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    else await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw new WardenError(
      'unavailable',
      `Cannot connect to PostgreSQL at ${location}: ${(error as Error).message}. Check DATABASE_URL and that the server is running.`,
    );
  }
  return {
    db,
    dialect: 'postgres',
    location,
    longWrite: (work) => db.transaction().execute(work),
    close: () => db.destroy(),
    checkHealth: () => monitor.checkHealth(db),
  };
}

async function migrate(database: Database, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db: database.db,
    // Kysely looks for its own tables in every schema unless told which: name ours, so that databases
    // holding several Warden schemas (tests run one each) do not see each other's migration tables.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: () => Promise.resolve(migrations(database.dialect)) },
  });
  const { error, results } = await migrator.migrateToLatest();
  // A damaged or unwritable database fails here first: say that, not that a migration failed.
  if (error instanceof WardenError) throw openingFailure(database.location, error);
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new WardenError(
      'configuration',
      `Database migration ${failed} failed on ${database.location}: ${(error as Error).message}`,
    );
  }
}

/** A storage failure met while opening, with the database it concerns (the CLI's message names it). */
function openingFailure(location: string, error: unknown): unknown {
  return error instanceof WardenError
    ? new WardenError(error.code, `Cannot open the database ${location}: ${error.message}`)
    : error;
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/**
 * Whether a database error is a unique-constraint violation, on either engine (PostgreSQL's SQLSTATE
 * 23505, SQLite's SQLITE_CONSTRAINT_UNIQUE), so callers can answer with a conflict a person understands.
 */
export function isUniqueViolation(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = `${typeof code === 'string' ? code : ''} ${typeof message === 'string' ? message : ''}`;
  return (
    text.includes('23505') || text.includes('SQLITE_CONSTRAINT_UNIQUE') || text.includes('UNIQUE constraint')
  );
}

/** The current time as stored: ISO-8601 UTC with milliseconds, which sorts as text. */
export function now(): string {
  return new Date().toISOString();
}

/** A counter's value; undefined when it was never created. */
export async function readCounter(db: Kysely<Schema>, name: string): Promise<number | undefined> {
  const row = await db.selectFrom('counters').select('value').where('name', '=', name).executeTakeFirst();
  return row === undefined ? undefined : Number(row.value);
}

/**
 * Creates the counter `name` (at 1) if it does not exist yet, inside the caller's transaction; true when
 * this call created it. A once-only step (seeding defaults) is taken by whoever creates it.
 */
export async function claimCounter(trx: Kysely<Schema>, name: string): Promise<boolean> {
  const inserted = await trx
    .insertInto('counters')
    .values({ name, value: 1 })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/**
 * Takes the next bank revision inside a write transaction. The counter row stays locked until the
 * transaction commits, so revisions become visible in order and a reader following `revision > last`
 * never skips a change that commits late.
 */
export async function nextBankRevision(trx: Kysely<Schema>): Promise<number> {
  const row = await trx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', 'bank_revision')
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

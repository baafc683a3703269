// Failures of the storage itself (a damaged file, a full disk, a read-only database or file system, a
// database server out of reach), told apart from errors of one query (a duplicate, a violated
// constraint). They reach people as a WardenError that names the cause and what to do, instead of an
// opaque internal error, and the database remembers the last one so that /health says writes are
// failing rather than "ok" while every write fails.
import { sql } from 'kysely';
import type { DatabaseConnection, Dialect as KyselyDialect, Driver, Kysely, QueryResult } from 'kysely';
import { configEnvironment } from '../config/index.js';
import { WardenError } from '../errors/index.js';
import type { Dialect } from './database.js';
import type { Schema } from './schema.js';

export type DatabaseHealth = { ok: true } | { ok: false; problem: string; since: string };

/** After a failure, /health reports it for this long before trying a write of its own to see if it passed. */
const retryAfterMs = 30_000;
const healthProbe = 'health_probe';

export interface StorageFailure {
  /** What failed and what to do, as users see it. */
  message: string;
  /** When it was last seen (ISO-8601). */
  at: string;
}

type Kind = 'damaged' | 'full' | 'read-only' | 'input/output' | 'unreachable';

const sqliteKinds: [RegExp, Kind][] = [
  [/^SQLITE_(CORRUPT|NOTADB)/, 'damaged'],
  [/^SQLITE_FULL/, 'full'],
  [/^SQLITE_(READONLY|PERM|CANTOPEN)/, 'read-only'],
  [/^SQLITE_IOERR/, 'input/output'],
];
// SQLSTATE classes and codes (PostgreSQL appendix A), and the network errors of a lost server.
const postgresKinds: [RegExp, Kind][] = [
  [/^XX00[12]$/, 'damaged'],
  [/^53/, 'full'],
  [/^25006$/, 'read-only'],
  [/^58/, 'input/output'],
  [/^(08|57P0[1-3]$)|^E(CONNREFUSED|CONNRESET|TIMEDOUT|NOTFOUND|AI_AGAIN|PIPE)$/, 'unreachable'],
];

/** The kind of storage failure an error is, or undefined for an error of the query itself. */
function kindOf(error: unknown, dialect: Dialect): Kind | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    for (const [pattern, kind] of dialect === 'sqlite' ? sqliteKinds : postgresKinds) {
      if (pattern.test(code)) return kind;
    }
  }
  // node-postgres reports a connection that dropped mid-query without a code.
  if (dialect === 'postgres' && /Connection terminated/i.test((error as Error).message)) return 'unreachable';
  return undefined;
}

/** What failed, and what a person can do about it. */
function advice(kind: Kind, dialect: Dialect): [string, string] {
  const where =
    dialect === 'sqlite'
      ? `warden.db in ${configEnvironment.dataDir}`
      : `the PostgreSQL server at ${configEnvironment.databaseUrl}`;
  switch (kind) {
    case 'damaged':
      return ['The database is damaged', `Stop Warden and restore ${where} from a backup.`];
    case 'full':
      return ['The database cannot be written: the disk is full', `Free space for ${where}.`];
    case 'read-only':
      return dialect === 'sqlite'
        ? [
            'The database cannot be written: it is read-only',
            `Make warden.db, its -wal and -shm files and ${configEnvironment.dataDir} writable by Warden, on a file system mounted read-write.`,
          ]
        : [
            'The database cannot be written: PostgreSQL accepts only reads',
            `Point ${configEnvironment.databaseUrl} at the primary server, not a standby, or turn default_transaction_read_only off.`,
          ];
    case 'input/output':
      return ['The disk holding the database failed', `Check the disk and file system of ${where}.`];
    case 'unreachable':
      return [
        'The database server cannot be reached',
        `Check that PostgreSQL is running and ${configEnvironment.databaseUrl}.`,
      ];
  }
}

/**
 * Watches every statement a Kysely dialect runs: storage failures are rethrown as WardenError
 * 'unavailable' (the cause and what to do) and remembered until a write commits again.
 */
export class StorageMonitor {
  #failure: StorageFailure | undefined;
  readonly #dialect: Dialect;
  readonly #watched = new WeakSet<DatabaseConnection>();
  readonly #inTransaction = new WeakSet<DatabaseConnection>();

  readonly #now: () => number;

  constructor(dialect: Dialect, now: () => number = Date.now) {
    this.#dialect = dialect;
    this.#now = now;
  }

  /**
   * Whether the database takes writes. Healthy, it runs a write that changes nothing (a read-only
   * database refuses it: SQLite takes its write lock, PostgreSQL checks read-only before it looks for
   * rows). After a storage failure in any statement it is unhealthy until a write commits again; when
   * the failure is `retryAfterMs` old it writes a counter row itself, so that an idle server whose
   * disk has recovered says so.
   */
  async checkHealth(db: Kysely<Schema>): Promise<DatabaseHealth> {
    const failed = this.#failure;
    if (failed === undefined || this.#now() - Date.parse(failed.at) >= retryAfterMs) {
      try {
        if (failed === undefined) {
          await db
            .updateTable('counters')
            .set((eb) => ({ value: eb.ref('value') }))
            .where('name', '=', healthProbe)
            .where(sql<boolean>`1 = 0`)
            .execute();
        } else {
          await db
            .insertInto('counters')
            .values({ name: healthProbe, value: 1 })
            .onConflict((conflict) =>
              conflict.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })),
            )
            .execute();
        }
      } catch (error) {
        if (this.#failure === undefined) throw error;
      }
    }
    const failure = this.#failure;
    return failure === undefined ? { ok: true } : { ok: false, problem: failure.message, since: failure.at };
  }

  /** The dialect with every connection watched. */
  watch(dialect: KyselyDialect): KyselyDialect {
    return {
      createAdapter: () => dialect.createAdapter(),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createDriver: () => this.watchDriver(dialect.createDriver()),
    };
  }

  /** A storage failure as a WardenError saying what failed and what to do (and remembered); else `error`. */
  describe(error: unknown): unknown {
    if (error instanceof WardenError) return error;
    const kind = kindOf(error, this.#dialect);
    if (kind === undefined) return error;
    const { code, message } = error as { code?: unknown; message?: unknown };
    const cause = [code, message].filter((part) => typeof part === 'string' && part !== '').join(': ');
    const [what, todo] = advice(kind, this.#dialect);
    const failure = {
      message: `${what} (${cause}). ${todo}`,
      at: new Date(this.#now()).toISOString(),
    };
    this.#failure = failure;
    return new WardenError('unavailable', failure.message);
  }

  private rethrow(error: unknown): never {
    throw this.describe(error);
  }

  private watchDriver(driver: Driver): Driver {
    // Kysely itself watches connections this way (for its query log): the transaction statements
    // (begin, commit) run through the same executeQuery, so a commit that fails is seen too.
    const acquireConnection = async () => {
      const connection = await driver.acquireConnection().catch((error: unknown) => this.rethrow(error));
      if (!this.#watched.has(connection)) this.watchConnection(connection);
      return connection;
    };
    return {
      init: () => driver.init(),
      acquireConnection,
      beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
      commitTransaction: (connection) => driver.commitTransaction(connection),
      rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
      ...(driver.savepoint && { savepoint: driver.savepoint.bind(driver) }),
      ...(driver.rollbackToSavepoint && { rollbackToSavepoint: driver.rollbackToSavepoint.bind(driver) }),
      ...(driver.releaseSavepoint && { releaseSavepoint: driver.releaseSavepoint.bind(driver) }),
      releaseConnection: (connection) => driver.releaseConnection(connection),
      destroy: () => driver.destroy(),
    };
  }

  private watchConnection(connection: DatabaseConnection): void {
    this.#watched.add(connection);
    const executeQuery = connection.executeQuery.bind(connection);
    const streamQuery = connection.streamQuery.bind(connection);
    connection.executeQuery = async <R>(query: Parameters<typeof executeQuery>[0]) => {
      let result: QueryResult<R>;
      try {
        result = await executeQuery<R>(query);
      } catch (error) {
        if (/^\s*rollback\s*$/i.test(query.sql)) this.#inTransaction.delete(connection);
        return this.rethrow(error);
      }
      this.succeeded(connection, query.sql, result);
      return result;
    };
    const rethrow = (error: unknown) => this.rethrow(error);
    connection.streamQuery = async function* <R>(
      query: Parameters<typeof streamQuery>[0],
      chunkSize?: number,
    ): AsyncIterableIterator<QueryResult<R>> {
      try {
        yield* streamQuery<R>(query, chunkSize);
      } catch (error) {
        rethrow(error);
      }
    };
  }

  /** A write that reached the database clears the last failure: a commit, or a write on its own. */
  private succeeded(connection: DatabaseConnection, text: string, result: QueryResult<unknown>): void {
    const statement = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase();
    if (statement === 'begin' || statement === 'start') this.#inTransaction.add(connection);
    else if (statement === 'commit') {
      this.#inTransaction.delete(connection);
      this.#failure = undefined;
    } else if (statement === 'rollback' && !/^\s*rollback\s+to\b/i.test(text)) {
      this.#inTransaction.delete(connection);
    } else if (
      !this.#inTransaction.has(connection) &&
      (statement === 'insert' || statement === 'update' || statement === 'delete') &&
      (result.numAffectedRows ?? 0n) > 0n
    ) {
      this.#failure = undefined;
    }
  }
}

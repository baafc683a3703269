// Long writes on SQLite without freezing the server. SQLite has one writer at a time, and better-sqlite3
// runs every statement synchronously on the event loop, so a bank import of a million lines in one
// transaction on the server's connection would hold back every other query, reads included, until it
// commits. Instead such a write runs on a second connection of its own, in batches that yield to the event
// loop; reads on the main connection go on meanwhile (WAL gives them the last committed state), and main-
// connection writes (any statement but a select, and every transaction) wait for it asynchronously at a
// gate, so none fails with SQLITE_BUSY and none lands inside the long transaction.
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, TransactionSettings } from 'kysely';
import { WardenError } from '../errors/index.js';
import type { Schema } from './schema.js';

/** Main-connection writers share the gate; one long write at a time holds it alone. */
export class WriteGate {
  private writers = 0;
  private exclusive: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  async enter(): Promise<void> {
    while (this.exclusive !== undefined) await this.exclusive;
    this.writers++;
  }

  leave(): void {
    this.writers--;
    if (this.writers === 0) this.drained?.();
  }

  /** Waits for the writers inside to leave, keeps new ones out, and runs `work`. */
  async runExclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusive !== undefined) await this.exclusive;
    let open = () => undefined as void;
    this.exclusive = new Promise<void>((resolve) => (open = resolve));
    try {
      while (this.writers > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      return await work();
    } finally {
      this.drained = undefined;
      this.exclusive = undefined;
      open();
    }
  }
}

/** Wraps the main connection's driver so that writes pass the gate before they take the connection. */
export class GatedDialect extends SqliteDialect {
  constructor(
    config: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly gate: WriteGate,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new GatedDriver(super.createDriver(), this.gate);
  }
}

class GatedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly gate: WriteGate,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  // The connection is taken lazily: only its first statement says whether it must wait at the gate.
  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new GatedConnection(this.inner, this.gate));
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const gated = connection as GatedConnection;
    await this.inner.beginTransaction(await gated.take(true), settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.inner.commitTransaction(await (connection as GatedConnection).take(true));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.inner.rollbackTransaction(await (connection as GatedConnection).take(true));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await (connection as GatedConnection).release();
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

class GatedConnection implements DatabaseConnection {
  private connection: DatabaseConnection | undefined;
  private inside = false;

  constructor(
    private readonly driver: Driver,
    private readonly gate: WriteGate,
  ) {}

  async take(write: boolean): Promise<DatabaseConnection> {
    if (write && !this.inside) {
      await this.gate.enter();
      this.inside = true;
    }
    this.connection ??= await this.driver.acquireConnection();
    return this.connection;
  }

  async release(): Promise<void> {
    if (this.connection !== undefined) await this.driver.releaseConnection(this.connection);
    this.connection = undefined;
    if (this.inside) this.gate.leave();
    this.inside = false;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return (await this.take(writes(query))).executeQuery<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    yield* (await this.take(writes(query))).streamQuery<R>(query, chunkSize);
  }
}

function writes(query: CompiledQuery): boolean {
  return !/^\s*select\b/i.test(query.sql);
}

const beginRetryMs = 50;
const beginPatienceMs = 30_000;

/**
 * Runs `work` in one transaction on a connection of its own to the SQLite file, with the main connection's
 * writers held at the gate. `work` should yield between batches; it must use only the handle it is given.
 */
export async function runLongSqliteWrite<T>(
  file: string,
  gate: WriteGate,
  work: (db: Kysely<Schema>) => Promise<T>,
): Promise<T> {
  return gate.runExclusive(async () => {
    const connection = new SqliteDatabase(file);
    // No busy wait inside SQLite (it would block the event loop): another process holding the write lock
    // is waited for below, asynchronously.
    connection.pragma('busy_timeout = 0');
    connection.pragma('foreign_keys = ON');
    connection.pragma('cache_size = -131072');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: connection }) });
    try {
      await beginImmediate(db);
      try {
        const result = await work(db);
        await sql`commit`.execute(db);
        return result;
      } catch (error) {
        await sql`rollback`.execute(db);
        throw error;
      }
    } finally {
      await db.destroy();
    }
  });
}

async function beginImmediate(db: Kysely<Schema>): Promise<void> {
  for (let waited = 0; ; waited += beginRetryMs) {
    try {
      await sql`begin immediate`.execute(db);
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
      if (waited >= beginPatienceMs) {
        throw new WardenError(
          'unavailable',
          'Another process has been writing to the database for 30 seconds (a "warden" command?); try again when it is done.',
        );
      }
      await sleep(beginRetryMs);
    }
  }
}

// Shared test support: run storage tests on every database engine that is available, find the reference
// vectors in ../shared, run the `warden` binary, and set up casework.
export { vectorPath, wardenBinary, childEnvironment } from './paths.js';
export { expectedPdq, intermediateMatrix, intermediateSummary } from './vectors.js';
export type { ExpectedPdq } from './vectors.js';
export { runJobsUntilSettled } from './jobs.js';
export { recordReservedStarts, spacedStarts } from './host-slots.js';
export { startSmtpSink } from './smtp.js';
export type { SmtpSink, SmtpSinkOptions, ReceivedMail } from './smtp.js';
export { runWarden, warden } from './cli.js';
export { useTestApp } from './app.js';
export type { WardenRun } from './cli.js';
export {
  chromiumPath,
  describeInBrowser,
  freePort,
  openBrowser,
  startWarden,
  testOutput,
} from './browser.js';
export type { BrowserSession, WardenServer } from './browser.js';
export {
  alice,
  bob,
  carol,
  casework,
  confirmEverything,
  everyItem,
  flip,
  grades,
  hour,
  md5,
  minute,
  pdqA,
  rejection,
  revealAll,
  sha256,
  storedEvidence,
  testClock,
} from './casework.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe } from 'vitest';
import { openDatabase } from '../../src/store/index.js';
import type { Database } from '../../src/store/index.js';

/** Declares a fresh temporary directory for each test; call the returned function inside the test. */
export function useTemporaryDirectory(): () => string {
  let directory: string | undefined;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'warden-test-'));
  });
  afterEach(() => {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    directory = undefined;
  });
  return () => {
    if (directory === undefined) throw new Error('useTemporaryDirectory() must be called at describe level');
    return directory;
  };
}

export type Engine = 'sqlite' | 'postgres';

const postgresUrl = process.env.DATABASE_URL;
if (process.env.CI === 'true' && !postgresUrl) {
  throw new Error('CI must run the storage tests on PostgreSQL too: set DATABASE_URL (see .ci/run).');
}

export interface TestDatabase extends Database {
  /** A second, independent connection to the same data, as another process would have. */
  reopen(): Promise<Database>;
  /** Environment variables that point a `warden` process at the same data. */
  environment: Record<string, string>;
}

/** Opens an empty database of the given engine; PostgreSQL gets a schema of its own, dropped on close. */
export async function openTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'warden-db-'));
    const database = await openDatabase({ dataDir: directory });
    return {
      ...database,
      reopen: () => openDatabase({ dataDir: directory }),
      environment: { WARDEN_DATA_DIR: directory },
      close: async () => {
        await database.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const schema = `test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const options = { dataDir: '', databaseUrl: postgresUrl, postgresSchema: schema };
  const database = await openDatabase(options);
  return {
    ...database,
    reopen: () => openDatabase(options),
    environment: { DATABASE_URL: withSearchPath(postgresUrl ?? '', schema) },
    close: async () => {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    },
  };
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/**
 * Declares the same tests for SQLite and, when DATABASE_URL is set, for PostgreSQL. Outside CI, without
 * DATABASE_URL, the PostgreSQL run is skipped with a note saying how to enable it.
 */
export function describeEachEngine(
  title: string,
  body: (database: () => TestDatabase, engine: Engine) => void,
): void {
  for (const engine of ['sqlite', 'postgres'] as const) {
    if (engine === 'postgres' && !postgresUrl) {
      describe.skip(`${title} [postgres: set DATABASE_URL=postgres://… to run these on PostgreSQL]`, () => {
        body(() => {
          throw new Error('unreachable');
        }, engine);
      });
      continue;
    }
    describe(`${title} [${engine}]`, () => {
      let current: TestDatabase | undefined;
      beforeEach(async () => {
        current = await openTestDatabase(engine);
      });
      afterEach(async () => {
        await current?.close();
        current = undefined;
      });
      body(() => {
        if (current === undefined) throw new Error('database not open');
        return current;
      }, engine);
    });
  }
}
export { blockImage, startSyntheticWeb } from './synthetic-web.js';
export type { LoggedRequest, SyntheticWeb } from './synthetic-web.js';

// Schema migrations, run on every start, one file each. Kysely's migrator takes a lock, so several
// processes starting at once against one PostgreSQL database migrate it exactly once. A migration that
// has shipped is never edited: a change is a new file, added to the list below.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';
import * as m0001 from './0001_banks.js';
import * as m0002 from './0002_service.js';
import * as m0003 from './0003_review.js';
import * as m0004 from './0004_crawl.js';
import * as m0005 from './0005_crawl_intelligence.js';
import * as m0006 from './0006_text.js';
import * as m0007 from './0007_crawl_admitted.js';
import * as m0008 from './0008_content_pipeline.js';
import * as m0009 from './0009_decision_items.js';
import * as m0010 from './0010_person_keys.js';
import * as m0011 from './0011_sign_in_backoff.js';
import { migrationTools } from './tools.js';
import type { MigrationTools } from './tools.js';

const all: Record<string, { up(db: Kysely<unknown>, tools: MigrationTools): Promise<void> }> = {
  '0001_banks': m0001,
  '0002_service': m0002,
  '0003_review': m0003,
  '0004_crawl': m0004,
  '0005_crawl_intelligence': m0005,
  '0006_text': m0006,
  '0007_crawl_admitted': m0007,
  '0008_content_pipeline': m0008,
  '0009_decision_items': m0009,
  '0010_person_keys': m0010,
  '0011_sign_in_backoff': m0011,
};

export function migrations(dialect: Dialect): Record<string, Migration> {
  const tools = migrationTools(dialect);
  return Object.fromEntries(
    Object.entries(all).map(([name, migration]) => [
      name,
      { up: (db: Kysely<unknown>) => migration.up(db, tools) },
    ]),
  );
}

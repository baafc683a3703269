// The PDQ hashes of open and decided cases, in memory, so intake can find the case of a near-identical
// image in well under a millisecond. It follows case_signals by id before each lookup, so signals written
// by any process are seen; every hit is checked against the database, which also says which case holds
// the signal now (signals move when cases merge, and vanish with a case that was rolled back).
// Memory: 32 bytes and an id per PDQ signal.
import type { Kysely } from 'kysely';
import { pdqHashToBytes } from '../hashing/index.js';
import type { PdqHash } from '../hashing/index.js';
import { PdqIndex } from '../matching/index.js';
import type { Schema } from '../store/index.js';

const pageSize = 10_000;
// On PostgreSQL ids are handed out before commit, so a row may become visible after a row with a higher
// id; re-reading the last few ids each time catches those late commits (adding an id again is harmless).
const lookback = 256;

export class CasePdqIndex {
  private readonly index = PdqIndex.build([], new Uint8Array(0));
  private lastId = 0;

  /** Reads PDQ signals written since the last refresh. */
  async refresh(db: Kysely<Schema>): Promise<void> {
    let after = Math.max(0, this.lastId - lookback);
    for (;;) {
      const rows = await db
        .selectFrom('case_signals')
        .select(['id', 'value'])
        .where('id', '>', after)
        .where('signal_type', '=', 'pdq')
        .orderBy('id')
        .limit(pageSize)
        .execute();
      for (const row of rows) this.index.add(row.id, pdqHashToBytes(row.value as PdqHash));
      const last = rows[rows.length - 1];
      if (last !== undefined) this.lastId = Math.max(this.lastId, last.id);
      if (rows.length < pageSize) return;
      after = last?.id ?? after;
    }
  }

  /** The cases holding a PDQ signal within `threshold` of `pdq`, nearest first. */
  async casesNear(db: Kysely<Schema>, pdq: string, threshold: number): Promise<number[]> {
    await this.refresh(db);
    const neighbours = this.index.query(pdqHashToBytes(pdq as PdqHash), threshold);
    if (neighbours.length === 0) return [];
    const rows = await db
      .selectFrom('case_signals')
      .select(['id', 'case_id'])
      .where(
        'id',
        'in',
        neighbours.map((neighbour) => neighbour.entryId),
      )
      .execute();
    const caseBySignal = new Map(rows.map((row) => [row.id, row.case_id]));
    const cases: number[] = [];
    for (const neighbour of neighbours) {
      const caseId = caseBySignal.get(neighbour.entryId);
      // A signal not (or no longer, or not yet) visible is skipped, not forgotten: it may belong to a
      // transaction that commits later.
      if (caseId !== undefined && !cases.includes(caseId)) cases.push(caseId);
    }
    return cases;
  }
}

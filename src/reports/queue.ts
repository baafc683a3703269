// The review queue: which cases each reviewer sees, in priority order, and the locks that keep two
// analysts off one case. A claim lasts lockMs and is renewed by a heartbeat (or by claiming again); a
// lock that ran out is no lock anywhere. Claims are compare-and-set updates, so any number of processes can share the queue.
import type { ExpressionBuilder } from 'kysely';
import { sql } from 'kysely';
import { recordAudit } from '../audit/index.js';
import { WardenError } from '../errors/index.js';
import type { CaseStatus, Schema } from '../store/index.js';
import type { CaseworkContext, CaseRow, Db } from './context.js';
import { isSenior, lockHeld, openStatuses } from './context.js';
import { decodeCursor, encodeCursor } from './priority.js';
import type { CaseDetail, CaseLock, QueuePage, QueueQuery, Reviewer } from './types.js';
import { getCase, summarise } from './views.js';

const defaultLimit = 50;
const maxLimit = 200;
const allStatuses: readonly CaseStatus[] = [...openStatuses, 'decided', 'merged'];

type CasesExpression = ExpressionBuilder<Schema, 'cases'>;

/** The actor of the case's latest decision (the one that put it in its current state), '' if none. */
const latestDecider = sql<string>`coalesce((select d.actor from decisions d where d.case_id = cases.id order by d.id desc limit 1), '')`;

/**
 * What a reviewer may see: open cases, but escalated ones only to supervisors and admins, and not a
 * second opinion or an agreement to the analyst whose decision asked for it.
 */
function visibleTo(reviewer: Reviewer, status: CaseStatus | undefined, at: string) {
  return (eb: CasesExpression) => {
    const conditions = [];
    const statuses = (status === undefined ? [...openStatuses] : [status]).filter(
      (candidate) => candidate !== 'escalated' || isSenior(reviewer.role),
    );
    // An in_review case whose lock ran out is new again, for filtering as for display.
    const lapsed = eb.and([
      eb('status', '=', 'in_review'),
      eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]),
    ]);
    if (status === 'new') conditions.push(eb.or([eb('status', '=', 'new'), lapsed]));
    else if (status === 'in_review') conditions.push(eb('status', '=', 'in_review'), eb.not(lapsed));
    // A junior reviewer asking for escalated cases sees none.
    else if (statuses.length === 0) conditions.push(eb('id', '<', 0));
    else conditions.push(eb('status', 'in', statuses));
    conditions.push(
      eb.or([
        eb('status', 'not in', ['second_opinion', 'awaiting_agreement']),
        eb(latestDecider, '<>', reviewer.actor),
      ]),
    );
    return eb.and(conditions);
  };
}

export async function queue(
  context: CaseworkContext,
  reviewer: Reviewer,
  query: QueueQuery,
): Promise<QueuePage> {
  if (query.status !== undefined && !allStatuses.includes(query.status)) {
    throw new WardenError('invalid_argument', `A case status is one of ${allStatuses.join(', ')}.`);
  }
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? defaultLimit), 1), maxLimit);
  const after = query.cursor === undefined || query.cursor === '' ? undefined : decodeCursor(query.cursor);
  const db = context.database.db;
  const rows = await db
    .selectFrom('cases')
    .selectAll()
    .where(visibleTo(reviewer, query.status, context.clock().toISOString()))
    .$if(after !== undefined, (select) =>
      select.where((eb) =>
        eb.or([
          eb('priority', '<', after?.priority ?? 0),
          eb.and([
            eb('priority', '=', after?.priority ?? 0),
            eb('first_reported_at', '>', after?.firstReportedAt ?? ''),
          ]),
          eb.and([
            eb('priority', '=', after?.priority ?? 0),
            eb('first_reported_at', '=', after?.firstReportedAt ?? ''),
            eb('id', '>', after?.id ?? 0),
          ]),
        ]),
      ),
    )
    .orderBy('priority', 'desc')
    .orderBy('first_reported_at')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    cases: await summarise(context, db, page),
    nextCursor:
      rows.length > limit && last !== undefined
        ? encodeCursor({ priority: last.priority, firstReportedAt: last.first_reported_at, id: last.id })
        : null,
    heldByOthers: await heldByOthers(context, reviewer),
  };
}

/** Open cases the reviewer could work that someone else holds now: why "claim next" may find none. */
export async function heldByOthers(context: CaseworkContext, reviewer: Reviewer): Promise<number> {
  const at = context.clock().toISOString();
  const row = await context.database.db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where(visibleTo(reviewer, undefined, at))
    .where('locked_by', 'is not', null)
    .where('locked_by', '<>', reviewer.actor)
    .where('locked_until', '>', at)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Refuses a claim the reviewer may not make, saying why; returns whether it renews their own lock. */
async function checkClaim(db: Db, row: CaseRow, reviewer: Reviewer, at: string): Promise<boolean> {
  if (row.status === 'decided') {
    throw new WardenError(
      'conflict',
      `Case ${row.id} was decided (${row.outcome}) on ${row.decided_at ?? '?'}; there is nothing left to review.`,
    );
  }
  if (row.status === 'merged') {
    throw new WardenError(
      'conflict',
      `Case ${row.id} was merged into case ${row.merged_into ?? '?'}; review that case.`,
      {
        merged_into: row.merged_into,
      },
    );
  }
  if (row.status === 'escalated' && !isSenior(reviewer.role)) {
    throw new WardenError(
      'forbidden',
      `Case ${row.id} was escalated: only a supervisor or an admin can take it.`,
    );
  }
  if (row.status === 'second_opinion' || row.status === 'awaiting_agreement') {
    const last = await db
      .selectFrom('decisions')
      .select('actor')
      .where('case_id', '=', row.id)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last?.actor === reviewer.actor) {
      throw new WardenError(
        'forbidden',
        row.status === 'second_opinion'
          ? `You asked for a second opinion on case ${row.id}; another analyst has to give it.`
          : `You confirmed case ${row.id}; another analyst has to agree or disagree.`,
      );
    }
  }
  const held = lockHeld(row, at);
  if (held && row.locked_by !== reviewer.actor) {
    throw new WardenError(
      'conflict',
      `Case ${row.id} is being reviewed by ${row.locked_by ?? '?'} until ${row.locked_until ?? '?'}.`,
      {
        locked_by: row.locked_by,
        locked_until: row.locked_until,
      },
    );
  }
  return held;
}

/** Takes the lock if the case is still as read (status, and free or ours): compare and set. */
async function takeLock(
  context: CaseworkContext,
  row: CaseRow,
  reviewer: Reviewer,
  renew: boolean,
): Promise<boolean> {
  const now = context.clock();
  const at = now.toISOString();
  const result = await context.database.db
    .updateTable('cases')
    .set({
      status: row.status === 'new' || row.status === 'in_review' ? 'in_review' : row.status,
      locked_by: reviewer.actor,
      locked_until: new Date(now.getTime() + context.lockMs).toISOString(),
      // Taking the case back after a reload (nobody else in between) continues the same claim.
      claim_seq: row.claim_actor === reviewer.actor ? row.claim_seq : row.claim_seq + 1,
      claim_actor: reviewer.actor,
      updated_at: at,
    })
    .where('id', '=', row.id)
    .where('status', '=', row.status)
    .where('claim_seq', '=', row.claim_seq)
    .where((eb) =>
      eb.or([
        eb('locked_by', 'is', null),
        eb('locked_until', 'is', null),
        eb('locked_until', '<=', at),
        eb('locked_by', '=', reviewer.actor),
      ]),
    )
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  if (!renew) {
    await recordAudit(context.database.db, {
      actor: reviewer.actor,
      action: 'case.claimed',
      target: `case:${row.id}`,
      details: { case_id: row.id, status: row.status },
    });
  }
  return true;
}

export async function claim(
  context: CaseworkContext,
  caseId: number,
  reviewer: Reviewer,
): Promise<CaseDetail> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const row = await context.database.db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (row === undefined) throw new WardenError('not_found', `No case with id ${caseId}.`);
    const renew = await checkClaim(context.database.db, row, reviewer, context.clock().toISOString());
    if (await takeLock(context, row, reviewer, renew)) return getCase(context, caseId);
    // Someone changed the case between the read and the update: look again, and say why if it is taken.
  }
  throw new WardenError('conflict', `Case ${caseId} keeps changing under this claim; try again.`);
}

/** Claims the first case in queue order that the reviewer may take and no one else holds. */
export async function claimNext(
  context: CaseworkContext,
  reviewer: Reviewer,
): Promise<CaseDetail | undefined> {
  for (let round = 0; round < 10; round += 1) {
    const at = context.clock().toISOString();
    const candidates = await context.database.db
      .selectFrom('cases')
      .selectAll()
      .where(visibleTo(reviewer, undefined, at))
      .where((eb) =>
        eb.or([
          eb('locked_by', 'is', null),
          eb('locked_until', 'is', null),
          eb('locked_until', '<=', at),
          eb('locked_by', '=', reviewer.actor),
        ]),
      )
      .orderBy('priority', 'desc')
      .orderBy('first_reported_at')
      .orderBy('id')
      .limit(10)
      .execute();
    if (candidates.length === 0) return undefined;
    for (const row of candidates) {
      if (await takeLock(context, row, reviewer, lockHeld(row, at) && row.locked_by === reviewer.actor)) {
        return getCase(context, row.id);
      }
    }
    // Every candidate was taken by someone faster: read the queue again.
  }
  return undefined;
}

/** Gives up a claim: the case goes back to the queue. Supervisors and admins may free anyone's claim. */
export async function release(context: CaseworkContext, caseId: number, reviewer: Reviewer): Promise<void> {
  const row = await context.database.db
    .selectFrom('cases')
    .selectAll()
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (row === undefined) throw new WardenError('not_found', `No case with id ${caseId}.`);
  const at = context.clock().toISOString();
  if (!lockHeld(row, at)) {
    if (row.status === 'in_review') {
      await context.database.db
        .updateTable('cases')
        .set({ status: 'new', locked_by: null, locked_until: null, updated_at: at })
        .where('id', '=', caseId)
        .where('status', '=', 'in_review')
        .execute();
    }
    return;
  }
  if (row.locked_by !== reviewer.actor && !isSenior(reviewer.role)) {
    throw new WardenError(
      'conflict',
      `Case ${caseId} is held by ${row.locked_by ?? '?'}, not by you; only they, a supervisor or an admin can release it.`,
    );
  }
  const result = await context.database.db
    .updateTable('cases')
    .set({
      status: row.status === 'in_review' ? 'new' : row.status,
      locked_by: null,
      locked_until: null,
      updated_at: at,
    })
    .where('id', '=', caseId)
    .where('locked_by', '=', row.locked_by)
    .where('status', '=', row.status)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return;
  await recordAudit(context.database.db, {
    actor: reviewer.actor,
    action: 'case.released',
    target: `case:${caseId}`,
    details: { case_id: caseId, ...(row.locked_by === reviewer.actor ? {} : { held_by: row.locked_by }) },
  });
}

/**
 * Renews the reviewer's own claim (the console sends this while the case is open). A claim that ran out
 * or was released is not taken back here: the reviewer claims the case again, seeing who has it now.
 */
export async function heartbeat(
  context: CaseworkContext,
  caseId: number,
  reviewer: Reviewer,
): Promise<CaseLock> {
  const now = context.clock();
  const at = now.toISOString();
  const lockedUntil = new Date(now.getTime() + context.lockMs).toISOString();
  const result = await context.database.db
    .updateTable('cases')
    .set({ locked_until: lockedUntil })
    .where('id', '=', caseId)
    .where('locked_by', '=', reviewer.actor)
    .where('locked_until', '>', at)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return { locked_by: reviewer.actor, locked_until: lockedUntil };
  const row = await context.database.db
    .selectFrom('cases')
    .select(['locked_by', 'locked_until', 'status'])
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (row === undefined) throw new WardenError('not_found', `No case with id ${caseId}.`);
  throw new WardenError(
    'conflict',
    lockHeld(row, at)
      ? `Case ${caseId} is now held by ${row.locked_by ?? '?'}; your claim ended (released by a supervisor, or it ran out).`
      : `Your claim on case ${caseId} ended (released, decided or ran out); claim it again to go on.`,
    { locked_by: lockHeld(row, at) ? row.locked_by : null, status: row.status },
  );
}

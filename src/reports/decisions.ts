// Decisions on cases. The caller must hold the case's lock. A confirmation that would publish signals
// waits, under the two-person rule, for a second analyst to agree; a disagreement escalates the case to
// a supervisor. A final decision is recorded, its signals enter a bank, the platform hears of it through
// a webhook event and public reporters through a mail, all in one transaction.
import { recordAudit } from '../audit/index.js';
import { WardenError } from '../errors/index.js';
import { addBankEntries } from '../matching/index.js';
import type { NewBankEntry } from '../matching/index.js';
import { nextBankRevision } from '../store/index.js';
import { enqueueJob } from '../jobs/index.js';
import { emitEvent } from '../webhooks/index.js';
import type { CaseworkContext, CaseRow, Db } from './context.js';
import { isSenior, stamp } from './context.js';
import { tellReporters } from './feedback.js';
import { crawlConfirmedKind } from './intake.js';
import type { Outcome } from './feedback.js';
import { priorityOf, severityOf } from './priority.js';
import type { DecisionInput, Reviewer } from './types.js';
import { checkDecisionInput } from './validate.js';
import type { CheckedDecision } from './validate.js';
import { lockHeld, parsePending } from './views.js';
import type { StoredPending } from './views.js';

const bankCategoryPattern = /^[a-z][a-z0-9_-]{0,31}$/;

const statusWords: Record<string, string> = {
  new: 'new',
  in_review: 'in review',
  second_opinion: 'waiting for a second opinion',
  awaiting_agreement: 'awaiting a second analyst’s agreement',
  escalated: 'escalated',
};

/** The decision kinds each status allows, said for a person. */
const allowedWords: Record<string, string> = {
  new: 'confirmed, not_actionable or second_opinion',
  in_review: 'confirmed, not_actionable or second_opinion',
  second_opinion: 'confirmed, not_actionable or second_opinion',
  awaiting_agreement: 'agree or disagree',
  escalated: 'confirmed or not_actionable (by a supervisor or an admin)',
};

const allowedKinds: Record<string, readonly string[]> = {
  new: ['confirmed', 'not_actionable', 'second_opinion'],
  in_review: ['confirmed', 'not_actionable', 'second_opinion'],
  second_opinion: ['confirmed', 'not_actionable', 'second_opinion'],
  awaiting_agreement: ['agree', 'disagree'],
  escalated: ['confirmed', 'not_actionable'],
};

function checkState(row: CaseRow, reviewer: Reviewer, decision: CheckedDecision, at: string): void {
  if (row.status === 'decided') {
    throw new WardenError(
      'conflict',
      `Case ${row.id} was already decided (${row.outcome}) on ${row.decided_at ?? '?'}; decisions are final.`,
    );
  }
  if (row.status === 'merged') {
    throw new WardenError(
      'conflict',
      `Case ${row.id} was merged into case ${row.merged_into ?? '?'}; decide on that case.`,
      { merged_into: row.merged_into },
    );
  }
  if (!lockHeld(row, at) || row.locked_by !== reviewer.actor) {
    throw lockHeld(row, at)
      ? new WardenError(
          'conflict',
          `Case ${row.id} is being reviewed by ${row.locked_by ?? '?'} until ${row.locked_until ?? '?'}; only they can decide on it now.`,
        )
      : new WardenError(
          'conflict',
          `Claim case ${row.id} before deciding on it (your claim may have run out).`,
        );
  }
  if (row.status === 'escalated' && !isSenior(reviewer.role)) {
    throw new WardenError(
      'forbidden',
      `Case ${row.id} was escalated: only a supervisor or an admin can decide it.`,
    );
  }
  if (!(allowedKinds[row.status] ?? []).includes(decision.kind)) {
    throw new WardenError(
      'conflict',
      `Case ${row.id} is ${statusWords[row.status] ?? row.status}: it allows ${allowedWords[row.status] ?? 'no decision'}, not ${decision.kind}.`,
      { status: row.status },
    );
  }
}

/** Makes a decision on a case the reviewer holds. Returns nothing: read the case afterwards. */
export async function decide(
  context: CaseworkContext,
  caseId: number,
  reviewer: Reviewer,
  input: DecisionInput,
): Promise<void> {
  const decision = checkDecisionInput(input, context.grades);
  await context.database.db.transaction().execute(async (db) => {
    const at = stamp(context);
    const row = await db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', caseId)
      .$if(context.postgres, (query) => query.forUpdate())
      .executeTakeFirst();
    if (row === undefined) throw new WardenError('not_found', `No case with id ${caseId}.`);
    checkState(row, reviewer, decision, at);
    const pending = parsePending(row.pending);
    if ((decision.kind === 'agree' || decision.kind === 'disagree') && pending?.actor === reviewer.actor) {
      throw new WardenError(
        'forbidden',
        `You confirmed case ${caseId} yourself; another analyst has to agree or disagree.`,
      );
    }
    if (decision.kind === 'confirmed' && decision.bank !== '') await findBankName(db, decision.bank);
    const recorded =
      decision.kind === 'agree' && pending !== null
        ? { ...decision, category: pending.category, grade: pending.grade, bank: pending.bank }
        : decision;
    await record(db, caseId, reviewer, recorded, at);

    const released = { locked_by: null, locked_until: null, updated_at: at };
    switch (decision.kind) {
      case 'confirmed': {
        const signals = await signalsToPublish(db, caseId);
        const waits = context.twoPersonRule && row.status !== 'escalated' && signals.length > 0;
        if (!waits) {
          await finalise(context, db, row, 'confirmed', decision, at);
          break;
        }
        const proposal: StoredPending = {
          actor: reviewer.actor,
          role: reviewer.role,
          category: decision.category,
          grade: decision.grade,
          bank: decision.bank,
          reason: decision.reason,
          evidence_seen: decision.evidenceSeen,
          created_at: at,
          signals: signals.map(({ signalType, signal }) => ({ signalType, signal })),
        };
        await db
          .updateTable('cases')
          .set({ ...released, status: 'awaiting_agreement', pending: JSON.stringify(proposal) })
          .where('id', '=', caseId)
          .execute();
        break;
      }
      case 'agree':
        if (pending === null)
          throw new Error(`Case ${caseId} awaits agreement but has no pending confirmation.`);
        await finalise(context, db, row, 'confirmed', pending, at, pending.signals);
        break;
      case 'not_actionable':
        await finalise(context, db, row, 'not_actionable', decision, at);
        break;
      case 'second_opinion':
        await db
          .updateTable('cases')
          .set({ ...released, status: 'second_opinion' })
          .where('id', '=', caseId)
          .execute();
        break;
      case 'disagree':
        await db
          .updateTable('cases')
          .set({ ...released, status: 'escalated', pending: null })
          .where('id', '=', caseId)
          .execute();
        break;
    }
  });
}

async function record(db: Db, caseId: number, reviewer: Reviewer, decision: CheckedDecision, at: string) {
  const values = {
    case_id: caseId,
    actor: reviewer.actor,
    role: reviewer.role,
    kind: decision.kind,
    category: decision.category,
    grade: decision.grade,
    reason: decision.reason,
    bank: decision.bank,
    evidence_seen: JSON.stringify(decision.evidenceSeen),
    created_at: at,
  };
  await db.insertInto('decisions').values(values).execute();
  await recordAudit(db, {
    actor: reviewer.actor,
    action: 'case.decided',
    target: `case:${caseId}`,
    details: {
      case_id: caseId,
      role: reviewer.role,
      kind: decision.kind,
      category: decision.category,
      grade: decision.grade,
      reason: decision.reason,
      bank: decision.bank,
      evidence_seen: decision.evidenceSeen,
    },
  });
}

/** Every PDQ, MD5 and SHA-256 of the case's media and reports, and every report URL (normalised). */
async function signalsToPublish(db: Db, caseId: number): Promise<NewBankEntry[]> {
  const reports = await db
    .selectFrom('reports')
    .select(['pdq', 'md5', 'sha256', 'url_key'])
    .where('case_id', '=', caseId)
    .execute();
  const media = await db
    .selectFrom('report_media')
    .innerJoin('reports', 'reports.id', 'report_media.report_id')
    .innerJoin('evidence', 'evidence.sha256', 'report_media.sha256')
    .select(['evidence.pdq', 'evidence.md5', 'evidence.sha256'])
    .where('reports.case_id', '=', caseId)
    .execute();
  const seen = new Set<string>();
  const entries: NewBankEntry[] = [];
  const add = (signalType: NewBankEntry['signalType'], signal: string) => {
    if (signal === '' || seen.has(`${signalType}:${signal}`)) return;
    seen.add(`${signalType}:${signal}`);
    entries.push({ signalType, signal });
  };
  for (const item of [...media, ...reports]) {
    add('pdq', item.pdq);
    add('md5', item.md5);
    add('sha256', item.sha256);
  }
  for (const report of reports) add('url', report.url_key);
  return entries;
}

async function findBankName(db: Db, name: string): Promise<string> {
  const bank = await db.selectFrom('banks').select('name').where('name', '=', name).executeTakeFirst();
  if (bank === undefined) {
    throw new WardenError(
      'not_found',
      `No bank named "${name.slice(0, 80)}". List the banks with "warden bank list".`,
    );
  }
  return bank.name;
}

/** The bank a confirmation goes to: the one named, the category's first enabled bank, or a new one. */
async function confirmationBank(db: Db, named: string, category: string, at: string): Promise<string> {
  if (named !== '') return findBankName(db, named);
  const existing = await db
    .selectFrom('banks')
    .select('name')
    .where('category', '=', category)
    .where('enabled', '=', 1)
    .orderBy('id')
    .executeTakeFirst();
  if (existing !== undefined) return existing.name;
  const name = `${category}-confirmed`;
  const revision = await nextBankRevision(db);
  await db
    .insertInto('banks')
    .values({
      name,
      category,
      source: 'local',
      description: 'Content confirmed by analysts in the review queue.',
      enabled: 1,
      created_at: at,
      updated_at: at,
      revision,
    })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  // A bank of that name may exist already, disabled or of another category: publishing there would be
  // silently unmatched, so say so instead.
  const bank = await db
    .selectFrom('banks')
    .select(['enabled', 'category'])
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  if (bank.enabled !== 1 || bank.category !== category) {
    throw new WardenError(
      'conflict',
      `The bank "${name}" is ${bank.enabled !== 1 ? 'disabled' : `of category ${bank.category}`}: choose a bank for this confirmation, or enable a ${category} bank.`,
    );
  }
  return name;
}

/** A final decision: the case is decided, confirmed signals enter a bank, platform and reporters hear. */
async function finalise(
  context: CaseworkContext,
  db: Db,
  row: CaseRow,
  outcome: Outcome,
  decision: Pick<CheckedDecision, 'category' | 'grade' | 'bank'>,
  at: string,
  agreedSignals?: NewBankEntry[],
): Promise<void> {
  const category = outcome === 'confirmed' ? decision.category : row.category;
  const grade = outcome === 'confirmed' ? decision.grade : '';
  if (outcome === 'confirmed') {
    const bank = await confirmationBank(db, decision.bank, category, at);
    const entries = agreedSignals ?? (await signalsToPublish(db, row.id));
    await addBankEntries(
      db,
      bank,
      entries.map((entry) => ({
        ...entry,
        ...(bankCategoryPattern.test(category) ? { category } : {}),
        note: `case ${row.id}`,
        source: 'review',
      })),
    );
  }
  const severity = outcome === 'confirmed' ? severityOf(category) : row.severity;
  await db
    .updateTable('cases')
    .set({
      status: 'decided',
      outcome,
      category,
      grade,
      severity,
      priority: priorityOf({ knownMatch: row.known_match === 1, severity, source: row.source }),
      decided_at: at,
      pending: null,
      locked_by: null,
      locked_until: null,
      updated_at: at,
    })
    .where('id', '=', row.id)
    .execute();
  await emitEvent(db, { type: 'case.decided', data: { case_id: row.id, outcome, category, grade } });
  await tellReporters(db, row.id, outcome);
  if (outcome === 'confirmed' && context.crawlConfirmed) {
    // The crawl domain hunts from the confirmed URLs (job `crawl.confirmed`), after this commits.
    await enqueueJob(db, {
      kind: crawlConfirmedKind,
      payload: { case_id: row.id },
      dedupeKey: `${crawlConfirmedKind}:${row.id}`,
    });
  }
}

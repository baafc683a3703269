// Decisions on cases. The caller must hold the case's lock. A confirmation decides each item and URL of
// the case and publishes only the confirmed ones; it is made by a person who revealed what they confirm,
// and, under the two-person rule, waits for another person to agree to exactly that set (a disagreement
// escalates the case to a supervisor). A final decision is recorded, its confirmed signals enter a bank,
// the platform hears of it through a webhook event and public reporters through a mail, all in one
// transaction.
import { recordAudit } from '../audit/index.js';
import { WardenError } from '../errors/index.js';
import { addBankEntries, findBank, publishingBank } from '../matching/index.js';
import { enqueueJob } from '../jobs/index.js';
import { emitEvent } from '../webhooks/index.js';
import type { CaseworkContext, CaseRow, Db } from './context.js';
import { isSenior, lockHeld, stamp } from './context.js';
import { tellReporters } from './feedback.js';
import { crawlConfirmedKind } from './intake.js';
import type { Outcome } from './feedback.js';
import { priorityOf, severityOf } from './priority.js';
import { checkDecisionInput } from './decision-input.js';
import type { CheckedDecision } from './decision-input.js';
import {
  caseItems,
  checkAgreement,
  publishSet,
  requireRevealed,
  revealsInClaim,
  signalsOf,
} from './decision-items.js';
import type { DecisionInput, EvidenceSeen, PublishSet, Reviewer } from './types.js';
import { parsePending } from './views.js';
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

/** Publishing is done by people: a signed-in person, or an API key bound to one. */
function requirePerson(caseId: number, reviewer: Reviewer): void {
  if (reviewer.person !== undefined) return;
  throw new WardenError(
    'forbidden',
    `Confirming or agreeing to publish case ${caseId} is for a person: sign in to the console, or use a key bound to a person ("warden keys create --user NAME").`,
  );
}

/** What a decision records beside the decision itself: its verdicts and what its maker had revealed. */
interface DecisionRecord {
  items: CheckedDecision['items'];
  urls: CheckedDecision['urls'];
  seen: EvidenceSeen[];
  revealRule: boolean;
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
    const items = await caseItems(db, caseId);
    const revealed = new Set(await revealsInClaim(db, row, reviewer.actor));
    const seen = items.media.map((sha256) => ({ sha256, revealed: revealed.has(sha256) }));
    const revealRule = context.revealBeforeConfirm;
    const noted: DecisionRecord = { items: decision.items, urls: decision.urls, seen, revealRule: false };

    // A new decision ends the claim: whoever takes the case next starts a claim of their own.
    const released = { locked_by: null, locked_until: null, claim_actor: null, updated_at: at };
    switch (decision.kind) {
      case 'confirmed': {
        const set = publishSet(caseId, decision, items);
        const publishes = set.items.length + set.urls.length > 0;
        if (publishes) requirePerson(caseId, reviewer);
        if (revealRule) requireRevealed(caseId, set, revealed, 'confirm');
        // A bank named for the confirmation must exist before the second person is asked.
        if (decision.bank !== '') await findBank(db, decision.bank);
        await record(db, caseId, reviewer, decision, { ...noted, revealRule }, at);
        const waits = context.twoPersonRule && row.status !== 'escalated' && publishes;
        if (!waits) {
          await finalise(context, db, row, 'confirmed', decision, at, set);
          break;
        }
        const proposal: StoredPending = {
          actor: reviewer.actor,
          role: reviewer.role,
          category: decision.category,
          grade: decision.grade,
          bank: decision.bank,
          reason: decision.reason,
          evidence_seen: seen,
          created_at: at,
          ...set,
        };
        await db
          .updateTable('cases')
          .set({ ...released, status: 'awaiting_agreement', pending: JSON.stringify(proposal) })
          .where('id', '=', caseId)
          .execute();
        break;
      }
      case 'agree': {
        if (pending === null)
          throw new Error(`Case ${caseId} awaits agreement but has no pending confirmation.`);
        requirePerson(caseId, reviewer);
        checkAgreement(caseId, decision, pending);
        if (revealRule) requireRevealed(caseId, pending, revealed, 'agree to');
        const agreed = { ...decision, category: pending.category, grade: pending.grade, bank: pending.bank };
        await record(db, caseId, reviewer, agreed, { ...noted, revealRule }, at);
        await finalise(context, db, row, 'confirmed', pending, at, pending);
        break;
      }
      case 'not_actionable':
        await record(db, caseId, reviewer, decision, noted, at);
        await finalise(context, db, row, 'not_actionable', decision, at, { items: [], urls: [] });
        break;
      case 'second_opinion':
        await record(db, caseId, reviewer, decision, noted, at);
        await db
          .updateTable('cases')
          .set({ ...released, status: 'second_opinion' })
          .where('id', '=', caseId)
          .execute();
        break;
      case 'disagree':
        await record(db, caseId, reviewer, decision, noted, at);
        await db
          .updateTable('cases')
          .set({ ...released, status: 'escalated', pending: null })
          .where('id', '=', caseId)
          .execute();
        break;
    }
  });
}

async function record(
  db: Db,
  caseId: number,
  reviewer: Reviewer,
  decision: CheckedDecision,
  noted: DecisionRecord,
  at: string,
) {
  const values = {
    case_id: caseId,
    actor: reviewer.actor,
    role: reviewer.role,
    kind: decision.kind,
    category: decision.category,
    grade: decision.grade,
    reason: decision.reason,
    bank: decision.bank,
    evidence_seen: JSON.stringify(noted.seen),
    items: JSON.stringify(noted.items),
    urls: JSON.stringify(noted.urls),
    reveal_rule: noted.revealRule ? 1 : 0,
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
      items: noted.items,
      urls: noted.urls,
      evidence_seen: noted.seen,
      reveal_rule: noted.revealRule,
    },
  });
}

/** A final decision: the case is decided, confirmed signals enter a bank, platform and reporters hear. */
async function finalise(
  context: CaseworkContext,
  db: Db,
  row: CaseRow,
  outcome: Outcome,
  decision: Pick<CheckedDecision, 'category' | 'grade' | 'bank'>,
  at: string,
  set: PublishSet,
): Promise<void> {
  const category = outcome === 'confirmed' ? decision.category : row.category;
  const grade = outcome === 'confirmed' ? decision.grade : '';
  const entries = await signalsOf(db, set);
  if (entries.length > 0) {
    const bank = await publishingBank(db, decision.bank, category);
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

// What a decision is about, item by item: the media items and page URLs of a case, the set a confirmation
// publishes (only what the analyst confirmed), the agreement that must name exactly that set, and the
// reveals a person made in their claim, which a confirmation or agreement requires of what it publishes.
import { WardenError } from '../errors/index.js';
import { describeEvidence } from '../evidence/index.js';
import type { NewBankEntry } from '../matching/index.js';
import type { CaseworkContext, CaseRow, Db } from './context.js';
import { lockHeld } from './context.js';
import type { CheckedDecision } from './decision-input.js';
import type { CaseUrl, PublishSet, Reviewer } from './types.js';

/** What can be decided in a case: its stored media (by SHA-256) and its page URLs, in report order. */
export interface CaseItems {
  media: string[];
  urls: CaseUrl[];
}

export async function caseItems(db: Db, caseId: number): Promise<CaseItems> {
  const linked = await db
    .selectFrom('report_media')
    .innerJoin('reports', 'reports.id', 'report_media.report_id')
    .select(['report_media.sha256', (eb) => eb.fn.min('report_media.id').as('first')])
    .where('reports.case_id', '=', caseId)
    .groupBy('report_media.sha256')
    .execute();
  // Only what is stored can be looked at, and so judged.
  const stored = await describeEvidence(
    db,
    linked.map((row) => row.sha256),
  );
  const media = linked.filter((row) => stored.has(row.sha256));
  const urls = await db
    .selectFrom('reports')
    .select(['url_key', 'url'])
    .where('case_id', '=', caseId)
    .where('url_key', '<>', '')
    .orderBy('id')
    .execute();
  const seen = new Set<string>();
  return {
    media: media.sort((a, b) => Number(a.first) - Number(b.first)).map((row) => row.sha256),
    urls: urls.flatMap((row) => {
      if (seen.has(row.url_key)) return [];
      seen.add(row.url_key);
      return [{ url: row.url_key, reported: row.url }];
    }),
  };
}

const short = (sha256: string) => `${sha256.slice(0, 12)}…`;

function listed(words: readonly string[]): string {
  const shown = words.slice(0, 10).join(', ');
  return words.length > 10 ? `${shown} and ${words.length - 10} more` : shown;
}

/**
 * What a confirmation publishes: it must decide every item and URL of the case (and nothing else), and
 * confirm at least one when there is any.
 */
export function publishSet(caseId: number, decision: CheckedDecision, items: CaseItems): PublishSet {
  const media = new Set(items.media);
  const urls = new Set(items.urls.map((url) => url.url));
  const strangers = [
    ...decision.items.filter((item) => !media.has(item.sha256)).map((item) => short(item.sha256)),
    ...decision.urls.filter((url) => !urls.has(url.url)).map((url) => url.url.slice(0, 200)),
  ];
  if (strangers.length > 0) {
    throw new WardenError(
      'invalid_argument',
      `Case ${caseId} has no item ${listed(strangers)}: decide the items and URLs the case shows (reload it).`,
      { unknown: strangers },
    );
  }
  const decidedItems = new Set(decision.items.map((item) => item.sha256));
  const decidedUrls = new Set(decision.urls.map((url) => url.url));
  const undecided = [
    ...items.media.filter((sha256) => !decidedItems.has(sha256)).map(short),
    ...items.urls.filter((url) => !decidedUrls.has(url.url)).map((url) => url.url.slice(0, 200)),
  ];
  if (undecided.length > 0) {
    throw new WardenError(
      'invalid_argument',
      `Decide every item of case ${caseId} (confirmed or not_actionable); not decided: ${listed(undecided)}.`,
      { undecided },
    );
  }
  const byCase = (a: { sha256: string }, b: { sha256: string }) =>
    items.media.indexOf(a.sha256) - items.media.indexOf(b.sha256);
  const set: PublishSet = {
    items: decision.items
      .filter((item) => item.verdict === 'confirmed')
      .map((item) => ({ sha256: item.sha256, grade: item.grade ?? decision.grade }))
      .sort(byCase),
    urls: items.urls
      .map((url) => url.url)
      .filter((url) => decision.urls.some((u) => u.url === url && u.verdict === 'confirmed')),
  };
  if (set.items.length + set.urls.length === 0 && items.media.length + items.urls.length > 0) {
    throw new WardenError(
      'invalid_argument',
      `A confirmation confirms at least one item or URL of case ${caseId}; if none is actionable, decide not_actionable.`,
    );
  }
  return set;
}

/** An agreement names exactly the set the confirmation publishes (grades, where given, included). */
export function checkAgreement(caseId: number, decision: CheckedDecision, pending: PublishSet): void {
  const named = decision.items.filter((item) => item.verdict === 'confirmed');
  const namedUrls = decision.urls.filter((url) => url.verdict === 'confirmed').map((url) => url.url);
  const problems = [
    ...pending.items
      .filter((item) => !named.some((given) => given.sha256 === item.sha256))
      .map((item) => `item ${short(item.sha256)} is not named`),
    ...named
      .filter((given) => !pending.items.some((item) => item.sha256 === given.sha256))
      .map((given) => `item ${short(given.sha256)} is not in the confirmation`),
    ...named.flatMap((given) => {
      const proposed = pending.items.find((item) => item.sha256 === given.sha256);
      return proposed !== undefined && given.grade !== undefined && given.grade !== proposed.grade
        ? [`item ${short(given.sha256)} was graded ${proposed.grade}, not ${given.grade}`]
        : [];
    }),
    ...pending.urls.filter((url) => !namedUrls.includes(url)).map((url) => `URL ${url} is not named`),
    ...namedUrls
      .filter((url) => !pending.urls.includes(url))
      .map((url) => `URL ${url} is not in the confirmation`),
  ];
  if (problems.length > 0) {
    throw new WardenError(
      'conflict',
      `An agreement names exactly what the confirmation of case ${caseId} publishes (${pending.items.length} items, ${pending.urls.length} URLs), and here ${listed(problems)}. Agree to that set, or disagree to send it back.`,
      { problems },
    );
  }
}

/** The bank entries of a set: each confirmed item's PDQ, MD5 and SHA-256, and each confirmed URL. */
export async function signalsOf(db: Db, set: PublishSet): Promise<NewBankEntry[]> {
  const evidence = await describeEvidence(
    db,
    set.items.map((item) => item.sha256),
  );
  const entries: NewBankEntry[] = [];
  for (const item of evidence.values()) {
    for (const [signalType, signal] of [
      ['pdq', item.pdq],
      ['md5', item.md5],
      ['sha256', item.sha256],
    ] as const) {
      if (signal !== '') entries.push({ signalType, signal });
    }
  }
  for (const url of set.urls) entries.push({ signalType: 'url', signal: url });
  return entries;
}

/** The items the actor revealed in the case's current claim, in the order revealed (none if not theirs). */
export async function revealsInClaim(db: Db, row: CaseRow, actor: string): Promise<string[]> {
  if (row.claim_actor !== actor) return [];
  const rows = await db
    .selectFrom('case_reveals')
    .select('sha256')
    .where('case_id', '=', row.id)
    .where('claim_seq', '=', row.claim_seq)
    .where('actor', '=', actor)
    .orderBy('id')
    .execute();
  return rows.map((found) => found.sha256);
}

/** Refuses to publish an item the reviewer has not revealed in this claim, naming those items. */
export function requireRevealed(
  caseId: number,
  set: PublishSet,
  revealed: ReadonlySet<string>,
  verb: 'confirm' | 'agree to',
): void {
  const unseen = set.items.filter((item) => !revealed.has(item.sha256)).map((item) => item.sha256);
  if (unseen.length === 0) return;
  throw new WardenError(
    'conflict',
    `Reveal each item before you ${verb} it: in this claim on case ${caseId} you have not revealed ${listed(unseen.map(short))}.`,
    { not_revealed: unseen },
  );
}

/**
 * Records that the reviewer revealed an item of a case they hold, for the decision they are about to
 * make. A reveal by someone who does not hold the case is audited by the caller but counts for nothing.
 */
export async function recordReveal(
  context: CaseworkContext,
  caseId: number,
  reviewer: Reviewer,
  sha256: string,
): Promise<boolean> {
  const db = context.database.db;
  const at = context.clock().toISOString();
  const row = await db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirst();
  if (row === undefined || !lockHeld(row, at) || row.locked_by !== reviewer.actor) return false;
  if (row.claim_actor !== reviewer.actor) return false;
  await db
    .insertInto('case_reveals')
    .values({ case_id: caseId, claim_seq: row.claim_seq, actor: reviewer.actor, sha256, revealed_at: at })
    .onConflict((conflict) => conflict.columns(['case_id', 'claim_seq', 'actor', 'sha256']).doNothing())
    .execute();
  return true;
}

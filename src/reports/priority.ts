// Where a case sits in the review queue, and why. Priority is one number so that the database can order
// the queue on an index: a known match outranks any severity, severity outranks the source, and within
// one priority the oldest case comes first. The reasons say the same in words for the analyst.
import { WardenError } from '../errors/index.js';
import type { MatchJson } from '../matching/index.js';

const severities: Record<string, number> = { csam: 50, terrorism: 40, ncii: 30, harassment: 20, other: 10 };
const sourceRanks: Record<string, number> = { match: 4, crawler: 3, platform: 2, public: 1 };
const sourceWords: Record<string, string> = {
  match: 'automatic match',
  crawler: 'crawler',
  platform: 'platform flag',
  public: 'public report',
};

/** How grave a category is: csam 50, terrorism 40, ncii 30, harassment 20, anything else 10. */
export function severityOf(category: string): number {
  return severities[category] ?? severities.other ?? 10;
}

/** How much a source is trusted: match 4, crawler 3, platform 2, public 1. */
export function sourceRank(source: string): number {
  return sourceRanks[source] ?? 0;
}

/** The more trusted of two sources. */
export function moreTrustedSource(a: string, b: string): string {
  return sourceRank(b) > sourceRank(a) ? b : a;
}

export function priorityOf(facts: { knownMatch: boolean; severity: number; source: string }): number {
  return (facts.knownMatch ? 1000 : 0) + facts.severity * 10 + sourceRank(facts.source);
}

/** The nearest match (then the lowest entry id), if any. */
export function bestMatch(matches: readonly MatchJson[]): MatchJson | undefined {
  let best: MatchJson | undefined;
  for (const match of matches) {
    if (best === undefined || match.distance < best.distance) best = match;
    else if (match.distance === best.distance && match.entry_id < best.entry_id) best = match;
  }
  return best;
}

/** The stored summary of a case's best match: "csam-standin, distance 3". */
export function matchSummary(match: MatchJson): string {
  return `${match.bank}, distance ${match.distance}`;
}

function parseSummary(summary: string): { bank: string; distance: number } | undefined {
  const parsed = /^(.*), distance (\d+)$/.exec(summary);
  return parsed === null ? undefined : { bank: parsed[1] ?? '', distance: Number(parsed[2]) };
}

/** The better of a stored summary and a new best match: the nearer one (the stored one on a tie). */
export function betterSummary(stored: string, match: MatchJson | undefined): string {
  if (match === undefined) return stored;
  const current = parseSummary(stored);
  return current === undefined || match.distance < current.distance ? matchSummary(match) : stored;
}

/** "2 h 5 min", "3 d 4 h", "less than a minute". */
export function waitingWords(milliseconds: number): string {
  const minutes = Math.floor(Math.max(0, milliseconds) / 60_000);
  if (minutes < 1) return 'less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}

/** Why a case sits where it does, in the order the priority weighs it. */
export function caseReasons(
  row: {
    known_match: number;
    match_summary: string;
    category: string;
    source: string;
    first_reported_at: string;
  },
  at: Date,
): string[] {
  const reasons: string[] = [];
  if (row.known_match === 1) {
    const summary = parseSummary(row.match_summary);
    reasons.push(
      summary === undefined ? 'known match' : `known match: ${summary.bank} (distance ${summary.distance})`,
    );
  }
  reasons.push(`severity: ${row.category === '' ? 'other' : row.category}`);
  reasons.push(`source: ${sourceWords[row.source] ?? row.source}`);
  reasons.push(`waiting ${waitingWords(at.getTime() - Date.parse(row.first_reported_at))}`);
  return reasons;
}

/** A position in the queue: what the last case of a page was ordered by. */
export interface QueuePosition {
  priority: number;
  firstReportedAt: string;
  id: number;
}

export function encodeCursor(position: QueuePosition): string {
  return Buffer.from(JSON.stringify([position.priority, position.firstReportedAt, position.id])).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string): QueuePosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string' &&
      Number.isSafeInteger(value[2])
    ) {
      return { priority: value[0] as number, firstReportedAt: value[1], id: value[2] as number };
    }
  } catch {
    // Fall through to the error below.
  }
  throw new WardenError(
    'invalid_argument',
    'The cursor is not one this server gave out; start again from the first page.',
  );
}

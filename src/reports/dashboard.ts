// Figures for the people who run the hotline: intake per day by source, what was confirmed, how long
// decisions take, and where confirmed content was hosted. Days are UTC.
import { sql } from 'kysely';
import { WardenError } from '../errors/index.js';
import type { CaseworkContext } from './context.js';
import type { Dashboard } from './types.js';

/** The p-quantile (0..1) of sorted values, interpolating between the nearest ranks. */
export function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const low = sorted[below] ?? 0;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (position - below);
}

export async function dashboard(context: CaseworkContext, query: { days: number }): Promise<Dashboard> {
  const { days } = query;
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    throw new WardenError('invalid_argument', `days is a whole number from 1 to 3660; got ${days}.`);
  }
  const today = context.clock();
  const start = new Date(
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (days - 1)),
  );
  const since = start.toISOString();
  const db = context.database.db;

  const day = sql<string>`substr(created_at, 1, 10)`;
  const perDay = await db
    .selectFrom('reports')
    .select([day.as('day'), 'source', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('created_at', '>=', since)
    .groupBy([day, 'source'])
    .orderBy(day)
    .orderBy('source')
    .execute();

  const confirmed = await db
    .selectFrom('cases')
    .select(['category', 'grade', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('outcome', '=', 'confirmed')
    .where('decided_at', '>=', since)
    .groupBy(['category', 'grade'])
    .execute();

  const decided = await db
    .selectFrom('cases')
    .select(['first_reported_at', 'decided_at'])
    .where('status', '=', 'decided')
    .where('decided_at', '>=', since)
    .execute();
  const seconds = decided
    .map((row) => Math.max(0, (Date.parse(row.decided_at ?? '') - Date.parse(row.first_reported_at)) / 1000))
    .filter((value) => Number.isFinite(value))
    .sort((a, b) => a - b);
  const round = (value: number | null) => (value === null ? null : Math.round(value));

  const hosts = await db
    .selectFrom('reports')
    .innerJoin('cases', 'cases.id', 'reports.case_id')
    .select(['reports.host_country', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('cases.outcome', '=', 'confirmed')
    .where('cases.decided_at', '>=', since)
    .where('reports.url', '<>', '')
    .groupBy('reports.host_country')
    .execute();
  const countries = new Map<string, number>();
  for (const row of hosts) {
    const country = row.host_country === '' ? 'unknown' : row.host_country;
    countries.set(country, (countries.get(country) ?? 0) + Number(row.count));
  }

  return {
    since: since.slice(0, 10),
    reports_per_day: perDay.map((row) => ({ day: row.day, source: row.source, count: Number(row.count) })),
    confirmed: confirmed
      .map((row) => ({ category: row.category, grade: row.grade, count: Number(row.count) }))
      .sort(
        (a, b) => b.count - a.count || a.category.localeCompare(b.category) || a.grade.localeCompare(b.grade),
      ),
    time_to_decision: {
      count: seconds.length,
      median_seconds: round(quantile(seconds, 0.5)),
      p90_seconds: round(quantile(seconds, 0.9)),
    },
    hosting_countries: [...countries]
      .map(([country, count]) => ({ country, count }))
      .sort((a, b) => b.count - a.count || a.country.localeCompare(b.country)),
  };
}

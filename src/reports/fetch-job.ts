// The job that fetches a reported URL's media: through the network guard, into the evidence store,
// matched against the banks, then attached to the report (which may merge cases). A URL the guard or the
// server refuses for good marks the report unreachable; a network failure is retried by the queue.
import { recordAudit } from '../audit/index.js';
import { isWardenError } from '../errors/index.js';
import { fetchMedia } from '../evidence/index.js';
import type { EvidenceStore, FetchMediaLimits } from '../evidence/index.js';
import type { PdqHash } from '../hashing/index.js';
import { NonRetryableError } from '../jobs/index.js';
import type { ClaimedJob, JobHandler } from '../jobs/index.js';
import { matchJson } from '../matching/index.js';
import type { MatchJson, MatchQuery, Matcher } from '../matching/index.js';
import type { GeoIpTable, NetworkGuard } from '../network/index.js';
import type { Database } from '../store/index.js';
import type { Casework } from './casework.js';
import { fetchKind } from './intake.js';
import type { ReportMedia } from './types.js';

export interface ReportFetchDependencies {
  casework: Casework;
  evidence: EvidenceStore;
  guard: NetworkGuard;
  matcher?: Matcher;
  geo?: GeoIpTable;
  limits: FetchMediaLimits;
}

function reportIdOf(job: ClaimedJob): number {
  const id = (job.payload as { report_id?: unknown } | null)?.report_id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    throw new NonRetryableError(`Malformed ${fetchKind} payload: expected {"report_id": <number>}.`);
  }
  return id;
}

async function finish(
  database: Database,
  reportId: number,
  status: 'fetched' | 'unreachable',
  details: Record<string, unknown>,
): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await trx.updateTable('reports').set({ status }).where('id', '=', reportId).execute();
    await recordAudit(trx, {
      actor: 'system',
      action: status === 'fetched' ? 'report.fetched' : 'report.unreachable',
      target: `report:${reportId}`,
      details,
    });
  });
}

/** The handlers of the reports domain's jobs: `report.fetch`. */
export function reportHandlers(deps: ReportFetchDependencies): Record<string, JobHandler> {
  return {
    [fetchKind]: async (job, signal, database) => {
      const reportId = reportIdOf(job);
      const report = await database.db
        .selectFrom('reports')
        .select(['id', 'url', 'url_key'])
        .where('id', '=', reportId)
        .executeTakeFirst();
      if (report === undefined) throw new NonRetryableError(`Report ${reportId} no longer exists.`);
      if (report.url === '') return;

      let fetched: Awaited<ReturnType<typeof fetchMedia>>;
      try {
        fetched = await fetchMedia(deps.guard, report.url, deps.limits, signal);
      } catch (error) {
        if (!isWardenError(error)) throw error;
        await finish(database, reportId, 'unreachable', { reason: error.message });
        throw new NonRetryableError(error.message, { cause: error });
      }

      const problems = [...fetched.problems];
      const media: ReportMedia[] = [];
      for (const found of fetched.media) {
        try {
          media.push({ item: await deps.evidence.put(database, found.bytes), url: found.url });
        } catch (error) {
          if (!isWardenError(error)) throw error;
          problems.push(`${found.url} was not kept: ${error.message}`);
        }
      }

      const matches: MatchJson[] = [];
      if (deps.matcher !== undefined) {
        const queries: MatchQuery[] = media.map(({ item }) => ({
          ...(item.pdq === '' ? {} : { pdq: item.pdq as PdqHash }),
          ...(item.quality === null ? {} : { quality: item.quality }),
          md5: item.md5,
          sha256: item.sha256,
        }));
        if (report.url_key !== '') queries.push({ url: report.url_key });
        for (const result of await deps.matcher.matchBatch(queries)) {
          for (const match of result.matches) {
            if (!matches.some((known) => known.entry_id === match.entryId)) matches.push(matchJson(match));
          }
        }
      }
      const hostCountry =
        deps.geo === undefined || fetched.hostAddress === '' ? '' : deps.geo.lookup(fetched.hostAddress);
      await deps.casework.attachMedia(reportId, media, {
        matches,
        hostAddress: fetched.hostAddress,
        hostCountry,
      });
      await finish(database, reportId, 'fetched', {
        final_url: fetched.finalUrl,
        media: media.map(({ item }) => item.sha256),
        problems,
      });
    },
  };
}

// The job that fetches a reported URL's media: through the network guard, into the evidence store, then
// through the content pipeline, which matches it and attaches it to the report (which may merge cases). A URL the guard or the
// server refuses for good marks the report unreachable; a network failure is retried by the queue.
import { recordAudit } from '../audit/index.js';
import { isRetryable, isWardenError } from '../errors/index.js';
import { fetchMedia } from '../evidence/index.js';
import type { EvidenceStore, FetchMediaLimits } from '../evidence/index.js';
import { NonRetryableError } from '../jobs/index.js';
import type { ClaimedJob, JobHandler } from '../jobs/index.js';
import type { GeoIpTable, NetworkGuard } from '../network/index.js';
import { evidenceSignals } from '../pipeline/index.js';
import type { ContentItem, ContentPipeline } from '../pipeline/index.js';
import type { Database } from '../store/index.js';
import { fetchKind } from './intake.js';

export interface ReportFetchDependencies {
  pipeline: ContentPipeline;
  evidence: EvidenceStore;
  guard: NetworkGuard;
  geo?: GeoIpTable | undefined;
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
        // A network failure or a server error is tried again by the queue; what will not change is final.
        if (!isWardenError(error) || isRetryable(error)) throw error;
        await finish(database, reportId, 'unreachable', { reason: error.message });
        throw new NonRetryableError(error.message, { cause: error });
      }

      const problems = [...fetched.problems];
      const items: ContentItem[] = [];
      for (const found of fetched.media) {
        try {
          const evidence = await deps.evidence.put(database, found.bytes);
          items.push({ signals: evidenceSignals(evidence), url: found.url, evidence });
        } catch (error) {
          if (!isWardenError(error)) throw error;
          problems.push(`${found.url} was not kept: ${error.message}`);
        }
      }
      // The page's media completes the report through the content pipeline: matched, judged by the rules,
      // announced to the platform when they call for it, in one transaction.
      await deps.pipeline.process({
        source: 'public',
        reporter: 'system',
        reportId,
        url: report.url,
        items,
        hostAddress: fetched.hostAddress,
        hostCountry:
          deps.geo === undefined || fetched.hostAddress === '' ? '' : deps.geo.lookup(fetched.hostAddress),
      });
      await finish(database, reportId, 'fetched', {
        final_url: fetched.finalUrl,
        media: items.map((item) => item.evidence?.sha256),
        problems,
      });
    },
  };
}

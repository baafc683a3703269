// `warden reports`: the reports Warden holds, for scripts (`--json`, one object per line) and people.
import { Option } from 'commander';
import type { Command } from 'commander';
import { WardenError } from '../errors/index.js';
import { listReports, reportSources } from '../reports/index.js';
import type { ReportQuery, ReportSource } from '../reports/index.js';
import type { CaseStatus } from '../store/index.js';
import type { Context } from './context.js';
import type { Action } from './index.js';
import { writeJson, writeLine } from './io.js';

const caseStatuses = ['new', 'in_review', 'second_opinion', 'awaiting_agreement', 'escalated', 'decided'];
const pageSize = 1000;

export function registerReports(program: Command, action: Action): void {
  const reports = program
    .command('reports')
    .description('Reports: public, platform, match and crawler intake.');
  reports
    .command('list')
    .description('List reports, oldest first.')
    .addOption(new Option('--source <source>', 'only reports from this source').choices([...reportSources]))
    .addOption(
      new Option('--status <status>', 'only reports whose case has this status').choices(caseStatuses),
    )
    .option('--after <id>', 'only reports with a larger id')
    .option('--limit <n>', 'at most this many (default all)')
    .option('--json', 'one JSON object per line')
    .action(
      action(
        async (
          context: Context,
          options: { source?: string; status?: string; after?: string; limit?: string; json?: boolean },
        ) => {
          const database = await context.database();
          let remaining = options.limit === undefined ? Infinity : count('--limit', options.limit);
          let afterId = options.after === undefined ? 0 : count('--after', options.after);
          const query: ReportQuery = {
            ...(options.source === undefined ? {} : { source: options.source as ReportSource }),
            ...(options.status === undefined ? {} : { status: options.status as CaseStatus }),
          };
          if (!options.json) writeLine(context.io, 'id\tsource\tcase\tcase status\tcreated\turl or media');
          // Pages of reports, so that a large store streams instead of filling memory.
          while (remaining > 0) {
            const page = await listReports(database, {
              ...query,
              afterId,
              limit: Math.min(pageSize, remaining),
            });
            for (const report of page) {
              if (options.json) writeJson(context.io, report);
              else
                writeLine(
                  context.io,
                  [
                    report.id,
                    report.source,
                    report.case_id ?? '-',
                    report.case_status ?? '-',
                    report.created_at,
                    report.url ?? report.media_url ?? '-',
                  ].join('\t'),
                );
            }
            const last = page.at(-1);
            if (last === undefined || page.length < pageSize) break;
            afterId = last.id;
            remaining -= page.length;
          }
        },
      ),
    );
}

function count(option: string, value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new WardenError('invalid_argument', `${option} takes a whole number of 0 or more; got "${value}".`);
  }
  return number;
}

// Telling public reporters the outcome. They hear that we acted or that we found nothing we could act
// on, never the category or grade; their address is erased once the mail is queued (data minimisation).
import { isWardenError } from '../errors/index.js';
import { enqueueMail } from '../mail/index.js';
import type { Db } from './context.js';

export type Outcome = 'confirmed' | 'not_actionable';

const outcomeWords: Record<Outcome, string> = {
  confirmed: 'we confirmed it and acted',
  not_actionable: 'we found nothing we could act on',
};

function outcomeMail(reference: string, outcome: Outcome): { subject: string; text: string } {
  return {
    subject: `Your report ${reference}`,
    text: [
      `Thank you for your report ${reference}.`,
      '',
      `We have reviewed it: ${outcomeWords[outcome]}.`,
      '',
      'We do not share further details of what we found. We have now deleted your email address from',
      'the report; you will not hear from us about it again.',
    ].join('\n'),
  };
}

/** Queues the outcome mail to one report's reporter (once: the report id is the dedupe key). */
export async function tellReporter(
  db: Db,
  report: { id: number; reference: string | null; contact_email: string | null },
  outcome: Outcome,
): Promise<void> {
  if (report.contact_email === null) return;
  try {
    await enqueueMail(
      db,
      { to: report.contact_email, ...outcomeMail(report.reference ?? `#${report.id}`, outcome) },
      `report-outcome:${report.id}`,
    );
  } catch (error) {
    // An address the mail domain will not take cannot hold up a decision; it is erased all the same.
    if (!(isWardenError(error) && error.code === 'invalid_argument')) throw error;
  }
  await db.updateTable('reports').set({ contact_email: null }).where('id', '=', report.id).execute();
}

/** Tells every reporter of a case who asked to hear the outcome. */
export async function tellReporters(db: Db, caseId: number, outcome: Outcome): Promise<number> {
  const reports = await db
    .selectFrom('reports')
    .select(['id', 'reference', 'contact_email'])
    .where('case_id', '=', caseId)
    .where('contact_email', 'is not', null)
    .execute();
  for (const report of reports) await tellReporter(db, report, outcome);
  return reports.length;
}

// The reports domain: intake (public reports, platform flags, matches, crawler hits), cases that group
// reports about the same content, the review queue with its locks, analysts' decisions under the
// two-person rule, search, the dashboard, and the job that fetches reported media.
export { Casework, caseworkOptions } from './casework.js';
export { reportHandlers } from './fetch-job.js';
export type { ReportFetchDependencies } from './fetch-job.js';
export { crawlConfirmedKind, fetchKind } from './intake.js';
export { listReports, getReport } from './list.js';
export { caseHashSignals, caseUrls, confirmedCaseIds } from './case-content.js';
export type { CaseUrl } from './case-content.js';
export { parseReference } from './reference.js';
export { reportSources, decisionKinds, itemVerdicts } from './types.js';
export type {
  ReportSource,
  ReportStatus,
  ReportSignals,
  ReportMedia,
  ReportInput,
  FetchRecord,
  FiledReport,
  AttachExtra,
  DecisionKind,
  DecisionInput,
  EvidenceSeen,
  ItemVerdict,
  ItemDecision,
  UrlDecision,
  ItemMatch,
  CaseUrl,
  CaseClaim,
  CaseLock,
  PublishSet,
  Reviewer,
  CaseworkOptions,
  CaseSummary,
  CaseReport,
  CaseMedia,
  CaseDecision,
  PendingConfirmation,
  HistoryEntry,
  CaseDetail,
  QueueQuery,
  QueuePage,
  Dashboard,
  PublicReportStatus,
  ReportJson,
  ReportQuery,
} from './types.js';

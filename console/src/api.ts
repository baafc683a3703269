// The console's client for the Warden HTTP API: typed from the API contract (snake_case as sent), with the
// session's CSRF token on every state-changing request and errors turned into ApiError a page can show.

export type Role = 'analyst' | 'supervisor' | 'admin';
export type CaseStatus =
  'new' | 'in_review' | 'second_opinion' | 'awaiting_agreement' | 'escalated' | 'decided' | 'merged';
export type DecisionKind = 'confirmed' | 'not_actionable' | 'second_opinion' | 'agree' | 'disagree';
export type MediaView = 'blurred' | 'revealed';

export interface SessionUser {
  id: number;
  username: string;
  display_name: string;
  role: Role;
}
export interface WellnessSettings {
  blur: boolean;
  greyscale: boolean;
  exposure_warning: number;
}
export interface WellnessLimits {
  allow_unblurred: boolean;
  allow_colour: boolean;
  max_exposure_warning: number;
}
export interface Session {
  user: SessionUser;
  settings: WellnessSettings;
  limits: WellnessLimits;
  exposure_today: number;
  csrf_token: string;
}
export interface UserJson extends SessionUser {
  disabled: boolean;
  created_at: string;
}

export interface ReviewConfig {
  grades: Record<string, string[]>;
  categories: string[];
  banks: { name: string; category: string }[];
  two_person_rule: boolean;
  reveal_before_confirm: boolean;
  lock_ms: number;
  heartbeat_ms: number;
}

export interface Match {
  bank: string;
  category: string;
  signal_type: string;
  /** Only for those who may read the banks. */
  signal?: string;
  distance: number;
  entry_id: number;
  variant?: string;
}

export interface CaseSummary {
  id: number;
  status: CaseStatus;
  category: string;
  grade: string;
  outcome: string;
  priority: number;
  reasons: string[];
  known_match: boolean;
  match_summary: string;
  source: string;
  report_count: number;
  first_reported_at: string;
  last_reported_at: string;
  locked_by: string | null;
  locked_until: string | null;
  url: string | null;
  media_count: number;
  thumbnail_sha256: string | null;
}
export interface CaseReport {
  id: number;
  source: string;
  reference: string | null;
  url: string | null;
  reason: string;
  category: string;
  reporter: string;
  platform_reference: string;
  created_at: string;
  host_country: string;
  signals: { pdq: string; md5: string; sha256: string; quality: number | null };
  matches: Match[];
  media: { sha256: string; url: string }[];
}
export interface CaseMedia {
  sha256: string;
  md5: string;
  pdq: string;
  quality: number | null;
  mime: string;
  width: number | null;
  height: number | null;
  size_bytes: number;
  url: string;
  /** The bank entries it matched, nearest first (never the entry's own hash). */
  matches: { bank: string; category: string; signal_type: string; distance: number; entry_id: number }[];
}
export type ItemVerdict = 'confirmed' | 'not_actionable';
export interface ItemDecision {
  sha256: string;
  verdict: ItemVerdict;
  grade?: string;
}
export interface UrlDecision {
  url: string;
  verdict: ItemVerdict;
}
export interface EvidenceSeen {
  sha256: string;
  revealed: boolean;
}
export interface CaseDecision {
  id: number;
  actor: string;
  role: string;
  kind: string;
  category: string;
  grade: string;
  reason: string;
  bank: string;
  evidence_seen: EvidenceSeen[];
  items: ItemDecision[];
  urls: UrlDecision[];
  reveal_rule: boolean;
  created_at: string;
}
export interface PendingConfirmation {
  actor: string;
  category: string;
  grade: string;
  bank: string;
  reason: string;
  created_at: string;
  /** What the confirmation publishes: its confirmed items (with grades) and URLs. */
  items: { sha256: string; grade: string }[];
  urls: string[];
}
export interface HistoryEntry {
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}
export interface CaseDetail extends CaseSummary {
  reports: CaseReport[];
  media: CaseMedia[];
  /** The page URLs, normalised as a confirmation publishes them. */
  urls: { url: string; reported: string }[];
  decisions: CaseDecision[];
  pending: PendingConfirmation | null;
  /** Who holds the case now, and the items they revealed in this claim (kept across page loads). */
  claim: { actor: string; revealed: string[] } | null;
  history: HistoryEntry[];
}
export interface DecisionInput {
  kind: DecisionKind;
  category?: string;
  grade?: string;
  reason: string;
  bank?: string;
  items?: ItemDecision[];
  urls?: UrlDecision[];
}
export interface Dashboard {
  reports_per_day: { day: string; source: string; count: number }[];
  confirmed: { category: string; grade: string; count: number }[];
  time_to_decision: { count: number; median_seconds: number | null; p90_seconds: number | null };
  hosting_countries: { country: string; count: number }[];
}
export interface PublicReportStatus {
  reference: string;
  status: 'received' | 'in review' | 'decided';
  created_at: string;
}

/** An error the API answered with ({error:{code,message}}), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken = '';
let onSignedOut: () => void = () => undefined;

/** Keeps the session's CSRF token, sent as x-csrf-token on every POST, PUT, PATCH and DELETE. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when the server says the session has ended (401), so the console can show the sign-in page. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== '') headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(
      0,
      'unavailable',
      'The server cannot be reached. Check your connection and try again.',
    );
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

async function errorOf(response: Response): Promise<ApiError> {
  let code = 'internal';
  let message = `The server answered ${response.status}.`;
  try {
    const parsed = (await response.json()) as { error?: { code?: string; message?: string } };
    code = parsed.error?.code ?? code;
    message = parsed.error?.message ?? message;
  } catch {
    // Not JSON: keep the generic message.
  }
  if (response.status === 401) onSignedOut();
  return new ApiError(response.status, code, message);
}

async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  return (await response.json()) as T;
}

async function empty(method: string, path: string, body?: unknown): Promise<void> {
  await send(method, path, body);
}

const query = (parameters: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
};

/**
 * The blurred, greyscale rendition of a piece of evidence: always safe to put in an <img>. Seen in a case,
 * the view is recorded in the case's history.
 */
export function blurredUrl(sha256: string, caseId?: number): string {
  return `/v1/evidence/${encodeURIComponent(sha256)}${query({ view: 'blurred', case_id: caseId })}`;
}

export const api = {
  // Public reports: no session needed.
  fileReport: (input: { url: string; reason: string; email?: string }) =>
    json<{ reference: string }>('POST', '/v1/public/reports', input),
  reportStatus: (reference: string) =>
    json<PublicReportStatus>('GET', `/v1/public/reports/${encodeURIComponent(reference)}`),

  session: () => json<Session>('GET', '/v1/session'),
  signIn: (username: string, password: string) =>
    json<Session>('POST', '/v1/session', { username, password }),
  signOut: () => empty('DELETE', '/v1/session'),
  /** Changes the signed-in person's password; the server then ends all their sessions. */
  changePassword: (currentPassword: string, newPassword: string) =>
    empty('PUT', '/v1/session/password', { current_password: currentPassword, new_password: newPassword }),
  updateSettings: (settings: Partial<WellnessSettings>) =>
    json<Session>('PATCH', '/v1/session/settings', settings),

  reviewConfig: () => json<ReviewConfig>('GET', '/v1/review/config'),
  queue: (parameters: { status?: CaseStatus; limit?: number; cursor?: string } = {}) =>
    json<{ cases: CaseSummary[]; next_cursor: string | null; held_by_others: number }>(
      'GET',
      `/v1/cases${query(parameters)}`,
    ),
  /** Claims the top case of the queue; when there is none (204), how many cases others hold. */
  claimNext: async (): Promise<{ claimed: CaseDetail } | { heldByOthers: number }> => {
    const response = await send('POST', '/v1/cases/next');
    if (response.status !== 204) return { claimed: (await response.json()) as CaseDetail };
    return { heldByOthers: Number(response.headers.get('x-held-by-others') ?? 0) };
  },
  getCase: (id: number) => json<CaseDetail>('GET', `/v1/cases/${id}`),
  claim: (id: number) => json<CaseDetail>('POST', `/v1/cases/${id}/claim`),
  release: (id: number) => empty('POST', `/v1/cases/${id}/release`),
  /** Renews this person's claim while the case is open; fails once the claim is no longer theirs. */
  heartbeat: (id: number) =>
    json<{ locked_by: string; locked_until: string }>('POST', `/v1/cases/${id}/heartbeat`),
  /**
   * Releases a claim while the page goes away (closed, reloaded, navigated): a keepalive request outlives
   * the page and, unlike sendBeacon, carries the CSRF header; failures are ignored.
   */
  releaseOnLeave: (id: number): void => {
    void fetch(`/v1/cases/${id}/release`, {
      method: 'POST',
      headers: { 'x-csrf-token': csrfToken },
      credentials: 'same-origin',
      keepalive: true,
    }).catch(() => undefined);
  },
  decide: (id: number, input: DecisionInput) => json<CaseDetail>('POST', `/v1/cases/${id}/decisions`, input),
  search: (text: string) => json<{ cases: CaseSummary[] }>('GET', `/v1/search${query({ q: text })}`),
  dashboard: (days: number) => json<Dashboard>('GET', `/v1/dashboard${query({ days })}`),

  /**
   * Reveals a piece of evidence: the server writes the view to the audit log and says how many items this
   * person has revealed today. The bytes come back as an object URL for an <img> or <video>.
   */
  reveal: async (
    sha256: string,
    caseId: number,
  ): Promise<{ objectUrl: string; exposureToday: number | null }> => {
    const path = `/v1/evidence/${encodeURIComponent(sha256)}${query({ view: 'revealed', case_id: caseId })}`;
    const response = await send('GET', path);
    const header = response.headers.get('x-exposure-today');
    const blob = await response.blob();
    return {
      objectUrl: URL.createObjectURL(blob),
      exposureToday: header === null || !/^\d+$/.test(header) ? null : Number(header),
    };
  },

  users: () => json<UserJson[]>('GET', '/v1/users'),
  createUser: (input: { username: string; password: string; role: Role; display_name?: string }) =>
    json<UserJson>('POST', '/v1/users', input),
  updateUser: (
    id: number,
    changes: { role?: Role; display_name?: string; password?: string; disabled?: boolean },
  ) => json<UserJson>('PATCH', `/v1/users/${id}`, changes),
  wellnessLimits: () => json<WellnessLimits>('GET', '/v1/wellness-limits'),
  setWellnessLimits: (limits: Partial<WellnessLimits>) =>
    json<WellnessLimits>('PUT', '/v1/wellness-limits', limits),
};

/** A message a person can act on, from anything a call threw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

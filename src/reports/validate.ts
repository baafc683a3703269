// Checking what intake is given, before anything is stored: every message says what is
// wrong in words the sender can act on.
import { WardenError } from '../errors/index.js';
import { parseMd5, parsePdqHash, parseSha256 } from '../hashing/index.js';
import type { MatchJson } from '../matching/index.js';
import { maxUrlLength, normaliseUrl } from '../network/index.js';
import { severityOf } from './priority.js';
import { reportSources } from './types.js';
import type { FetchRecord, ReportInput, ReportMedia, ReportSource } from './types.js';

export const maxReasonLength = 2000;
const maxEmailLength = 254;
const maxShortText = 200;
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f]/;
// The mail domain's notion of a plain address, plus a dot in the domain.
const emailPattern = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;

/** A report as intake stores it: checked, normalised, with its category settled. */
export interface CheckedReport {
  source: ReportSource;
  reporter: string;
  /** As given (trimmed) and in canonical form ('' for none). */
  url: string;
  urlKey: string;
  reason: string;
  category: string;
  contactEmail: string | null;
  platformReference: string;
  verdict: string;
  pdq: string;
  md5: string;
  sha256: string;
  quality: number | null;
  matches: MatchJson[];
  media: ReportMedia[];
  sourceIp: string;
  hostAddress: string;
  hostCountry: string;
  fetches: FetchRecord[];
}

/** Free text: bounded, line breaks normalised, no other control characters. */
export function checkText(field: string, value: unknown, limit: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new WardenError('invalid_argument', `The ${field} must be text.`);
  const text = value.replace(/\r\n?/g, '\n').trim();
  if (text.length > limit) {
    throw new WardenError(
      'invalid_argument',
      `The ${field} is ${text.length} characters long; the limit is ${limit}.`,
    );
  }
  if (controlCharacters.test(text)) {
    throw new WardenError('invalid_argument', `The ${field} contains control characters; remove them.`);
  }
  return text;
}

function checkEmail(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  const email = value.trim();
  if (email.length > maxEmailLength || !emailPattern.test(email)) {
    throw new WardenError(
      'invalid_argument',
      `"${email.slice(0, 80)}" is not an email address we can write to (expected the form person@example.org).`,
    );
  }
  return email;
}

function checkUrlText(value: string | undefined): { url: string; urlKey: string } {
  if (value === undefined || value.trim() === '') return { url: '', urlKey: '' };
  const url = value.trim();
  if (url.length > maxUrlLength) {
    throw new WardenError(
      'invalid_argument',
      `The URL is ${url.length} characters long; the limit is ${maxUrlLength}.`,
    );
  }
  return { url, urlKey: normaliseUrl(url) };
}

/** The graver of two categories (the first on a tie). */
function graver(a: string, b: string): string {
  return severityOf(b) > severityOf(a) ? b : a;
}

export function checkReportInput(
  input: ReportInput,
  grades: Record<string, readonly string[]>,
): CheckedReport {
  if (!(reportSources as readonly string[]).includes(input.source)) {
    throw new WardenError('invalid_argument', `A report's source is one of ${reportSources.join(', ')}.`);
  }
  const reporter = checkText('reporter', input.reporter, maxShortText);
  const { url, urlKey } = checkUrlText(input.url);
  const reason = checkText('reason', input.reason, maxReasonLength);
  const signals = input.signals ?? {};
  const quality = signals.quality ?? null;
  if (quality !== null && !(Number.isInteger(quality) && quality >= 0 && quality <= 100)) {
    throw new WardenError(
      'invalid_argument',
      `A PDQ quality is a whole number from 0 to 100; got ${quality}.`,
    );
  }
  const media = input.media ?? [];
  const first = media[0]?.item;
  const matches = input.matches ?? [];
  const report: CheckedReport = {
    source: input.source,
    reporter,
    url,
    urlKey,
    reason,
    category: 'other',
    contactEmail: checkEmail(input.contactEmail),
    platformReference: checkText('platform reference', input.platformReference, maxShortText),
    verdict: checkText('verdict', input.verdict ?? 'review', 40),
    pdq: signals.pdq === undefined || signals.pdq === '' ? (first?.pdq ?? '') : parsePdqHash(signals.pdq),
    md5: signals.md5 === undefined || signals.md5 === '' ? (first?.md5 ?? '') : parseMd5(signals.md5),
    sha256:
      signals.sha256 === undefined || signals.sha256 === ''
        ? (first?.sha256 ?? '')
        : parseSha256(signals.sha256),
    quality: signals.pdq === undefined || signals.pdq === '' ? (first?.quality ?? null) : quality,
    matches,
    media,
    sourceIp: checkText('source address', input.sourceIp, 100),
    hostAddress: checkText('host address', input.hostAddress, 100),
    hostCountry: checkText('host country', input.hostCountry, 2),
    fetches: (input.fetches ?? []).slice(0, maxFetches).map(checkFetch),
  };
  if (report.urlKey === '' && report.pdq === '' && report.md5 === '' && report.sha256 === '') {
    throw new WardenError(
      'invalid_argument',
      'A report needs something to identify the content: a URL, a hash or the media itself.',
    );
  }

  // The category: the reporter's (or a public reason naming one), or a matched bank's if graver.
  const said =
    knownCategory(grades, input.category?.trim().toLowerCase()) ??
    (input.source === 'public' ? knownCategory(grades, reason.toLowerCase()) : undefined) ??
    'other';
  report.category = graverCategory(said, matches, grades);
  return report;
}

function knownCategory(
  grades: Record<string, readonly string[]>,
  category: string | undefined,
): string | undefined {
  return category !== undefined && Object.hasOwn(grades, category) ? category : undefined;
}

/** The gravest of a category and the (configured) categories of the banks that matched. */
export function graverCategory(
  category: string,
  matches: readonly MatchJson[],
  grades: Record<string, readonly string[]>,
): string {
  return matches
    .map((match) => knownCategory(grades, match.category))
    .reduce<string>(
      (gravest, matched) => (matched === undefined ? gravest : graver(gravest, matched)),
      category,
    );
}

const maxFetches = 20;
const maxHeaders = 64;
const maxHeaderValue = 2000;

/** The fetch records a report's stored content keeps. */
export function fetchesOf(content: string): FetchRecord[] {
  const parsed = JSON.parse(content) as { fetches?: FetchRecord[] };
  return parsed.fetches ?? [];
}

/** Keeps a fetch record within bounds: a hostile server chooses its headers. */
function checkFetch(record: FetchRecord): FetchRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers).slice(0, maxHeaders)) {
    headers[name.slice(0, 200)] = String(value).slice(0, maxHeaderValue);
  }
  return {
    url: checkText('fetched URL', record.url, 4096),
    status: Number.isInteger(record.status) ? record.status : 0,
    fetched_at: checkText('fetch time', record.fetched_at, 40),
    address: checkText('fetched address', record.address, 100),
    headers,
  };
}

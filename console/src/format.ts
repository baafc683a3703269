// Words and numbers as the console shows them: ages, times, durations, statuses and categories.
import type { CaseStatus, DecisionKind, Session } from './api';

const statusWords: Record<CaseStatus, string> = {
  new: 'new',
  in_review: 'in review',
  second_opinion: 'second opinion asked',
  awaiting_agreement: 'awaiting agreement',
  escalated: 'escalated',
  decided: 'decided',
  merged: 'merged',
};

export function statusName(status: CaseStatus): string {
  return statusWords[status];
}

const categoryWords: Record<string, string> = {
  csam: 'child sexual abuse material',
  terrorism: 'terrorist content',
  ncii: 'intimate images shared without consent',
  harassment: 'harassment',
  other: 'other',
};

export function categoryName(category: string): string {
  if (category === '') return 'not set';
  return categoryWords[category] ?? category;
}

const kindWords: Record<DecisionKind, string> = {
  confirmed: 'confirmed',
  not_actionable: 'not actionable',
  second_opinion: 'second opinion asked',
  agree: 'agreed',
  disagree: 'disagreed',
};

export function decisionName(kind: string): string {
  return kind in kindWords ? kindWords[kind as DecisionKind] : kind;
}

/** "3 min", "2 h 5 min", "4 d 1 h" since the time given. */
export function age(iso: string, now: number = Date.now()): string {
  return duration(Math.max(0, (now - Date.parse(iso)) / 1000));
}

export function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return `${Math.round(seconds)} s`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}

/** Date and time in the browser's locale, to the minute. */
export function dateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "you" for the signed-in person; otherwise the actor as recorded (user:3, key:2, system). */
export function actorName(actor: string | null, session: Session | undefined): string {
  if (actor === null || actor === '') return '—';
  if (session !== undefined && actor === `user:${session.user.id}`) return 'you';
  return actor;
}

export function bytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

/** "1 item", "3 items". */
export function plural(amount: number, singular: string, plural = `${singular}s`): string {
  return `${amount} ${amount === 1 ? singular : plural}`;
}

/** Why there is nothing to claim: none waits, or some are held by other people right now. */
export function nothingToClaim(heldByOthers: number): string {
  return heldByOthers === 0
    ? 'No case waits in the queue.'
    : `No case is free to claim: ${plural(heldByOthers, 'case')} ${heldByOthers === 1 ? 'is' : 'are'} held by others right now.`;
}

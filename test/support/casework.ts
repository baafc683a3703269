// Casework test support: a clock the test moves by hand, a Casework with the test configuration, the
// reviewers who appear in the tests, made-up hashes and evidence rows as the evidence store writes them,
// and the WardenError a refused call gives. Nothing here is real material.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { WardenError } from '../../src/errors/index.js';
import type { EvidenceItem } from '../../src/evidence/index.js';
import { Casework } from '../../src/reports/index.js';
import type { CaseDetail, CaseworkOptions, DecisionInput, Reviewer } from '../../src/reports/index.js';
import type { Database } from '../../src/store/index.js';

export const minute = 60_000;
export const hour = 60 * minute;

/** Category → grades, as the default configuration has them. */
export const grades = { csam: ['A', 'B', 'C'], terrorism: [], ncii: [], harassment: [], other: [] };

/** A made-up PDQ hash. */
export const pdqA = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

export const alice: Reviewer = { actor: 'user:1', role: 'analyst', person: 1 };
export const bob: Reviewer = { actor: 'user:2', role: 'analyst', person: 2 };
export const carol: Reviewer = { actor: 'user:3', role: 'supervisor', person: 3 };

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** A clock the test moves by hand: forward by some milliseconds, or to a given time. */
export function testClock(start = '2025-03-01T09:00:00.000Z') {
  let time = Date.parse(start);
  return {
    clock: () => new Date(time),
    advance: (ms: number) => (time += ms),
    set: (at: string) => (time = Date.parse(at)),
  };
}

/** Casework as configured by default (two-person rule, 15-minute locks), changed by `options`. */
export function casework(database: Database, options: Partial<CaseworkOptions> = {}): Casework {
  return new Casework(database, {
    pdqThreshold: 31,
    lockMs: 15 * minute,
    twoPersonRule: true,
    grades,
    ...options,
  });
}

/** The hash with `bits` bits flipped, from bit `from` on: that many bits away. */
export function flip(hash: string, bits: number, from = 0): string {
  const bytes = Buffer.from(hash, 'hex');
  for (let bit = from; bit < from + bits; bit += 1)
    bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
  return bytes.toString('hex');
}

/** The WardenError that `promise` is refused with; fails the test if it resolves or fails otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<WardenError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WardenError);
  return error as WardenError;
}

/** An evidence record as the evidence store would give it (its row is written too, as put() does). */
export async function storedEvidence(database: Database, name: string, pdq: string): Promise<EvidenceItem> {
  const item: EvidenceItem = {
    sha256: sha256(name),
    md5: md5(name),
    pdq,
    quality: 100,
    mime: 'image/png',
    width: 32,
    height: 32,
    sizeBytes: 100,
    storedAt: '2025-03-01T09:00:00.000Z',
  };
  await database.db
    .insertInto('evidence')
    .values({
      sha256: item.sha256,
      md5: item.md5,
      pdq,
      quality: item.quality,
      mime: item.mime,
      width: item.width,
      height: item.height,
      size_bytes: item.sizeBytes,
      stored_at: item.storedAt,
    })
    .execute();
  return item;
}

/** A verdict on every media item and page URL of the case, as the console sends it. */
export async function everyItem(
  work: Casework,
  caseId: number,
  verdict: 'confirmed' | 'not_actionable' = 'confirmed',
): Promise<Required<Pick<DecisionInput, 'items' | 'urls'>>> {
  const detail = await work.getCase(caseId);
  return {
    items: detail.media.map((item) => ({ sha256: item.sha256, verdict })),
    urls: detail.urls.map((url) => ({ url: url.url, verdict })),
  };
}

/** Reveals every media item of a case the reviewer holds (as the evidence route does for each reveal). */
export async function revealAll(work: Casework, caseId: number, reviewer: Reviewer): Promise<void> {
  for (const item of (await work.getCase(caseId)).media)
    await work.recordReveal(caseId, reviewer, item.sha256);
}

/**
 * Confirms everything in a case the reviewer holds, having revealed it: for tests whose subject is what
 * happens after a confirmation, not the decision item by item.
 */
export async function confirmEverything(
  work: Casework,
  caseId: number,
  reviewer: Reviewer,
  decision: Omit<DecisionInput, 'kind' | 'items' | 'urls'>,
): Promise<CaseDetail> {
  await revealAll(work, caseId, reviewer);
  return work.decide(caseId, reviewer, {
    kind: 'confirmed',
    ...decision,
    ...(await everyItem(work, caseId)),
  });
}

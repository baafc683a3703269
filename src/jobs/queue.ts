// The job queue: a table of work to do later, claimed by workers with a lease. A job belongs to one
// worker while its lease runs; if that worker dies, the lease runs out and another worker claims the job.
// The lease owner and the attempt number together are a fencing token: only the holder of the current
// lease can finish a job, so a worker that comes back late cannot overwrite a newer attempt's outcome.
import type { Kysely, Selectable } from 'kysely';
import { WardenError } from '../errors/index.js';
import { now } from '../store/index.js';
import type { Database, JobStatus, Schema } from '../store/index.js';

export type JobId = number & { readonly __brand: 'JobId' };

export interface Job {
  id: JobId;
  kind: string;
  /** Fixed when the job is created, so every attempt does the same thing. */
  payload: unknown;
  status: JobStatus;
  /** Attempts started so far, including one in progress. */
  attempts: number;
  maxAttempts: number;
  /** When a pending job becomes ready. */
  runAt: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  lastError: string;
  dedupeKey: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** A job as its worker holds it: running, under a lease. */
export interface ClaimedJob extends Job {
  leaseOwner: string;
  leaseUntil: string;
}

/** What proves a worker holds a job's current lease. */
export type JobLease = Pick<ClaimedJob, 'id' | 'leaseOwner' | 'attempts'>;

export interface NewJob {
  kind: string;
  payload: unknown;
  runAt?: Date;
  /** Default 5. */
  maxAttempts?: number;
  /** A second job with the same key is not created: its enqueue returns the first job's id. */
  dedupeKey?: string;
}

export interface BackoffPolicy {
  /** Delay after the first failure; it doubles with each further failure. */
  baseMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 10_000, maxMs: 3_600_000 };

const kindPattern = /^[a-z][a-z0-9_.-]{0,63}$/;
const maxErrorLength = 2000;
type JobRow = Selectable<Schema['jobs']>;

/**
 * Adds a job. Pass a transaction to make the job part of the change that calls for it: the job exists
 * only if that change commits, so its side effects never happen for a change that was rolled back.
 */
export async function enqueueJob(db: Kysely<Schema>, job: NewJob): Promise<JobId> {
  if (!kindPattern.test(job.kind)) {
    throw new WardenError(
      'invalid_argument',
      `Invalid job kind "${job.kind.slice(0, 80)}": use lowercase letters, digits, ".", "_" or "-".`,
    );
  }
  const maxAttempts = job.maxAttempts ?? 5;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new WardenError(
      'invalid_argument',
      `maxAttempts must be a whole number of at least 1; got ${maxAttempts}.`,
    );
  }
  const payload = serialise(job.payload);
  const at = now();
  const inserted = await db
    .insertInto('jobs')
    .values({
      kind: job.kind,
      payload,
      status: 'pending',
      attempts: 0,
      max_attempts: maxAttempts,
      run_at: job.runAt?.toISOString() ?? at,
      dedupe_key: job.dedupeKey ?? null,
      last_error: '',
      created_at: at,
      updated_at: at,
    })
    .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted !== undefined) return inserted.id as JobId;
  const existing = await db
    .selectFrom('jobs')
    .select('id')
    .where('dedupe_key', '=', job.dedupeKey ?? '')
    .executeTakeFirstOrThrow();
  return existing.id as JobId;
}

export interface ClaimRequest {
  /** Who claims: recorded on the job, and half of the fencing token. */
  owner: string;
  kinds: readonly string[];
  limit: number;
  leaseMs: number;
}

/**
 * Claims up to `limit` ready jobs of the given kinds, oldest first: pending jobs whose time has come, and
 * running jobs whose lease ran out (their worker died). Each is leased to `owner` for `leaseMs` and its
 * attempt count goes up by one. Jobs whose last attempt was abandoned this way go to dead.
 */
export async function claimJobs(database: Database, request: ClaimRequest): Promise<ClaimedJob[]> {
  if (request.kinds.length === 0 || request.limit < 1) return [];
  const at = Date.now();
  const stamp = new Date(at).toISOString();
  const leaseUntil = new Date(at + request.leaseMs).toISOString();
  const skipLocked = database.dialect === 'postgres';

  await database.db
    .with('abandoned', (db) =>
      db
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'running')
        .where('lease_until', '<', stamp)
        .where('kind', 'in', request.kinds)
        .whereRef('attempts', '>=', 'max_attempts')
        .$if(skipLocked, (query) => query.forUpdate().skipLocked()),
    )
    .updateTable('jobs')
    .set({
      status: 'dead',
      last_error:
        'Abandoned: the worker running its last attempt stopped before finishing (its lease ran out).',
      lease_until: null,
      updated_at: stamp,
      finished_at: stamp,
    })
    .where('id', 'in', (db) => db.selectFrom('abandoned').select('id'))
    .execute();

  // One statement, so SQLite claims atomically without holding a transaction open across awaits; on
  // PostgreSQL, SKIP LOCKED lets concurrent claimers pass over each other's rows instead of queueing.
  const rows = await database.db
    .with('ready', (db) =>
      db
        .selectFrom('jobs')
        .select('id')
        .where('kind', 'in', request.kinds)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', stamp)]),
            eb.and([
              eb('status', '=', 'running'),
              eb('lease_until', '<', stamp),
              eb('attempts', '<', eb.ref('max_attempts')),
            ]),
          ]),
        )
        .orderBy('run_at')
        .orderBy('id')
        .limit(request.limit)
        .$if(skipLocked, (query) => query.forUpdate().skipLocked()),
    )
    .updateTable('jobs')
    .set((eb) => ({
      status: 'running',
      attempts: eb('attempts', '+', 1),
      lease_owner: request.owner,
      lease_until: leaseUntil,
      updated_at: stamp,
    }))
    .where('id', 'in', (db) => db.selectFrom('ready').select('id'))
    .returningAll()
    .execute();
  return rows.map((row) => toJob(row) as ClaimedJob).sort((a, b) => a.id - b.id);
}

/** Extends the lease of a job that is still running; refused (conflict) if the lease was lost. */
export async function renewJobLease(database: Database, lease: JobLease, leaseMs: number): Promise<string> {
  const at = Date.now();
  const leaseUntil = new Date(at + leaseMs).toISOString();
  const result = await heldBy(database, lease)
    .set({ lease_until: leaseUntil, updated_at: new Date(at).toISOString() })
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw lostLease(lease);
  return leaseUntil;
}

/** Marks a job done. Only the current lease holder may; anyone else gets a conflict. */
export async function completeJob(database: Database, lease: JobLease): Promise<Job> {
  const at = now();
  const row = await heldBy(database, lease)
    .set({ status: 'done', lease_until: null, updated_at: at, finished_at: at })
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw lostLease(lease);
  return toJob(row);
}

export interface FailureOptions {
  /** False sends the job to dead at once: trying again would fail the same way. */
  retryable: boolean;
  backoff?: BackoffPolicy;
}

/**
 * Records a failed attempt. A retryable failure with attempts left puts the job back to pending after an
 * exponential back-off; otherwise the job goes to dead, where a person can see it and retry it.
 */
export async function failJob(
  database: Database,
  lease: JobLease & Pick<Job, 'maxAttempts'>,
  error: unknown,
  options: FailureOptions,
): Promise<Job> {
  const at = Date.now();
  const stamp = new Date(at).toISOString();
  const message = errorText(error);
  const retry = options.retryable && lease.attempts < lease.maxAttempts;
  const change = retry
    ? {
        status: 'pending' as const,
        run_at: new Date(
          at + backoffDelayMs(lease.attempts, options.backoff ?? defaultBackoff),
        ).toISOString(),
        lease_owner: null,
        lease_until: null,
      }
    : { status: 'dead' as const, lease_until: null, finished_at: stamp };
  const row = await heldBy(database, lease)
    .set({ ...change, last_error: message, updated_at: stamp })
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw lostLease(lease);
  return toJob(row);
}

/**
 * The delay before the next attempt after `attempt` failures: doubling from the base up to the cap, with
 * random jitter over its upper half so that jobs failing together do not all come back together.
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(attempt - 1, 0));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Puts a dead job back to pending, ready now, with a fresh set of attempts. */
export async function retryJob(database: Database, id: number): Promise<Job> {
  const at = now();
  const row = await database.db
    .updateTable('jobs')
    .set({
      status: 'pending',
      attempts: 0,
      run_at: at,
      lease_owner: null,
      lease_until: null,
      finished_at: null,
      updated_at: at,
    })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .returningAll()
    .executeTakeFirst();
  if (row !== undefined) return toJob(row);
  const job = await getJob(database, id);
  throw new WardenError('conflict', `Job ${id} is ${job.status}; only dead jobs can be retried.`);
}

export async function getJob(database: Database, id: number): Promise<Job> {
  const row = await database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new WardenError('not_found', `No job with id ${id}.`);
  return toJob(row);
}

export interface JobQuery {
  kind?: string;
  status?: JobStatus;
  /** Only jobs whose dedupe key starts with this: the jobs about one subject, when keys name it. */
  dedupeKeyPrefix?: string;
  /** Jobs with an id above this (oldest first, keyset pagination). */
  afterId?: number;
  /** Default 100, at most 1000. */
  limit?: number;
}

export async function listJobs(database: Database, query: JobQuery = {}): Promise<Job[]> {
  const prefix = query.dedupeKeyPrefix;
  const rows = await database.db
    .selectFrom('jobs')
    .selectAll()
    .$if(query.kind !== undefined, (select) => select.where('kind', '=', query.kind ?? ''))
    .$if(query.status !== undefined, (select) => select.where('status', '=', query.status ?? 'pending'))
    .$if(prefix !== undefined, (select) =>
      select.where((eb) =>
        eb(eb.fn('substr', ['dedupe_key', eb.lit(1), eb.val(prefix?.length ?? 0)]), '=', prefix ?? ''),
      ),
    )
    .where('id', '>', query.afterId ?? 0)
    .orderBy('id')
    .limit(Math.min(Math.max(query.limit ?? 100, 1), 1000))
    .execute();
  return rows.map(toJob);
}

/** An update of one job that applies only while `lease` is its current lease: the fencing check. */
function heldBy(database: Database, lease: JobLease) {
  return database.db
    .updateTable('jobs')
    .where('id', '=', lease.id)
    .where('status', '=', 'running')
    .where('lease_owner', '=', lease.leaseOwner)
    .where('attempts', '=', lease.attempts);
}

function lostLease(lease: JobLease): WardenError {
  return new WardenError(
    'conflict',
    `Job ${lease.id} is no longer leased to ${lease.leaseOwner} for attempt ${lease.attempts}: the lease ran out and another worker took the job over, or it was finished. This outcome was discarded.`,
    { jobId: lease.id, owner: lease.leaseOwner, attempt: lease.attempts },
  );
}

function serialise(payload: unknown): string {
  // JSON.stringify gives undefined for undefined and functions, whatever its declared type says.
  let text: string | undefined;
  try {
    text = JSON.stringify(payload);
  } catch (error) {
    throw new WardenError('invalid_argument', `A job payload must be JSON: ${(error as Error).message}.`);
  }
  if (text === undefined)
    throw new WardenError('invalid_argument', 'A job payload must be JSON, not undefined.');
  return text;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > maxErrorLength ? `${text.slice(0, maxErrorLength - 1)}…` : text;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id as JobId,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    dedupeKey: row.dedupe_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

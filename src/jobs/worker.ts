// The job worker: claims ready jobs and runs their handlers, a few at a time, until it is told to stop.
// It keeps the lease of a long job alive, records each outcome (done, retry later, dead) under the
// fencing check, and survives anything a handler or the database throws at it. Any number of workers, in
// any number of processes, can share one queue.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { NonRetryableError, isRetryable, isWardenError } from '../errors/index.js';
import type { Database } from '../store/index.js';
import { claimJobs, completeJob, failJob, renewJobLease } from './queue.js';
import type { BackoffPolicy, ClaimedJob, Job } from './queue.js';

/**
 * Does one job. Handlers must be idempotent: a job whose worker died mid-way runs again in full. The
 * signal aborts if the worker loses the job's lease (another worker has taken the job over).
 */
export type JobHandler = (job: ClaimedJob, signal: AbortSignal, database: Database) => Promise<void>;

export interface WorkerOptions {
  /** Recorded on every job this worker claims. Default: host name, process id and a random suffix. */
  owner?: string;
  /** Jobs run at once. */
  concurrency: number;
  /** How long a claim lasts without renewal; a running job's lease is renewed every third of it. */
  leaseMs: number;
  /** One handler per job kind; the worker claims only these kinds. */
  handlers: Readonly<Record<string, JobHandler>>;
  /** How often to look for new jobs when the queue was empty. Default 1000. */
  pollMs?: number;
  backoff?: BackoffPolicy;
  /** Told about trouble that is not a job's own failure: the database, a lost lease. Default: stderr. */
  onError?: (error: unknown, job?: Job) => void;
}

export class Worker {
  readonly owner: string;
  private readonly kinds: string[];
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private running: Promise<void> | undefined;
  private wakeRequested = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly database: Database,
    private readonly options: WorkerOptions,
  ) {
    if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(
        `Worker concurrency must be a whole number of at least 1; got ${options.concurrency}.`,
      );
    }
    // The lease is renewed every third of it, which must be at least a millisecond.
    if (!Number.isFinite(options.leaseMs) || options.leaseMs < 3) {
      throw new RangeError(`Worker leaseMs must be at least 3; got ${options.leaseMs}.`);
    }
    this.owner = options.owner ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
    this.kinds = Object.keys(options.handlers);
  }

  /** Claims and runs jobs until the signal aborts or `shutdown` is called; then waits for jobs in flight. */
  run(signal: AbortSignal): Promise<void> {
    if (this.running !== undefined) throw new Error('This worker is already running.');
    this.running = this.loop(signal);
    return this.running;
  }

  /** Stops claiming jobs and resolves once the jobs in flight have finished and been recorded. */
  async shutdown(): Promise<void> {
    this.stop();
    await this.running;
  }

  private stop(): void {
    this.stopping = true;
    this.requestWake();
  }

  private requestWake(): void {
    this.wakeRequested = true;
    this.wake?.();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) this.stop();
    try {
      while (!this.stopping) {
        const free = this.options.concurrency - this.inFlight.size;
        if (free > 0) for (const job of await this.claim(free)) this.start(job);
        await this.pause();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Executions never reject: each records its own outcome and reports its own trouble.
      await Promise.all(this.inFlight);
    }
  }

  private async claim(limit: number): Promise<ClaimedJob[]> {
    try {
      return await claimJobs(this.database, {
        owner: this.owner,
        kinds: this.kinds,
        limit,
        leaseMs: this.options.leaseMs,
      });
    } catch (error) {
      this.report(error);
      return [];
    }
  }

  /** Waits for the poll interval, a freed slot, or a stop, whichever comes first. */
  private async pause(): Promise<void> {
    if (!this.wakeRequested) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    this.wakeRequested = false;
  }

  private start(job: ClaimedJob): void {
    const execution = this.execute(job).finally(() => {
      this.inFlight.delete(execution);
      this.requestWake();
    });
    this.inFlight.add(execution);
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const lost = new AbortController();
    const finished = new AbortController();
    const renewing = this.keepLease(job, finished.signal, lost);
    let failure: { error: unknown } | undefined;
    try {
      const handler = this.options.handlers[job.kind];
      if (handler === undefined)
        throw new NonRetryableError(`This worker has no handler for ${job.kind} jobs.`);
      await handler(job, lost.signal, this.database);
    } catch (error) {
      failure = { error };
    }
    finished.abort();
    await renewing;
    // The job now belongs to another worker, whose outcome is the one that counts.
    if (lost.signal.aborted) return;
    try {
      if (failure === undefined) await completeJob(this.database, job);
      else {
        await failJob(this.database, job, failure.error, {
          retryable: isRetryable(failure.error),
          ...(this.options.backoff === undefined ? {} : { backoff: this.options.backoff }),
        });
      }
    } catch (error) {
      this.report(error, job);
    }
  }

  private async keepLease(job: ClaimedJob, finished: AbortSignal, lost: AbortController): Promise<void> {
    for (;;) {
      try {
        await sleep(Math.floor(this.options.leaseMs / 3), undefined, { signal: finished });
      } catch {
        return;
      }
      try {
        await renewJobLease(this.database, job, this.options.leaseMs);
      } catch (error) {
        this.report(error, job);
        if (isWardenError(error) && error.code === 'conflict') {
          lost.abort(error);
          return;
        }
      }
    }
  }

  private report(error: unknown, job?: Job): void {
    const line = `job worker ${this.owner}: ${error instanceof Error ? error.message : String(error)}\n`;
    try {
      if (this.options.onError === undefined) process.stderr.write(line);
      else this.options.onError(error, job);
    } catch {
      // A reporter that throws must not take the worker down with it; stderr is all that is left.
      process.stderr.write(line);
    }
  }
}

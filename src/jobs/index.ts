// The jobs domain: a queue of work in the database, claimed by workers under leases, retried with
// back-off, and parked in a dead-letter state that a person can see and retry.
export {
  enqueueJob,
  claimJobs,
  renewJobLease,
  completeJob,
  failJob,
  retryJob,
  getJob,
  listJobs,
  backoffDelayMs,
  defaultBackoff,
} from './queue.js';
export type {
  Job,
  JobId,
  ClaimedJob,
  JobLease,
  NewJob,
  ClaimRequest,
  FailureOptions,
  BackoffPolicy,
  JobQuery,
} from './queue.js';
export { Worker } from './worker.js';
// Handlers throw it; it lives with the one error type so every domain decides retries the same way.
export { NonRetryableError } from '../errors/index.js';
export type { WorkerOptions, JobHandler } from './worker.js';
export type { JobStatus } from '../store/index.js';

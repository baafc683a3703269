// Job test support: a real worker, run until the jobs of one kind have settled, so that a test sees
// what a deployment's worker would do, retries included.
import { vi } from 'vitest';
import { Worker, listJobs } from '../../src/jobs/index.js';
import type { WorkerOptions } from '../../src/jobs/index.js';
import type { Database } from '../../src/store/index.js';

/**
 * Runs a worker until no job of `kind` is pending or running (each is done or dead), then shuts it down.
 * Leases are 5 s and the worker looks for work every 20 ms unless `options` says otherwise.
 */
export async function runJobsUntilSettled(
  database: Database,
  kind: string,
  options: Pick<WorkerOptions, 'concurrency' | 'handlers'> & Partial<WorkerOptions>,
): Promise<void> {
  const worker = new Worker(database, { leaseMs: 5000, pollMs: 20, ...options });
  const running = worker.run(new AbortController().signal);
  try {
    await vi.waitFor(
      async () => {
        // One query: a job may move from running back to pending between two.
        const unsettled = (await listJobs(database, { kind })).filter(
          (job) => job.status === 'pending' || job.status === 'running',
        );
        if (unsettled.length > 0) throw new Error(`${unsettled.length} ${kind} jobs not settled yet`);
      },
      { timeout: 15_000, interval: 20 },
    );
  } finally {
    await worker.shutdown();
    await running;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it, vi } from 'vitest';
import { WardenError } from '../errors/index.js';
import { describeEachEngine } from '../../test/support/index.js';
import type { Database } from '../store/index.js';
import { NonRetryableError, Worker, enqueueJob, getJob, listJobs } from './index.js';
import type { JobHandler, JobId, WorkerOptions } from './index.js';

const waitUntil = (check: () => Promise<boolean>, timeout = 15_000) =>
  vi.waitFor(
    async () => {
      if (!(await check())) throw new Error('not yet');
    },
    { timeout, interval: 20 },
  );

/** Starts a worker and returns it with the promise of its run. */
function startWorker(database: Database, options: Partial<WorkerOptions> & Pick<WorkerOptions, 'handlers'>) {
  const worker = new Worker(database, { concurrency: 4, leaseMs: 5000, pollMs: 20, ...options });
  const controller = new AbortController();
  const running = worker.run(controller.signal);
  return { worker, running, stop: () => controller.abort() };
}

describeEachEngine('job worker', (database) => {
  it('runs each job once across two workers on two connections', async () => {
    const second = await database().reopen();
    try {
      const ids = new Set<JobId>();
      for (let index = 0; index < 40; index += 1) {
        ids.add(await enqueueJob(database().db, { kind: 'test.record', payload: index }));
      }
      const runs: { id: JobId; owner: string }[] = [];
      const handler =
        (owner: string): JobHandler =>
        async (job) => {
          runs.push({ id: job.id, owner });
          await sleep(5 + Math.random() * 15);
        };
      const one = startWorker(database(), { owner: 'one', handlers: { 'test.record': handler('one') } });
      const two = startWorker(second, { owner: 'two', handlers: { 'test.record': handler('two') } });
      await waitUntil(async () => (await listJobs(database(), { status: 'done' })).length === 40);
      await Promise.all([one.worker.shutdown(), two.worker.shutdown()]);

      expect(runs).toHaveLength(40);
      expect(new Set(runs.map((run) => run.id))).toEqual(ids);
      expect(new Set(runs.map((run) => run.owner))).toEqual(new Set(['one', 'two']));
      const done = await listJobs(database());
      expect(done.every((job) => job.attempts === 1 && job.status === 'done')).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('retries a failing job with back-off, then parks it in dead, and keeps working', async () => {
    const flaky = await enqueueJob(database().db, { kind: 'test.flaky', payload: {}, maxAttempts: 3 });
    const doomed = await enqueueJob(database().db, { kind: 'test.doomed', payload: {}, maxAttempts: 3 });
    const refused = await enqueueJob(database().db, { kind: 'test.refused', payload: {}, maxAttempts: 3 });
    const permanent = await enqueueJob(database().db, {
      kind: 'test.permanent',
      payload: {},
      maxAttempts: 3,
    });
    const attempts: string[] = [];
    const errors: unknown[] = [];
    const running = startWorker(database(), {
      backoff: { baseMs: 20, maxMs: 100 },
      onError: (error) => errors.push(error),
      handlers: {
        'test.flaky': async (job) => {
          attempts.push(`flaky ${job.attempts}`);
          if (job.attempts < 3) throw new Error(`flaky attempt ${job.attempts}`);
          await Promise.resolve();
        },
        'test.doomed': (job) => {
          attempts.push(`doomed ${job.attempts}`);
          return Promise.reject(new Error('always fails'));
        },
        'test.refused': () => Promise.reject(new WardenError('invalid_argument', 'bad payload')),
        'test.permanent': () => Promise.reject(new NonRetryableError('receiver said 410 Gone')),
      },
    });
    // One query: a job may move from running back to pending between two.
    await waitUntil(async () =>
      (await listJobs(database())).every((job) => job.status === 'done' || job.status === 'dead'),
    );
    running.stop();
    await running.running;

    expect(await getJob(database(), flaky)).toMatchObject({
      status: 'done',
      attempts: 3,
      lastError: 'flaky attempt 2',
    });
    expect(await getJob(database(), doomed)).toMatchObject({
      status: 'dead',
      attempts: 3,
      lastError: 'always fails',
    });
    expect(await getJob(database(), refused)).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'bad payload',
    });
    expect(await getJob(database(), permanent)).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'receiver said 410 Gone',
    });
    expect(attempts.filter((text) => text.startsWith('doomed'))).toEqual([
      'doomed 1',
      'doomed 2',
      'doomed 3',
    ]);
    expect(errors).toEqual([]);
  });

  it('keeps the lease of a long job, so another worker does not take it', async () => {
    const second = await database().reopen();
    try {
      await enqueueJob(database().db, { kind: 'test.long', payload: {} });
      let runs = 0;
      const long: JobHandler = async () => {
        runs += 1;
        await sleep(1000);
      };
      const one = startWorker(database(), { leaseMs: 300, handlers: { 'test.long': long } });
      await waitUntil(() => Promise.resolve(runs === 1));
      const two = startWorker(second, { leaseMs: 300, handlers: { 'test.long': long } });
      await waitUntil(async () => (await listJobs(database(), { status: 'done' })).length === 1);
      await Promise.all([one.worker.shutdown(), two.worker.shutdown()]);
      expect(runs).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('tells a handler when its lease was taken over, and records nothing of its own', async () => {
    const id = await enqueueJob(database().db, { kind: 'test.long', payload: {} });
    let aborted: unknown;
    const errors: unknown[] = [];
    const running = startWorker(database(), {
      leaseMs: 300,
      onError: (error) => errors.push(error),
      handlers: {
        'test.long': (_job, signal) =>
          new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = signal.reason;
              resolve();
            });
          }),
      },
    });
    await waitUntil(async () => (await getJob(database(), id)).status === 'running');
    // What another worker's claim after an expired lease looks like to this one.
    await database()
      .db.updateTable('jobs')
      .set((eb) => ({ lease_owner: 'thief', attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
    await waitUntil(() => Promise.resolve(aborted !== undefined));
    await running.worker.shutdown();
    expect(aborted).toMatchObject({ code: 'conflict' });
    expect(errors).toEqual([aborted]);
    expect(await getJob(database(), id)).toMatchObject({
      status: 'running',
      leaseOwner: 'thief',
      attempts: 2,
    });
  });

  it('shuts down after the jobs in flight, and claims nothing more', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = await enqueueJob(database().db, { kind: 'test.gated', payload: {} });
    const running = startWorker(database(), { concurrency: 1, handlers: { 'test.gated': () => gate } });
    await waitUntil(async () => (await getJob(database(), first)).status === 'running');

    let stopped = false;
    const shutdown = running.worker.shutdown().then(() => (stopped = true));
    const second = await enqueueJob(database().db, { kind: 'test.gated', payload: {} });
    await sleep(100);
    expect(stopped).toBe(false);
    release();
    await shutdown;
    await running.running;
    expect((await getJob(database(), first)).status).toBe('done');
    expect((await getJob(database(), second)).status).toBe('pending');
  });

  it('gives each kind its own slots, so a backlog of slow jobs never holds back another kind', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The slow jobs are older, so a queue in one line would hand them all out first.
    const slow: JobId[] = [];
    for (let index = 0; index < 6; index += 1) {
      slow.push(await enqueueJob(database().db, { kind: 'test.slow', payload: index }));
    }
    const fast = await enqueueJob(database().db, { kind: 'test.fast', payload: {} });
    const running = startWorker(database(), {
      concurrency: { 'test.slow': 4, 'test.fast': 1 },
      handlers: { 'test.slow': () => gate, 'test.fast': () => Promise.resolve() },
    });
    await waitUntil(async () => (await getJob(database(), fast)).status === 'done');
    const statuses = await Promise.all(slow.map(async (id) => (await getJob(database(), id)).status));
    expect(statuses.filter((status) => status === 'running')).toHaveLength(4);
    expect(statuses.filter((status) => status === 'pending')).toHaveLength(2);
    release();
    await waitUntil(async () => (await listJobs(database(), { status: 'done' })).length === 7);
    await running.worker.shutdown();
  });

  it('refuses nonsense settings', () => {
    expect(() => new Worker(database(), { concurrency: 0, leaseMs: 1000, handlers: {} })).toThrow(
      /concurrency/,
    );
    expect(() => new Worker(database(), { concurrency: 1, leaseMs: 0, handlers: {} })).toThrow(/leaseMs/);
    const handlers = { 'test.a': () => Promise.resolve(), 'test.b': () => Promise.resolve() };
    expect(() => new Worker(database(), { concurrency: { 'test.a': 1 }, leaseMs: 1000, handlers })).toThrow(
      'Worker concurrency for test.b jobs must be a whole number of at least 1; got undefined.',
    );
    expect(
      () =>
        new Worker(database(), {
          concurrency: { 'test.a': 1, 'test.b': 1, 'test.c': 1 },
          leaseMs: 1000,
          handlers,
        }),
    ).toThrow(/no handler for: test\.c/);
  });
});

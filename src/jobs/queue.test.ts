import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/index.js';
import {
  backoffDelayMs,
  claimJobs,
  completeJob,
  enqueueJob,
  failJob,
  getJob,
  listJobs,
  renewJobLease,
  retryJob,
} from './index.js';
import type { ClaimedJob, JobId } from './index.js';

const lease = (owner: string, leaseMs = 60_000, kinds = ['test.echo']) => ({
  owner,
  kinds,
  limit: 10,
  leaseMs,
});

describe('back-off', () => {
  it('doubles from the base up to the cap, jittered over the upper half', () => {
    const policy = { baseMs: 1000, maxMs: 30_000 };
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, policy, () => 1))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, policy, () => 0))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(backoffDelayMs(6, policy, () => 1)).toBe(30_000);
    expect(backoffDelayMs(60, policy, () => 0.5)).toBe(22_500);
  });
});

describeEachEngine('job queue', (database) => {
  it('enqueues, reads back and lists jobs', async () => {
    const id = await enqueueJob(database().db, { kind: 'test.echo', payload: { text: 'é ☃', n: [1, 2] } });
    const job = await getJob(database(), id);
    expect(job).toMatchObject({
      id,
      kind: 'test.echo',
      payload: { text: 'é ☃', n: [1, 2] },
      status: 'pending',
      attempts: 0,
      maxAttempts: 5,
      leaseOwner: null,
      lastError: '',
      dedupeKey: null,
      finishedAt: null,
    });
    await expect(getJob(database(), id + 1000)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses bad kinds, payloads and attempt counts', async () => {
    const db = database().db;
    await expect(enqueueJob(db, { kind: 'Has Space', payload: {} })).rejects.toThrow(/Invalid job kind/);
    await expect(enqueueJob(db, { kind: 'test.echo', payload: undefined })).rejects.toThrow(/must be JSON/);
    await expect(enqueueJob(db, { kind: 'test.echo', payload: { n: 1n } })).rejects.toThrow(/must be JSON/);
    await expect(enqueueJob(db, { kind: 'test.echo', payload: {}, maxAttempts: 0 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('treats a second job with the same dedupe key as the first', async () => {
    const first = await enqueueJob(database().db, { kind: 'test.echo', payload: 1, dedupeKey: 'thing:1' });
    const again = await enqueueJob(database().db, { kind: 'test.echo', payload: 2, dedupeKey: 'thing:1' });
    const other = await enqueueJob(database().db, { kind: 'test.echo', payload: 3, dedupeKey: 'thing:2' });
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect((await listJobs(database())).map((job) => job.payload)).toEqual([1, 3]);
    const inTransaction = await database()
      .db.transaction()
      .execute(async (trx) => {
        const created = await enqueueJob(trx, { kind: 'test.echo', payload: 4, dedupeKey: 'thing:3' });
        expect(await enqueueJob(trx, { kind: 'test.echo', payload: 5, dedupeKey: 'thing:3' })).toBe(created);
        return created;
      });
    expect((await getJob(database(), inTransaction)).payload).toBe(4);
  });

  it('creates a job in a transaction only if the transaction commits', async () => {
    await expect(
      database()
        .db.transaction()
        .execute(async (trx) => {
          await enqueueJob(trx, { kind: 'test.echo', payload: 'rolled back' });
          throw new Error('the change failed');
        }),
    ).rejects.toThrow('the change failed');
    expect(await listJobs(database())).toEqual([]);
    await database()
      .db.transaction()
      .execute((trx) => enqueueJob(trx, { kind: 'test.echo', payload: 'committed' }));
    expect((await listJobs(database())).map((job) => job.payload)).toEqual(['committed']);
  });

  it('claims ready jobs of the asked kinds, oldest first, each once', async () => {
    const db = database().db;
    const a = await enqueueJob(db, { kind: 'test.echo', payload: 'a' });
    const b = await enqueueJob(db, { kind: 'test.echo', payload: 'b', runAt: new Date(Date.now() - 60_000) });
    await enqueueJob(db, { kind: 'test.echo', payload: 'later', runAt: new Date(Date.now() + 60_000) });
    await enqueueJob(db, { kind: 'test.other', payload: 'other kind' });

    const claimed = await claimJobs(database(), { ...lease('worker-1'), limit: 1 });
    expect(claimed.map((job) => job.id)).toEqual([b]);
    expect(claimed[0]).toMatchObject({ status: 'running', attempts: 1, leaseOwner: 'worker-1' });
    expect(Date.parse(claimed[0]?.leaseUntil ?? '')).toBeGreaterThan(Date.now() + 50_000);

    expect((await claimJobs(database(), lease('worker-2'))).map((job) => job.id)).toEqual([a]);
    expect(await claimJobs(database(), lease('worker-3'))).toEqual([]);
    expect(await claimJobs(database(), { ...lease('worker-3'), kinds: [] })).toEqual([]);
  });

  it('never hands one job to two claimers at once, across connections', async () => {
    const second = await database().reopen();
    try {
      for (let index = 0; index < 60; index += 1) {
        await enqueueJob(database().db, { kind: 'test.echo', payload: index });
      }
      const claimedBy = new Map<JobId, string>();
      const claimer = async (connection: typeof second, owner: string) => {
        for (;;) {
          const jobs = await claimJobs(connection, { ...lease(owner), limit: 3 });
          if (jobs.length === 0) return;
          for (const job of jobs) {
            expect(claimedBy.get(job.id), `job ${job.id}`).toBeUndefined();
            claimedBy.set(job.id, owner);
          }
        }
      };
      await Promise.all([
        claimer(database(), 'a1'),
        claimer(second, 'b1'),
        claimer(database(), 'a2'),
        claimer(second, 'b2'),
      ]);
      expect(claimedBy.size).toBe(60);
      expect((await listJobs(database(), { status: 'running' })).every((job) => job.attempts === 1)).toBe(
        true,
      );
    } finally {
      await second.close();
    }
  });

  it('claims again a job whose worker vanished, and refuses the late outcome of the old lease', async () => {
    const id = await enqueueJob(database().db, { kind: 'test.echo', payload: {} });
    const [ghost] = await claimJobs(database(), lease('ghost', 300));
    expect(await claimJobs(database(), lease('alive'))).toEqual([]);
    await sleep(350);
    const [alive] = await claimJobs(database(), lease('alive'));
    expect(alive).toMatchObject({ id, attempts: 2, leaseOwner: 'alive' });
    if (ghost === undefined || alive === undefined) throw new Error('expected both claims');

    const refused = {
      code: 'conflict',
      message: expect.stringMatching(/no longer leased to ghost/) as string,
    };
    await expect(completeJob(database(), ghost)).rejects.toMatchObject(refused);
    await expect(failJob(database(), ghost, new Error('late'), { retryable: true })).rejects.toMatchObject(
      refused,
    );
    await expect(renewJobLease(database(), ghost, 1000)).rejects.toMatchObject(refused);
    // The same owner with a stale attempt number is refused too: the token is owner and attempt.
    await expect(completeJob(database(), { ...alive, attempts: 1 })).rejects.toMatchObject({
      code: 'conflict',
    });

    expect(Date.parse(await renewJobLease(database(), alive, 120_000))).toBeGreaterThan(Date.now() + 100_000);
    expect(await completeJob(database(), alive)).toMatchObject({ status: 'done', attempts: 2 });
    await expect(completeJob(database(), alive)).rejects.toMatchObject({ code: 'conflict' });
    expect((await getJob(database(), id)).finishedAt).not.toBeNull();
  });

  it('lets the lease holder finish after its lease ran out if nobody took the job over', async () => {
    await enqueueJob(database().db, { kind: 'test.echo', payload: {} });
    const [slow] = await claimJobs(database(), lease('slow', 10));
    await sleep(30);
    expect(await completeJob(database(), slow as ClaimedJob)).toMatchObject({ status: 'done' });
  });

  it('backs off after retryable failures and parks the job in dead after the last attempt', async () => {
    const id = await enqueueJob(database().db, { kind: 'test.echo', payload: {}, maxAttempts: 2 });
    const backoff = { baseMs: 400, maxMs: 10_000 };
    const [first] = await claimJobs(database(), lease('w'));
    const before = Date.now();
    const retried = await failJob(database(), first as ClaimedJob, new Error('receiver down'), {
      retryable: true,
      backoff,
    });
    expect(retried).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'receiver down',
      leaseOwner: null,
    });
    // The retry waits 200 to 400 ms (half the base to the base) from the failure, however long failJob took.
    const after = Date.now();
    expect(Date.parse(retried.runAt)).toBeGreaterThanOrEqual(before + 200);
    expect(Date.parse(retried.runAt)).toBeLessThanOrEqual(after + 400);
    expect(await claimJobs(database(), lease('w'))).toEqual([]);

    await sleep(450);
    const [second] = await claimJobs(database(), lease('w'));
    expect(second).toMatchObject({ id, attempts: 2 });
    const dead = await failJob(database(), second as ClaimedJob, new Error('still down'), {
      retryable: true,
      backoff,
    });
    expect(dead).toMatchObject({ status: 'dead', attempts: 2, lastError: 'still down' });
    expect(dead.finishedAt).not.toBeNull();
    expect((await listJobs(database(), { status: 'dead' })).map((job) => job.id)).toEqual([id]);
  });

  it('sends a job to dead at once on a failure that is not retryable', async () => {
    await enqueueJob(database().db, { kind: 'test.echo', payload: {}, maxAttempts: 10 });
    const [job] = await claimJobs(database(), lease('w'));
    const dead = await failJob(database(), job as ClaimedJob, 'plain text thrown', { retryable: false });
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, lastError: 'plain text thrown' });
  });

  it('buries a job whose last attempt was abandoned', async () => {
    const id = await enqueueJob(database().db, { kind: 'test.echo', payload: {}, maxAttempts: 1 });
    await claimJobs(database(), lease('crashed', 10));
    await sleep(30);
    expect(await claimJobs(database(), lease('next'))).toEqual([]);
    expect(await getJob(database(), id)).toMatchObject({
      status: 'dead',
      lastError: expect.stringMatching(/Abandoned/) as string,
    });
  });

  it('retries dead jobs only, with fresh attempts', async () => {
    const id = await enqueueJob(database().db, { kind: 'test.echo', payload: {}, maxAttempts: 1 });
    await expect(retryJob(database(), id)).rejects.toMatchObject({
      code: 'conflict',
      message: `Job ${id} is pending; only dead jobs can be retried.`,
    });
    const [job] = await claimJobs(database(), lease('w'));
    await failJob(database(), job as ClaimedJob, new Error('gone wrong'), { retryable: true });
    const retried = await retryJob(database(), id);
    expect(retried).toMatchObject({
      status: 'pending',
      attempts: 0,
      finishedAt: null,
      lastError: 'gone wrong',
    });
    expect(await claimJobs(database(), lease('w'))).toMatchObject([{ id, attempts: 1 }]);
    await expect(retryJob(database(), id + 1000)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists by kind, status, dedupe key prefix and page', async () => {
    const db = database().db;
    const ids: JobId[] = [];
    for (const [kind, key] of [
      ['test.echo', 'hook:1:a'],
      ['test.echo', 'hook:12:b'],
      ['test.other', 'hook:1:c'],
      ['test.echo', null],
      ['test.echo', 'hook:1:d'],
    ] as const) {
      ids.push(await enqueueJob(db, { kind, payload: {}, ...(key === null ? {} : { dedupeKey: key }) }));
    }
    const idsOf = async (query: Parameters<typeof listJobs>[1]) =>
      (await listJobs(database(), query)).map((job) => ids.indexOf(job.id));
    expect(await idsOf({ kind: 'test.echo' })).toEqual([0, 1, 3, 4]);
    expect(await idsOf({ dedupeKeyPrefix: 'hook:1:' })).toEqual([0, 2, 4]);
    expect(await idsOf({ kind: 'test.echo', dedupeKeyPrefix: 'hook:1:', limit: 1 })).toEqual([0]);
    expect(await idsOf({ kind: 'test.echo', afterId: ids[1] })).toEqual([3, 4]);
    expect(await idsOf({ status: 'dead' })).toEqual([]);
  });
});

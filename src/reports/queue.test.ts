// The review queue: its order and the reasons given for it, pages, locks (held, renewed, expired,
// released), who sees what, and claims racing from several reviewers at once.
import { expect, it } from 'vitest';
import { listAudit } from '../audit/index.js';
import {
  alice,
  bob,
  carol,
  casework,
  confirmEverything,
  describeEachEngine,
  minute,
  pdqA,
  rejection,
  testClock,
} from '../../test/support/index.js';
import type { Casework } from './index.js';

describeEachEngine('review queue', (database) => {
  it('puts known matches above severity, severity above source, source above age, and says why', async () => {
    const time = testClock();
    const work = casework(database(), { clock: time.clock });
    const file = (url: string, extra: Partial<Parameters<Casework['fileReport']>[0]> = {}) =>
      work.fileReport({ source: 'public', reporter: 'public', url, ...extra });
    const oldPublicOther = await file('https://a.example/1');
    time.advance(10 * minute);
    const platformOther = await file('https://a.example/2', { source: 'platform', reporter: 'key:1' });
    time.advance(10 * minute);
    const publicNcii = await file('https://a.example/3', { reason: 'ncii' });
    time.advance(10 * minute);
    const newPublicOther = await file('https://a.example/4');
    time.advance(10 * minute);
    const knownMatch = await file('https://a.example/5', {
      reason: 'other',
      matches: [
        {
          bank: 'csam-standin',
          category: 'csam',
          signal_type: 'pdq',
          signal: pdqA,
          distance: 3,
          entry_id: 7,
        },
      ],
    });
    time.advance(125 * minute);

    const { cases } = await work.queue(alice);
    expect(cases.map((summary) => summary.id)).toEqual(
      [knownMatch, publicNcii, platformOther, oldPublicOther, newPublicOther].map((filed) => filed.caseId),
    );
    expect(cases[0]).toMatchObject({
      known_match: true,
      category: 'csam',
      priority: 1000 + 500 + 1,
      reasons: [
        'known match: csam-standin (distance 3)',
        'severity: csam',
        'source: public report',
        'waiting 2 h 5 min',
      ],
      url: 'https://a.example/5',
      report_count: 1,
    });
    expect(cases[2]?.reasons).toEqual(['severity: other', 'source: platform flag', 'waiting 2 h 35 min']);
    expect(cases.map((summary) => summary.priority)).toEqual([1501, 301, 102, 101, 101]);
  });

  it('pages through the queue with an opaque cursor, in the same order', async () => {
    const time = testClock();
    const work = casework(database(), { clock: time.clock });
    const ids: number[] = [];
    for (let index = 0; index < 7; index += 1) {
      ids.push(
        (await work.fileReport({ source: 'public', reporter: 'public', url: `https://b.example/${index}` }))
          .caseId,
      );
      // Two at each time: the id decides among equals.
      if (index % 2 === 1) time.advance(minute);
    }
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await work.queue(alice, { limit: 3, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...result.cases.map((summary) => summary.id));
      if (result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(ids);
    expect((await rejection(work.queue(alice, { cursor: 'nonsense' }))).code).toBe('invalid_argument');
  });

  it('locks a case to one analyst until the lock runs out, and shows who holds it', async () => {
    const time = testClock();
    const work = casework(database(), { clock: time.clock });
    const { caseId } = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://c.example/',
    });

    const claimed = await work.claim(caseId, alice);
    expect(claimed).toMatchObject({
      status: 'in_review',
      locked_by: alice.actor,
      locked_until: '2025-03-01T09:15:00.000Z',
    });
    const conflict = await rejection(work.claim(caseId, bob));
    expect(conflict.code).toBe('conflict');
    expect(conflict.message).toContain('user:1');
    expect(conflict.message).toContain('2025-03-01T09:15:00.000Z');
    expect((await work.queue(bob)).cases[0]).toMatchObject({ status: 'in_review', locked_by: 'user:1' });
    expect(await work.claimNext(bob)).toBeUndefined();

    // Claiming again renews; after the lock runs out anyone may take it.
    time.advance(10 * minute);
    expect((await work.claim(caseId, alice)).locked_until).toBe('2025-03-01T09:25:00.000Z');
    time.advance(15 * minute + 1);
    expect((await work.queue(bob)).cases[0]).toMatchObject({
      status: 'new',
      locked_by: null,
      locked_until: null,
    });
    expect((await work.queue(bob, { status: 'new' })).cases).toHaveLength(1);
    expect((await work.queue(bob, { status: 'in_review' })).cases).toHaveLength(0);
    expect((await work.claimNext(bob))?.locked_by).toBe(bob.actor);
    expect((await rejection(work.release(caseId, alice))).code).toBe('conflict');

    await work.release(caseId, bob);
    expect((await work.getCase(caseId)).status).toBe('new');
    // A supervisor may free a case someone left locked.
    await work.claim(caseId, alice);
    await work.release(caseId, carol);
    expect((await work.getCase(caseId)).locked_by).toBeNull();

    const actions = (await listAudit(database(), {}))
      .map((entry) => `${entry.action} ${entry.actor}`)
      .reverse();
    expect(actions.filter((action) => action.startsWith('case.'))).toEqual([
      'case.claimed user:1',
      'case.claimed user:2',
      'case.released user:2',
      'case.claimed user:1',
      'case.released user:3',
    ]);
  });

  it('hides a second opinion from the analyst who asked for it, and escalations from analysts', async () => {
    const work = casework(database());
    const first = await work.fileReport({ source: 'public', reporter: 'public', url: 'https://d.example/1' });
    const second = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://d.example/2',
    });

    await work.claim(first.caseId, alice);
    const asked = await work.decide(first.caseId, alice, {
      kind: 'second_opinion',
      reason: 'not sure of the age',
    });
    expect(asked).toMatchObject({ status: 'second_opinion', locked_by: null });
    expect((await work.queue(alice)).cases.map((summary) => summary.id)).toEqual([second.caseId]);
    expect((await work.queue(bob)).cases.map((summary) => summary.id)).toEqual([first.caseId, second.caseId]);
    expect((await rejection(work.claim(first.caseId, alice))).code).toBe('forbidden');
    expect((await work.claimNext(alice))?.id).toBe(second.caseId);

    // Bob confirms; the confirmation waits for agreement, which Bob cannot give himself.
    const claimed = await work.claim(first.caseId, bob);
    expect(claimed.status).toBe('second_opinion');
    await confirmEverything(work, first.caseId, bob, { category: 'harassment', reason: 'threats' });
    expect((await work.queue(bob, { status: 'awaiting_agreement' })).cases).toEqual([]);
    expect(
      (await work.queue(alice, { status: 'awaiting_agreement' })).cases.map((summary) => summary.id),
    ).toEqual([first.caseId]);

    // Alice disagrees: escalated, seen only by supervisors and admins.
    await work.release(second.caseId, alice);
    await work.claim(first.caseId, alice);
    await work.decide(first.caseId, alice, { kind: 'disagree', reason: 'a quote, not a threat' });
    expect((await work.queue(alice)).cases.map((summary) => summary.id)).toEqual([second.caseId]);
    expect((await work.queue(alice, { status: 'escalated' })).cases).toEqual([]);
    expect((await work.queue(carol)).cases.map((summary) => summary.id)).toEqual([
      first.caseId,
      second.caseId,
    ]);
    expect((await rejection(work.claim(first.caseId, bob))).code).toBe('forbidden');
    expect((await work.claim(first.caseId, { actor: 'user:9', role: 'admin' })).status).toBe('escalated');
  });

  it('gives each of many reviewers claiming at once a different case', async () => {
    const work = casework(database());
    for (let index = 0; index < 6; index += 1) {
      await work.fileReport({ source: 'public', reporter: 'public', url: `https://e.example/${index}` });
    }
    // Separate Casework objects, as separate server processes would have.
    const reviewers = Array.from({ length: 8 }, (_, index) => ({
      actor: `user:${100 + index}`,
      role: 'analyst',
    }));
    const claimed = await Promise.all(reviewers.map((reviewer) => casework(database()).claimNext(reviewer)));
    const ids = claimed.flatMap((detail) => (detail === undefined ? [] : [detail.id]));
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect(claimed.filter((detail) => detail === undefined)).toHaveLength(2);
    const locks = await database().db.selectFrom('cases').select(['id', 'locked_by']).execute();
    for (const detail of claimed) {
      if (detail !== undefined)
        expect(locks.find((row) => row.id === detail.id)?.locked_by).toBe(detail.locked_by);
    }
  });

  it('keeps a case held while heartbeats come, lets go when they stop, and counts cases held by others', async () => {
    const time = testClock();
    const work = casework(database(), { clock: time.clock, lockMs: 2 * minute });
    const first = await work.fileReport({ source: 'public', reporter: 'public', url: 'https://h1.example/' });
    const second = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://h2.example/',
    });
    await work.claim(first.caseId, alice);
    await work.claim(second.caseId, alice);

    // Twenty minutes of heartbeats, each well within the two-minute lock: both still Alice's.
    for (let beat = 0; beat < 30; beat += 1) {
      time.advance(40_000);
      await work.heartbeat(second.caseId, alice);
      expect(await work.heartbeat(first.caseId, alice)).toEqual({
        locked_by: alice.actor,
        locked_until: new Date(time.clock().getTime() + 2 * minute).toISOString(),
      });
    }
    // Bob finds nothing to claim, and is told why: both cases are held by someone else.
    expect(await work.claimNext(bob)).toBeUndefined();
    expect(await work.heldByOthers(bob)).toBe(2);
    expect((await work.queue(bob)).heldByOthers).toBe(2);
    expect(await work.heldByOthers(alice)).toBe(0);
    // Another person's heartbeat does not renew or take the lock.
    expect((await rejection(work.heartbeat(first.caseId, bob))).message).toMatch(/held by user:1/);

    // The second case's tab is gone (no more heartbeats): its lock runs out and Bob may take it.
    time.advance(40_000);
    await work.heartbeat(first.caseId, alice);
    time.advance(90_000);
    await work.heartbeat(first.caseId, alice);
    expect((await work.getCase(second.caseId)).locked_by).toBeNull();
    expect(await work.heldByOthers(bob)).toBe(1);
    expect((await work.claimNext(bob))?.id).toBe(second.caseId);
    expect((await rejection(work.heartbeat(second.caseId, alice))).message).toMatch(/held by user:2/);

    // A supervisor releases Alice's case; her page's next heartbeat does not take it back.
    await work.release(first.caseId, carol);
    const ended = await rejection(work.heartbeat(first.caseId, alice));
    expect(ended).toMatchObject({ code: 'conflict' });
    expect(ended.message).toMatch(/claim it again/);
    expect((await work.getCase(first.caseId)).locked_by).toBeNull();
    const released = await listAudit(database(), { action: 'case.released' });
    expect(released.map((entry) => [entry.actor, entry.details])).toContainEqual([
      carol.actor,
      { case_id: first.caseId, held_by: alice.actor },
    ]);
  });
});

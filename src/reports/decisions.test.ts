// Decisions: the lifecycle of a case under the two-person rule, what a confirmation publishes (only the
// items and URLs confirmed, a webhook event), escalation, the checks on who may decide what, and the
// outcome mail to public reporters. Item-by-item verdicts, reveals and people are in
// decision-items.test.ts. Hashes are made up; nothing here is real material.
import { expect, it } from 'vitest';
import { listAudit } from '../audit/index.js';
import { listJobs } from '../jobs/index.js';
import { createBank, listBankEntries, listBanks, updateBank } from '../matching/index.js';
import { createWebhook } from '../webhooks/index.js';
import {
  alice,
  bob,
  carol,
  casework,
  confirmEverything,
  describeEachEngine,
  everyItem,
  flip,
  minute,
  pdqA,
  rejection,
  revealAll,
  sha256,
  storedEvidence,
  testClock,
} from '../../test/support/index.js';
import type { Casework } from './index.js';

describeEachEngine('decisions', (database) => {
  /** A case with a public report (URL, email) and a platform report with an uploaded image. */
  async function reportedCase(work: Casework) {
    const item = await storedEvidence(database(), 'standin-image', pdqA);
    const publicReport = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://Example.org/a/../gallery?id=7#x',
      reason: 'csam',
      contactEmail: 'reporter@example.net',
    });
    await work.attachMedia(publicReport.id, [{ item, url: 'https://example.org/img/7.png' }]);
    const platform = await work.fileReport({
      source: 'platform',
      reporter: 'key:4',
      signals: { md5: item.md5 },
    });
    expect(platform.caseId).toBe(publicReport.caseId);
    return { caseId: publicReport.caseId, item, publicReport };
  }

  it('publishes on agreement only what was there when the confirmation was proposed', async () => {
    const work = casework(database());
    await createBank(database(), { name: 'csam-standin', category: 'csam' });
    const { caseId } = await reportedCase(work);
    await work.claim(caseId, alice);
    const confirmed = await everyItem(work, caseId);
    await confirmEverything(work, caseId, alice, { category: 'csam', grade: 'A', reason: 'seen' });
    // An image joins the case while the confirmation waits: neither analyst has judged it.
    const late = await work.fileReport({
      source: 'platform',
      reporter: 'key:4',
      url: 'https://example.org/gallery?id=7',
    });
    expect(late.caseId).toBe(caseId);
    const lateImage = await storedEvidence(database(), 'late arrival', flip(pdqA, 100));
    await work.attachMedia(late.id, [{ item: lateImage, url: 'https://example.org/img/late.png' }]);
    await work.claim(caseId, bob);
    await revealAll(work, caseId, bob);
    // Agreeing to the late image as well is agreeing to something else: refused.
    const widened = await rejection(
      work.decide(caseId, bob, { kind: 'agree', reason: 'all', ...(await everyItem(work, caseId)) }),
    );
    expect(widened.message).toMatch(/not in the confirmation/);
    await work.decide(caseId, bob, { kind: 'agree', reason: 'agreed', ...confirmed });
    const published = (await listBankEntries(database(), 'csam-standin')).map((entry) => entry.signal);
    expect(published).not.toContain(lateImage.sha256);
    expect(published).not.toContain(lateImage.md5);
    expect(published).toContain('https://example.org/gallery?id=7');
  });

  it('refuses to publish into a disabled bank of the default name, saying what to do', async () => {
    const work = casework(database(), { twoPersonRule: false });
    await createBank(database(), { name: 'csam-confirmed', category: 'csam' });
    await updateBank(database(), 'csam-confirmed', { enabled: false });
    const { caseId } = await reportedCase(work);
    await work.claim(caseId, alice);
    const refused = await rejection(
      confirmEverything(work, caseId, alice, { category: 'csam', grade: 'A', reason: 'seen' }),
    );
    expect(refused.message).toMatch(/"csam-confirmed" is disabled: choose a bank/);
  });

  it('goes new → in review → awaiting agreement → decided, publishing every signal to the bank', async () => {
    const work = casework(database());
    await createBank(database(), { name: 'csam-standin', category: 'csam' });
    const hook = await createWebhook(database(), {
      url: 'http://127.0.0.1:9/hook',
      events: ['case.decided'],
    });
    const { caseId, item, publicReport } = await reportedCase(work);

    expect((await work.claimNext(alice))?.id).toBe(caseId);
    const proposed = await confirmEverything(work, caseId, alice, {
      category: 'csam',
      grade: 'B',
      reason: 'matches the description',
    });
    expect(proposed).toMatchObject({
      status: 'awaiting_agreement',
      locked_by: null,
      pending: { actor: 'user:1', category: 'csam', grade: 'B', bank: '', reason: 'matches the description' },
    });
    // Nothing is published before a second analyst agrees, and the confirmer cannot agree.
    expect(await listBankEntries(database(), 'csam-standin')).toEqual([]);
    expect((await rejection(work.claim(caseId, alice))).code).toBe('forbidden');

    await work.claim(caseId, bob);
    await revealAll(work, caseId, bob);
    const decided = await work.decide(caseId, bob, {
      kind: 'agree',
      reason: 'agreed, grade B',
      ...(await everyItem(work, caseId)),
    });
    expect(decided).toMatchObject({
      status: 'decided',
      outcome: 'confirmed',
      category: 'csam',
      grade: 'B',
      pending: null,
      locked_by: null,
      decided_at: expect.any(String),
    });
    expect(
      decided.decisions.map((decision) => [decision.actor, decision.kind, decision.category, decision.grade]),
    ).toEqual([
      ['user:1', 'confirmed', 'csam', 'B'],
      ['user:2', 'agree', 'csam', 'B'],
    ]);
    // What each person had revealed is recorded by the server, not claimed by the client.
    expect(decided.decisions.map((decision) => [decision.evidence_seen, decision.reveal_rule])).toEqual([
      [[{ sha256: item.sha256, revealed: true }], true],
      [[{ sha256: item.sha256, revealed: true }], true],
    ]);

    const entries = await listBankEntries(database(), 'csam-standin');
    expect(entries.map((entry) => `${entry.signalType}:${entry.signal}`).sort()).toEqual(
      [
        `pdq:${pdqA}`,
        `md5:${item.md5}`,
        `sha256:${item.sha256}`,
        'url:https://example.org/gallery?id=7',
      ].sort(),
    );
    expect(entries.every((entry) => entry.note === `case ${caseId}` && entry.source === 'review')).toBe(true);

    const deliveries = await listJobs(database(), { kind: 'webhook.deliver' });
    expect(deliveries).toHaveLength(1);
    const body = JSON.parse((deliveries[0]?.payload as { body: string }).body) as {
      type: string;
      data: unknown;
    };
    expect(body).toMatchObject({
      type: 'case.decided',
      data: { case_id: caseId, outcome: 'confirmed', category: 'csam', grade: 'B' },
    });
    expect(hook.id).toBeGreaterThan(0);

    // The reporter hears the outcome in plain words (never the category or grade), and their address goes.
    const mails = await listJobs(database(), { kind: 'mail.send' });
    expect(mails).toHaveLength(1);
    const mail = mails[0]?.payload as { to: string[]; subject: string; text: string };
    expect(mail.to).toEqual(['reporter@example.net']);
    expect(mail.subject).toBe(`Your report ${publicReport.reference ?? '?'}`);
    expect(mail.text).toContain('we confirmed it and acted');
    expect(mail.text).not.toMatch(/csam|grade/i);
    const emails = await database().db.selectFrom('reports').select('contact_email').execute();
    expect(emails.every((row) => row.contact_email === null)).toBe(true);

    const history = decided.history.map((entry) => entry.action);
    expect(history).toEqual(expect.arrayContaining(['report.filed', 'case.claimed', 'case.decided']));
    expect(history.filter((action) => action === 'case.decided')).toHaveLength(2);
    expect(
      (await rejection(work.decide(caseId, bob, { kind: 'not_actionable', reason: 'x' }))).message,
    ).toMatch(/already decided/);
  });

  it('escalates a disagreement to a supervisor, whose decision is final', async () => {
    const work = casework(database());
    const { caseId } = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://t.example/video',
    });
    await work.claim(caseId, alice);
    await confirmEverything(work, caseId, alice, { category: 'terrorism', reason: 'propaganda' });
    expect((await rejection(work.decide(caseId, alice, { kind: 'agree', reason: 'me too' }))).code).toBe(
      'conflict',
    );
    await work.claim(caseId, bob);
    const wrongKind = await rejection(work.decide(caseId, bob, { kind: 'not_actionable', reason: 'news' }));
    expect(wrongKind.code).toBe('conflict');
    expect(wrongKind.message).toMatch(/agree or disagree/);
    const escalated = await work.decide(caseId, bob, { kind: 'disagree', reason: 'news reporting' });
    expect(escalated).toMatchObject({ status: 'escalated', pending: null, locked_by: null });

    expect((await rejection(work.claim(caseId, alice))).code).toBe('forbidden');
    await work.claim(caseId, carol);
    expect((await rejection(work.decide(caseId, carol, { kind: 'second_opinion', reason: '?' }))).code).toBe(
      'conflict',
    );
    const final = await work.decide(caseId, carol, {
      kind: 'not_actionable',
      reason: 'news reporting, allowed',
    });
    expect(final).toMatchObject({ status: 'decided', outcome: 'not_actionable', grade: '' });
    expect(await listBanks(database())).toEqual([]);
    expect(final.decisions.map((decision) => `${decision.actor} ${decision.role} ${decision.kind}`)).toEqual([
      'user:1 analyst confirmed',
      'user:2 analyst disagree',
      'user:3 supervisor not_actionable',
    ]);
  });

  it('lets a supervisor confirm an escalated case at once, into a bank made for the category', async () => {
    const work = casework(database());
    const { caseId } = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      url: 'https://n.example/',
    });
    await work.claim(caseId, alice);
    await confirmEverything(work, caseId, alice, { category: 'ncii', reason: 'intimate image' });
    await work.claim(caseId, bob);
    await work.decide(caseId, bob, { kind: 'disagree', reason: 'not sure it is the same person' });
    await work.claim(caseId, carol);
    const final = await confirmEverything(work, caseId, carol, {
      category: 'ncii',
      reason: 'victim confirmed',
    });
    expect(final).toMatchObject({ status: 'decided', outcome: 'confirmed', category: 'ncii' });
    const banks = await listBanks(database());
    expect(banks.map((bank) => [bank.name, bank.category, bank.source, bank.entryCount])).toEqual([
      ['ncii-confirmed', 'ncii', 'local', 1],
    ]);
  });

  it('decides at once without the two-person rule, and refuses decisions without the lock', async () => {
    const time = testClock();
    const work = casework(database(), { twoPersonRule: false, clock: time.clock });
    await createBank(database(), { name: 'harassment-old', category: 'harassment' });
    await updateBank(database(), 'harassment-old', { enabled: false });
    await createBank(database(), { name: 'harassment-live', category: 'harassment' });
    const { caseId } = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://h.example/p',
    });

    const unclaimed = await rejection(work.decide(caseId, alice, { kind: 'not_actionable', reason: 'x' }));
    expect(unclaimed).toMatchObject({ code: 'conflict' });
    expect(unclaimed.message).toMatch(/Claim case/);
    await work.claim(caseId, alice);
    expect(
      (await rejection(work.decide(caseId, bob, { kind: 'not_actionable', reason: 'x' }))).message,
    ).toMatch(/being reviewed by user:1/);
    time.advance(16 * minute);
    expect(
      (await rejection(work.decide(caseId, alice, { kind: 'not_actionable', reason: 'x' }))).message,
    ).toMatch(/Claim case/);
    await work.claim(caseId, alice);
    const final = await confirmEverything(work, caseId, alice, { category: 'harassment', reason: 'threats' });
    expect(final).toMatchObject({ status: 'decided', outcome: 'confirmed' });
    expect((await listBankEntries(database(), 'harassment-live')).map((entry) => entry.signal)).toEqual([
      'https://h.example/p',
    ]);
    expect(await listBankEntries(database(), 'harassment-old')).toEqual([]);
  });

  it('checks categories, grades, reasons and banks, and changes nothing when it refuses', async () => {
    const work = casework(database(), { twoPersonRule: false });
    const item = await storedEvidence(database(), 'upload', pdqA);
    const { id, caseId } = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      signals: { pdq: pdqA },
    });
    await work.attachMedia(id, [{ item, url: '' }]);
    await work.claim(caseId, alice);
    await revealAll(work, caseId, alice);
    const confirmedItem = { sha256: item.sha256, verdict: 'confirmed' as const };
    const items = [confirmedItem];
    const refused: [Parameters<Casework['decide']>[2], string, RegExp][] = [
      [{ kind: 'confirmed', category: 'csam', reason: 'x' }, 'invalid_argument', /grade, one of A, B, C/],
      [{ kind: 'confirmed', category: 'csam', grade: 'D', reason: 'x' }, 'invalid_argument', /got "D"/],
      [
        { kind: 'confirmed', category: 'terrorism', grade: 'A', reason: 'x' },
        'invalid_argument',
        /without a grade/,
      ],
      [{ kind: 'confirmed', category: 'spam', reason: 'x' }, 'invalid_argument', /category, one of csam/],
      [{ kind: 'confirmed', category: 'other', reason: '  ' }, 'invalid_argument', /reason/],
      [{ kind: 'confirmed', category: 'other', reason: 'x', bank: 'nope', items }, 'not_found', /nope/],
      [{ kind: 'confirmed', category: 'other', reason: 'x' }, 'invalid_argument', /Decide every item/],
      [
        {
          kind: 'confirmed',
          category: 'other',
          reason: 'x',
          items: [{ ...confirmedItem, verdict: 'not_actionable' }],
        },
        'invalid_argument',
        /at least one item/,
      ],
      [
        { kind: 'confirmed', category: 'csam', reason: 'x', items: [{ ...confirmedItem, grade: 'Z' }] },
        'invalid_argument',
        /got "Z"/,
      ],
      [
        {
          kind: 'confirmed',
          category: 'other',
          reason: 'x',
          items: [{ sha256: sha256('elsewhere'), verdict: 'confirmed' }],
        },
        'invalid_argument',
        /has no item/,
      ],
      [{ kind: 'agree', reason: 'x' }, 'conflict', /allows confirmed, not_actionable or second_opinion/],
      [{ kind: 'shrug' as never, reason: 'x' }, 'invalid_argument', /kind/],
    ];
    for (const [input, code, message] of refused) {
      const error = await rejection(work.decide(caseId, alice, input));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
    const detail = await work.getCase(caseId);
    expect(detail).toMatchObject({ status: 'in_review', decisions: [], locked_by: 'user:1' });
    expect((await listAudit(database(), { action: 'case.decided' })).length).toBe(0);
    await createBank(database(), { name: 'chosen', category: 'other' });
    // The item's own grade makes the case's when none is given for the case.
    const decided = await work.decide(caseId, alice, {
      kind: 'confirmed',
      category: 'csam',
      reason: 'x',
      bank: 'chosen',
      items: [{ ...confirmedItem, grade: 'B' }],
    });
    expect(decided).toMatchObject({ grade: 'B', decisions: [{ items: [{ ...confirmedItem, grade: 'B' }] }] });
    expect((await listBankEntries(database(), 'chosen')).map((entry) => entry.signal).sort()).toEqual(
      [pdqA, item.md5, item.sha256].sort(),
    );
  });

  it('tells the reporter when nothing could be done, and keeps a second opinion out of the bank', async () => {
    const work = casework(database());
    const filed = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://n.example/q',
      contactEmail: 'someone@example.org',
    });
    const before = await work.claim(filed.caseId, alice);
    const asked = await work.decide(filed.caseId, alice, { kind: 'second_opinion', reason: 'unsure' });
    expect(asked).toMatchObject({ status: 'second_opinion', priority: before.priority });
    expect(await listJobs(database(), { kind: 'mail.send' })).toEqual([]);
    await work.claim(filed.caseId, bob);
    await work.decide(filed.caseId, bob, { kind: 'not_actionable', reason: 'page is gone' });
    const mails = await listJobs(database(), { kind: 'mail.send' });
    expect((mails[0]?.payload as { text: string }).text).toContain('we found nothing we could act on');
    expect(await listBanks(database())).toEqual([]);
  });
});

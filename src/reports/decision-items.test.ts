// Decisions item by item: a page with one matched and one unrelated image publishes only the image the
// analysts confirmed; an agreement names exactly that set; an item is confirmed or agreed only by a person
// who revealed it in their claim (across page loads); and publishing is for people, counted as people.
// Hashes are made up; nothing here is real material.
import { expect, it } from 'vitest';
import { listBankEntries, listBanks, createBank } from '../matching/index.js';
import type { MatchJson } from '../matching/index.js';
import {
  alice,
  bob,
  carol,
  casework,
  describeEachEngine,
  flip,
  pdqA,
  rejection,
  revealAll,
  storedEvidence,
} from '../../test/support/index.js';
import type { Casework, Reviewer } from './index.js';

describeEachEngine('decisions item by item', (database) => {
  const page = 'https://example.org/gallery';

  /** A reported page whose fetch kept two images: one matched a csam bank entry, the other nothing. */
  async function pageWithTwoImages(work: Casework) {
    await createBank(database(), { name: 'csam-standin', category: 'csam' });
    const matched = await storedEvidence(database(), 'matched image', pdqA);
    const unrelated = await storedEvidence(database(), 'unrelated image', flip(pdqA, 128));
    const report = await work.fileReport({ source: 'public', reporter: 'public', url: page, reason: 'csam' });
    await work.attachMedia(report.id, [
      { item: matched, url: 'https://example.org/img/1.png' },
      { item: unrelated, url: 'https://example.org/img/2.png' },
    ]);
    // What the content pipeline records for each item (report_media.matches).
    const match: MatchJson = {
      bank: 'csam-standin',
      category: 'csam',
      signal_type: 'pdq',
      signal: flip(pdqA, 4),
      distance: 4,
      entry_id: 17,
    };
    await database()
      .db.updateTable('report_media')
      .set({ matches: JSON.stringify([match]) })
      .where('sha256', '=', matched.sha256)
      .execute();
    const verdicts = {
      items: [
        { sha256: matched.sha256, verdict: 'confirmed' as const, grade: 'B' },
        { sha256: unrelated.sha256, verdict: 'not_actionable' as const },
      ],
      urls: [{ url: page, verdict: 'not_actionable' as const }],
    };
    return { caseId: report.caseId, matched, unrelated, verdicts };
  }

  /** Every signal in every bank. */
  async function banked(): Promise<string[]> {
    const signals: string[] = [];
    for (const bank of await listBanks(database())) {
      signals.push(...(await listBankEntries(database(), bank.name)).map((entry) => entry.signal));
    }
    return signals;
  }

  it('shows what each item matched, and publishes only the confirmed image of a page with an unrelated one', async () => {
    const work = casework(database());
    const { caseId, matched, unrelated, verdicts } = await pageWithTwoImages(work);
    const shown = await work.claim(caseId, alice);
    expect(shown.media.map((item) => [item.sha256, item.matches])).toEqual([
      [
        matched.sha256,
        [{ bank: 'csam-standin', category: 'csam', signal_type: 'pdq', distance: 4, entry_id: 17 }],
      ],
      [unrelated.sha256, []],
    ]);
    // The bank entry's own hash is for the roles that manage banks, not for the case page.
    expect(JSON.stringify(shown)).not.toContain(flip(pdqA, 4));
    expect(shown.urls).toEqual([{ url: page, reported: page }]);

    await work.recordReveal(caseId, alice, matched.sha256);
    const proposed = await work.decide(caseId, alice, {
      kind: 'confirmed',
      category: 'csam',
      reason: 'the matched image is abuse; the other is a logo',
      ...verdicts,
    });
    expect(proposed).toMatchObject({
      status: 'awaiting_agreement',
      grade: '',
      pending: { grade: 'B', items: [{ sha256: matched.sha256, grade: 'B' }], urls: [] },
    });

    await work.claim(caseId, bob);
    await work.recordReveal(caseId, bob, matched.sha256);
    const decided = await work.decide(caseId, bob, {
      kind: 'agree',
      reason: 'agreed',
      items: [{ sha256: matched.sha256, verdict: 'confirmed' }],
    });
    expect(decided).toMatchObject({ status: 'decided', outcome: 'confirmed', grade: 'B' });
    expect(decided.decisions.map((decision) => [decision.kind, decision.items, decision.urls])).toEqual([
      ['confirmed', verdicts.items, verdicts.urls],
      ['agree', [{ sha256: matched.sha256, verdict: 'confirmed' }], []],
    ]);

    const signals = await banked();
    expect(signals.sort()).toEqual([matched.md5, matched.pdq, matched.sha256].sort());
    for (const signal of [unrelated.sha256, unrelated.md5, unrelated.pdq, page]) {
      expect(signals).not.toContain(signal);
    }
  });

  it('takes an agreement only to exactly the set confirmed; a disagreement sends it to a supervisor', async () => {
    const work = casework(database());
    const { caseId, matched, unrelated, verdicts } = await pageWithTwoImages(work);
    await work.claim(caseId, alice);
    await revealAll(work, caseId, alice);
    await work.decide(caseId, alice, { kind: 'confirmed', category: 'csam', reason: 'seen', ...verdicts });
    await work.claim(caseId, bob);
    await revealAll(work, caseId, bob);
    const agree = (items: { sha256: string; verdict: 'confirmed'; grade?: string }[]) =>
      rejection(work.decide(caseId, bob, { kind: 'agree', reason: 'yes', items }));
    expect((await agree([])).message).toMatch(
      /exactly what the confirmation .* publishes \(1 items, 0 URLs\)/,
    );
    expect((await agree([])).message).toMatch(/is not named/);
    const wider = await agree([
      { sha256: matched.sha256, verdict: 'confirmed' },
      { sha256: unrelated.sha256, verdict: 'confirmed' },
    ]);
    expect(wider).toMatchObject({ code: 'conflict' });
    expect(wider.message).toMatch(/not in the confirmation/);
    expect((await agree([{ sha256: matched.sha256, verdict: 'confirmed', grade: 'A' }])).message).toMatch(
      /graded B, not A/,
    );

    const sent = await work.decide(caseId, bob, {
      kind: 'disagree',
      reason: 'the second image is the same child',
    });
    expect(sent).toMatchObject({ status: 'escalated', pending: null });
    expect(await banked()).toEqual([]);
    // The supervisor decides it afresh, item by item.
    await work.claim(caseId, carol);
    await revealAll(work, caseId, carol);
    await work.decide(caseId, carol, {
      kind: 'confirmed',
      category: 'csam',
      grade: 'B',
      reason: 'both',
      items: verdicts.items.map((item) => ({ sha256: item.sha256, verdict: 'confirmed' })),
      urls: verdicts.urls,
    });
    expect((await banked()).sort()).toEqual(
      [matched.md5, matched.pdq, matched.sha256, unrelated.md5, unrelated.pdq, unrelated.sha256].sort(),
    );
  });

  it('confirms or agrees only to items the person revealed in this claim, across page loads', async () => {
    const work = casework(database());
    const { caseId, matched, verdicts } = await pageWithTwoImages(work);
    const confirm = (who: Reviewer) =>
      work.decide(caseId, who, { kind: 'confirmed', category: 'csam', reason: 'seen', ...verdicts });

    // A reveal by someone who does not hold the case counts for nothing.
    expect(await work.recordReveal(caseId, alice, matched.sha256)).toBe(false);
    await work.claim(caseId, alice);
    const unseen = await rejection(confirm(alice));
    expect(unseen).toMatchObject({ code: 'conflict', details: { not_revealed: [matched.sha256] } });
    expect(unseen.message).toMatch(/Reveal each item before you confirm it/);
    expect(unseen.message).toContain(matched.sha256.slice(0, 12));

    // Revealed, then the page reloads (release and claim again): the reveal still counts.
    expect(await work.recordReveal(caseId, alice, matched.sha256)).toBe(true);
    await work.release(caseId, alice);
    const reloaded = await work.claim(caseId, alice);
    expect(reloaded.claim).toEqual({ actor: 'user:1', revealed: [matched.sha256] });
    // Once someone else has held the case, it is a new claim: reveals start again.
    await work.release(caseId, alice);
    await work.claim(caseId, carol);
    await work.release(caseId, carol);
    expect((await work.claim(caseId, alice)).claim).toEqual({ actor: 'user:1', revealed: [] });
    await rejection(confirm(alice));
    await work.recordReveal(caseId, alice, matched.sha256);
    const proposed = await confirm(alice);
    expect(proposed.decisions[0]).toMatchObject({ reveal_rule: true });

    // The agreeing person must have revealed it themselves; the confirmer's reveal is not theirs.
    await work.claim(caseId, bob);
    const agreement = {
      kind: 'agree' as const,
      reason: 'yes',
      items: [{ sha256: matched.sha256, verdict: 'confirmed' as const }],
    };
    expect((await rejection(work.decide(caseId, bob, agreement))).message).toMatch(/before you agree to it/);
    await work.recordReveal(caseId, bob, matched.sha256);
    expect(await work.decide(caseId, bob, agreement)).toMatchObject({ status: 'decided' });
  });

  it('lets the rule be turned off, and says so in the decision record', async () => {
    const work = casework(database(), { revealBeforeConfirm: false, twoPersonRule: false });
    const { caseId, verdicts } = await pageWithTwoImages(work);
    await work.claim(caseId, alice);
    const decided = await work.decide(caseId, alice, {
      kind: 'confirmed',
      category: 'csam',
      reason: 'x',
      ...verdicts,
    });
    expect(decided.decisions[0]).toMatchObject({
      reveal_rule: false,
      evidence_seen: [
        expect.objectContaining({ revealed: false }),
        expect.objectContaining({ revealed: false }),
      ],
    });
  });

  it('publishes only for people, and counts two keys of one person as one person', async () => {
    const work = casework(database());
    const { caseId, matched, verdicts } = await pageWithTwoImages(work);
    const machine: Reviewer = { actor: 'key:9', role: 'analyst' };
    await work.claim(caseId, machine);
    await revealAll(work, caseId, machine);
    const refused = await rejection(
      work.decide(caseId, machine, { kind: 'confirmed', category: 'csam', reason: 'x', ...verdicts }),
    );
    expect(refused).toMatchObject({ code: 'forbidden' });
    expect(refused.message).toMatch(/warden keys create --user NAME/);
    // Deciding that nothing is actionable publishes nothing: a key may do that.
    await work.release(caseId, machine);

    // Alice's two keys both act as user:1: the second cannot agree with the first.
    const aliceKey1: Reviewer = { actor: 'user:1', role: 'analyst', person: 1 };
    const aliceKey2: Reviewer = { actor: 'user:1', role: 'supervisor', person: 1 };
    await work.claim(caseId, aliceKey1);
    await revealAll(work, caseId, aliceKey1);
    await work.decide(caseId, aliceKey1, { kind: 'confirmed', category: 'csam', reason: 'x', ...verdicts });
    expect((await rejection(work.claim(caseId, aliceKey2))).code).toBe('forbidden');
    expect(
      (
        await rejection(
          work.decide(caseId, aliceKey2, {
            kind: 'agree',
            reason: 'x',
            items: [{ sha256: matched.sha256, verdict: 'confirmed' }],
          }),
        )
      ).code,
    ).toMatch(/forbidden|conflict/);
    expect(await banked()).toEqual([]);
  });
});

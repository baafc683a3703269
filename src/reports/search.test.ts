// Finding cases by reference, URL, hash or number; the report list the CLI prints; and the dashboard's
// figures on a small seeded set. Hashes are made up; nothing here is real material.
import { expect, it } from 'vitest';
import { WardenError } from '../errors/index.js';
import {
  alice,
  casework,
  confirmEverything,
  describeEachEngine,
  flip,
  hour,
  md5,
  pdqA,
  sha256,
  storedEvidence,
  testClock,
} from '../../test/support/index.js';
import { listReports, getReport } from './index.js';

/** Search needs no second analyst, and decisions here hold their lock for an hour. */
const settings = { lockMs: hour, twoPersonRule: false };

describeEachEngine('search, report list and dashboard', (database) => {
  it('finds a case by reference, URL, bare host, SHA-256, near PDQ, MD5 or number', async () => {
    const work = casework(database(), settings);
    const item = await storedEvidence(database(), 'photo', pdqA);
    const filed = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://Example.org/photos/../photo/9?s=1#c',
      reason: 'ncii',
    });
    await work.attachMedia(filed.id, [{ item, url: 'https://example.org/p/9.jpg' }]);
    const other = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      signals: { md5: md5('other') },
    });

    const found = async (text: string) => (await work.search(text)).map((summary) => summary.id);
    const reference = filed.reference ?? '';
    expect(await found(reference)).toEqual([filed.caseId]);
    expect(await found(reference.toLowerCase().replace('-', ''))).toEqual([filed.caseId]);
    expect(await found('https://example.org/photo/9?s=1')).toEqual([filed.caseId]);
    expect(await found('example.org/photo/9?s=1')).toEqual([filed.caseId]);
    expect(await found(item.sha256.toUpperCase())).toEqual([filed.caseId]);
    expect(await found(flip(pdqA, 10))).toEqual([filed.caseId]);
    expect(await found(flip(pdqA, 40))).toEqual([]);
    expect(await found(item.md5)).toEqual([filed.caseId]);
    expect(await found(` ${other.caseId} `)).toEqual([other.caseId]);
    expect(await found('https://example.org/photo/9?s=2')).toEqual([]);
    expect(await found('')).toEqual([]);
    const [summary] = await work.search(reference);
    expect(summary).toMatchObject({
      category: 'ncii',
      media_count: 1,
      thumbnail_sha256: item.sha256,
      reasons: expect.any(Array),
    });
    const error = await work.search('some words').catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).message).toMatch(/reference \(WR-…\), a URL/);
  });

  it('lists reports oldest first with their case status and media, filtered by source and status', async () => {
    const work = casework(database(), settings);
    const upload = await storedEvidence(database(), 'upload', pdqA);
    const fetched = await storedEvidence(database(), 'fetched', flip(pdqA, 100));
    const a = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      platformReference: 'post-1',
      media: [{ item: upload, url: '' }],
    });
    const b = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://l.example/x',
      reason: 'terrorism',
    });
    await work.attachMedia(b.id, [{ item: fetched, url: 'https://l.example/x.png' }]);
    const c = await work.fileReport({ source: 'public', reporter: 'public', url: 'https://l.example/y' });
    await work.claim(b.caseId, alice);
    await confirmEverything(work, b.caseId, alice, {
      category: 'terrorism',
      reason: 'beheading video still',
    });

    const all = await listReports(database());
    expect(all.map((report) => report.id)).toEqual([a.id, b.id, c.id]);
    expect(all[0]).toMatchObject({
      source: 'platform',
      url: null,
      media_url: `/v1/evidence/${upload.sha256}`,
      platform_reference: 'post-1',
      case_id: a.caseId,
      case_status: 'new',
      reference: null,
    });
    expect(all[1]).toMatchObject({
      url: 'https://l.example/x',
      media_url: 'https://l.example/x.png',
      case_status: 'decided',
      category: 'terrorism',
      reference: b.reference,
      reason: 'terrorism',
    });
    expect(all[2]).not.toHaveProperty('media_url');
    expect(all[2]).not.toHaveProperty('contact_email');
    expect((await listReports(database(), { source: 'public' })).map((report) => report.id)).toEqual([
      b.id,
      c.id,
    ]);
    expect((await listReports(database(), { status: 'decided' })).map((report) => report.id)).toEqual([b.id]);
    expect((await listReports(database(), { afterId: a.id, limit: 1 })).map((report) => report.id)).toEqual([
      b.id,
    ]);
    expect(await getReport(database(), c.id)).toEqual(all[2]);
    expect(await getReport(database(), 999_999).catch((error: WardenError) => error.code)).toBe('not_found');
  });

  it('counts reports per day, confirmations, time to decision and hosting countries in the window', async () => {
    const time = testClock('2025-02-20T12:00:00.000Z');
    const work = casework(database(), { ...settings, clock: time.clock });
    const decide = async (caseId: number, outcome: 'csam' | 'terrorism' | 'no') => {
      await work.claim(caseId, alice);
      if (outcome === 'no')
        await work.decide(caseId, alice, { kind: 'not_actionable', reason: 'nothing there' });
      else {
        await confirmEverything(work, caseId, alice, {
          category: outcome,
          ...(outcome === 'csam' ? { grade: 'A' } : {}),
          reason: 'seen',
        });
      }
    };
    // Before the window: counted nowhere.
    const old = await work.fileReport({ source: 'public', reporter: 'public', url: 'https://old.example/' });
    time.advance(hour);
    await decide(old.caseId, 'csam');

    time.set('2025-03-01T09:00:00.000Z');
    const a = await work.fileReport({ source: 'public', reporter: 'public', url: 'https://a.example/' });
    await work.attachMedia(a.id, [], { hostAddress: '203.0.113.1', hostCountry: 'NL' });
    const b = await work.fileReport({ source: 'platform', reporter: 'key:1', url: 'https://b.example/' });
    await work.attachMedia(b.id, [], { hostCountry: 'US' });
    const a2 = await work.fileReport({ source: 'platform', reporter: 'key:1', url: 'https://a.example/' });
    await work.attachMedia(a2.id, [], { hostCountry: 'NL' });
    time.advance(hour);
    await decide(a.caseId, 'csam');
    time.advance(2 * hour);
    await decide(b.caseId, 'no');

    time.set('2025-03-02T08:00:00.000Z');
    const c = await work.fileReport({ source: 'public', reporter: 'public', url: 'https://c.example/' });
    await work.fileReport({ source: 'crawler', reporter: 'crawler', signals: { sha256: sha256('d') } });
    time.advance(2 * hour);
    await decide(c.caseId, 'terrorism');

    const week = await work.dashboard({ days: 7 });
    expect(week).toEqual({
      since: '2025-02-24',
      reports_per_day: [
        { day: '2025-03-01', source: 'platform', count: 2 },
        { day: '2025-03-01', source: 'public', count: 1 },
        { day: '2025-03-02', source: 'crawler', count: 1 },
        { day: '2025-03-02', source: 'public', count: 1 },
      ],
      confirmed: [
        { category: 'csam', grade: 'A', count: 1 },
        { category: 'terrorism', grade: '', count: 1 },
      ],
      // 1 h, 2 h and 3 h from first report to decision.
      time_to_decision: { count: 3, median_seconds: 7200, p90_seconds: 10080 },
      hosting_countries: [
        { country: 'NL', count: 2 },
        { country: 'unknown', count: 1 },
      ],
    });
    const today = await work.dashboard({ days: 1 });
    expect(today.reports_per_day.map((row) => row.count)).toEqual([1, 1]);
    expect(today.time_to_decision).toEqual({ count: 1, median_seconds: 7200, p90_seconds: 7200 });
    expect(await work.dashboard({ days: 0 }).catch((error: WardenError) => error.code)).toBe(
      'invalid_argument',
    );
  });
});

// Intake: checking reports, public references, grouping reports about the same content into one case
// (URL, exact hash, near PDQ), the fetch job, reports about decided content, and merging cases when media
// shows two cases are about the same thing. Hashes are made up; no media here is real material.
import { expect, it } from 'vitest';
import { listAudit } from '../audit/index.js';
import { listJobs } from '../jobs/index.js';
import {
  alice,
  casework,
  confirmEverything,
  describeEachEngine,
  flip,
  md5,
  minute,
  pdqA,
  rejection,
  sha256,
  storedEvidence,
} from '../../test/support/index.js';
import type { Casework } from './index.js';

/** Intake decides at once: no second analyst. */
const settings = { lockMs: minute, twoPersonRule: false };

describeEachEngine('report intake', (database) => {
  it('refuses reports a person must fix, saying what is wrong', async () => {
    const work = casework(database(), settings);
    const cases: [Parameters<Casework['fileReport']>[0], RegExp][] = [
      [{ source: 'public', reporter: 'public', url: 'ftp://example.org/x', reason: 'csam' }, /http/],
      [
        { source: 'public', reporter: 'public', url: 'https://user:pw@example.org/', reason: 'x' },
        /credential/i,
      ],
      [{ source: 'public', reporter: 'public', url: `https://example.org/${'a'.repeat(2100)}` }, /2048/],
      [
        { source: 'public', reporter: 'public', url: 'https://example.org/', reason: 'x'.repeat(2001) },
        /2000/,
      ],
      [
        { source: 'public', reporter: 'public', url: 'https://example.org/', reason: 'bad\u0007bell' },
        /control/,
      ],
      [
        { source: 'public', reporter: 'public', url: 'https://example.org/', contactEmail: 'not-an-address' },
        /email/,
      ],
      [{ source: 'public', reporter: 'public', reason: 'nothing to identify' }, /URL, a hash or the media/],
      [{ source: 'platform', reporter: 'key:1', signals: { pdq: 'zz' } }, /PDQ/],
    ];
    for (const [input, message] of cases) {
      const error = await rejection(work.fileReport(input));
      expect(error.message).toMatch(message);
    }
    expect(await database().db.selectFrom('reports').select('id').execute()).toEqual([]);
    expect(await database().db.selectFrom('cases').select('id').execute()).toEqual([]);
  });

  it('gives public reports a unique WR- reference in Crockford base32, and others none', async () => {
    const work = casework(database(), settings);
    const references = new Set<string>();
    for (let index = 0; index < 40; index += 1) {
      const filed = await work.fileReport({
        source: 'public',
        reporter: 'public',
        url: `https://example.org/page/${index}`,
        reason: 'harassment',
      });
      expect(filed.reference).toMatch(/^WR-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$/);
      references.add(filed.reference ?? '');
    }
    expect(references.size).toBe(40);
    const platform = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      url: 'https://example.org/p',
    });
    expect(platform.reference).toBeNull();
    // A reporter can read the reference back over the phone: case, dashes, O for 0 and I or L for 1.
    const [first] = [...references];
    const spoken = (first ?? '').toLowerCase().replace('-', ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    expect(await work.publicReportStatus(spoken)).toMatchObject({ reference: first, status: 'received' });
    expect((await rejection(work.publicReportStatus('WR-0000000000'))).code).toBe('not_found');
  });

  it('groups reports of one page typed differently, and one file, into one case; others get their own', async () => {
    const work = casework(database(), settings);
    const first = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'HTTP://Example.ORG:80/a/./b/../c?x=1#top',
      reason: 'harassment',
    });
    const second = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'http://example.org/a/c?x=1',
    });
    const other = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'http://example.org/a/c?x=2',
    });
    expect(second.caseId).toBe(first.caseId);
    expect(other.caseId).not.toBe(first.caseId);

    const byHash = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      signals: { sha256: sha256('f') },
    });
    const sameHash = await work.fileReport({
      source: 'platform',
      reporter: 'key:2',
      signals: { sha256: sha256('f').toUpperCase() },
    });
    expect(sameHash.caseId).toBe(byHash.caseId);

    const detail = await work.getCase(first.caseId);
    expect(detail).toMatchObject({
      status: 'new',
      report_count: 2,
      source: 'public',
      category: 'harassment',
      url: 'HTTP://Example.ORG:80/a/./b/../c?x=1#top',
    });
    expect(detail.reports.map((report) => report.id)).toEqual([first.id, second.id]);
    expect(detail.history.map((entry) => entry.action)).toEqual(['report.filed', 'report.filed']);
  });

  it('groups near-identical images by PDQ within the threshold, and keeps distant ones apart', async () => {
    const work = casework(database(), settings);
    const base = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      signals: { pdq: pdqA, quality: 90 },
    });
    const near = await work.fileReport({
      source: 'crawler',
      reporter: 'crawler',
      signals: { pdq: flip(pdqA, 31) },
    });
    // 32 bits from the first image, and 63 from the second.
    const far = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      signals: { pdq: flip(pdqA, 32, 200) },
    });
    expect(near.caseId).toBe(base.caseId);
    expect(far.caseId).not.toBe(base.caseId);
    // The more trusted source wins: a crawler hit outranks a platform flag.
    expect((await work.getCase(base.caseId)).source).toBe('crawler');

    // Another Casework (another process) sees the same cases.
    const elsewhere = casework(database(), settings);
    const later = await elsewhere.fileReport({
      source: 'public',
      reporter: 'public',
      signals: { pdq: flip(pdqA, 3) },
      url: 'https://example.net/x',
    });
    expect(later.caseId).toBe(base.caseId);
    expect((await work.getCase(base.caseId)).report_count).toBe(3);
  });

  it('takes the gravest category from the reporter, a public reason or a matched bank', async () => {
    const work = casework(database(), settings);
    const reason = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://a.example/',
      reason: ' NCII ',
    });
    const unknown = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      url: 'https://b.example/',
      category: 'spam',
    });
    const matched = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      url: 'https://c.example/',
      category: 'harassment',
      matches: [
        {
          bank: 'csam-standin',
          category: 'csam',
          signal_type: 'pdq',
          signal: pdqA,
          distance: 4,
          entry_id: 9,
        },
      ],
    });
    expect((await work.getCase(reason.caseId)).category).toBe('ncii');
    expect((await work.getCase(unknown.caseId)).category).toBe('other');
    expect(await work.getCase(matched.caseId)).toMatchObject({
      category: 'csam',
      known_match: true,
      match_summary: 'csam-standin, distance 4',
    });
  });

  it('queues one fetch job for a URL without media, none for media or hashes, and audits every report', async () => {
    const work = casework(database(), settings);
    const url = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://example.org/img.png',
    });
    const item = await storedEvidence(database(), 'upload', pdqA);
    const uploaded = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      url: 'https://example.org/upload',
      media: [{ item, url: '' }],
    });
    await work.fileReport({ source: 'platform', reporter: 'key:1', signals: { md5: md5('x') } });
    const jobs = await listJobs(database(), { kind: 'report.fetch' });
    expect(jobs.map((job) => job.payload)).toEqual([{ report_id: url.id }]);

    // Media given with the report: its hashes become the report's signals, and the case's.
    const detail = await work.getCase(uploaded.caseId);
    expect(detail.reports[0]?.signals).toEqual({
      pdq: pdqA,
      md5: item.md5,
      sha256: item.sha256,
      quality: 100,
    });
    expect(detail.media.map((media) => media.sha256)).toEqual([item.sha256]);
    expect(detail.thumbnail_sha256).toBe(item.sha256);
    const same = await work.fileReport({ source: 'platform', reporter: 'key:2', signals: { md5: item.md5 } });
    expect(same.caseId).toBe(uploaded.caseId);

    const filed = await listAudit(database(), { action: 'report.filed' });
    expect(filed.map((entry) => entry.target).sort()).toEqual(
      [url.id, uploaded.id, uploaded.id + 1, same.id].map((id) => `report:${id}`).sort(),
    );
    expect(filed.find((entry) => entry.target === `report:${url.id}`)?.details).toEqual({
      case_id: url.caseId,
      source: 'public',
    });
  });

  it('attaches a report about decided content without new review, and tells its reporter at once', async () => {
    const work = casework(database(), settings);
    const first = await work.fileReport({
      source: 'platform',
      reporter: 'key:1',
      url: 'https://example.org/known',
    });
    await work.claim(first.caseId, alice);
    await confirmEverything(work, first.caseId, alice, { category: 'terrorism', reason: 'seen' });

    const late = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://example.org/known',
      contactEmail: 'reporter@example.net',
    });
    expect(late.caseId).toBe(first.caseId);
    const detail = await work.getCase(first.caseId);
    expect(detail).toMatchObject({ status: 'decided', outcome: 'confirmed', report_count: 2 });
    const mails = await listJobs(database(), { kind: 'mail.send' });
    expect(mails).toHaveLength(1);
    const mail = mails[0]?.payload as { to: string[]; subject: string; text: string };
    expect(mail.to).toEqual(['reporter@example.net']);
    expect(mail.text).toContain(late.reference ?? '?');
    expect(mail.text).toContain('we confirmed it and acted');
    expect(mail.text).not.toMatch(/terrorism/i);
    const stored = await database()
      .db.selectFrom('reports')
      .select('contact_email')
      .where('id', '=', late.id)
      .executeTakeFirstOrThrow();
    expect(stored.contact_email).toBeNull();
    expect((await work.queue(alice)).cases).toEqual([]);
  });

  it('merges the newer case into the older when fetched media shows they are about the same image', async () => {
    const work = casework(database(), settings);
    const older = await work.fileReport({ source: 'platform', reporter: 'key:1', signals: { pdq: pdqA } });
    const newer = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://mirror.example/x',
    });
    const unrelated = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://else.example/y',
    });
    expect(newer.caseId).not.toBe(older.caseId);

    const item = await storedEvidence(database(), 'mirror', flip(pdqA, 2));
    const match = {
      bank: 'csam-standin',
      category: 'csam',
      signal_type: 'pdq' as const,
      signal: pdqA,
      distance: 2,
      entry_id: 1,
    };
    await work.attachMedia(newer.id, [{ item, url: 'https://mirror.example/x' }], {
      matches: [match],
      hostAddress: '203.0.113.9',
      hostCountry: 'NL',
    });
    // A retried fetch attaches nothing twice.
    await work.attachMedia(newer.id, [{ item, url: 'https://mirror.example/x' }], { matches: [match] });

    const merged = await work.getCase(newer.caseId);
    expect(merged).toMatchObject({ status: 'merged', merged_into: older.caseId });
    const survivor = await work.getCase(older.caseId);
    expect(survivor).toMatchObject({
      status: 'new',
      report_count: 2,
      known_match: true,
      category: 'csam',
      match_summary: 'csam-standin, distance 2',
    });
    expect(survivor.priority).toBe(1000 + 50 * 10 + 2);
    const moved = survivor.reports.find((report) => report.id === newer.id);
    expect(moved).toMatchObject({
      host_country: 'NL',
      media: [{ sha256: item.sha256, url: 'https://mirror.example/x' }],
    });
    expect(moved?.signals.sha256).toBe(item.sha256);
    expect(survivor.history.map((entry) => entry.action)).toContain('case.merged');
    const media = await database()
      .db.selectFrom('report_media')
      .select('id')
      .where('report_id', '=', newer.id)
      .execute();
    expect(media).toHaveLength(1);
    // Later reports of the merged case's URL join the surviving case.
    const again = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://mirror.example/x',
    });
    expect(again.caseId).toBe(older.caseId);
    expect((await work.getCase(unrelated.caseId)).status).toBe('new');
    expect((await work.queue(alice)).cases.map((summary) => summary.id)).toEqual([
      older.caseId,
      unrelated.caseId,
    ]);
  });

  it('files concurrent reports of one new URL into one case', async () => {
    const works = [
      casework(database(), settings),
      casework(database(), settings),
      casework(database(), settings),
    ];
    const filed = await Promise.all(
      Array.from({ length: 9 }, (_, index) =>
        (works[index % 3] as Casework).fileReport({
          source: 'public',
          reporter: 'public',
          url: 'https://race.example/',
        }),
      ),
    );
    expect(new Set(filed.map((report) => report.caseId)).size).toBe(1);
    const cases = await database().db.selectFrom('cases').selectAll().execute();
    expect(cases).toHaveLength(1);
    expect(cases[0]?.report_count).toBe(9);
  });
});

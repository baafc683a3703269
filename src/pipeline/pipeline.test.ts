// The content pipeline: every source goes through the rules, and one transaction records the report,
// the webhook event and the audit; each item keeps what it matched; repeats add occurrences.
import { expect, it } from 'vitest';
import { listAudit } from '../audit/index.js';
import { EvidenceStore } from '../evidence/index.js';
import type { PdqHash } from '../hashing/index.js';
import { listJobs } from '../jobs/index.js';
import { Matcher, addBankEntry, createBank } from '../matching/index.js';
import { Policy, createRule } from '../policy/index.js';
import { listReports } from '../reports/index.js';
import type { Database } from '../store/index.js';
import { createWebhook } from '../webhooks/index.js';
import {
  casework,
  describeEachEngine,
  flip,
  pdqA,
  storedEvidence,
  testClock,
  useTemporaryDirectory,
} from '../../test/support/index.js';
import { ContentPipeline, evidenceSignals } from './index.js';
import type { Content } from './index.js';

const pdqB = flip(pdqA, 128);

async function setUp(database: Database, directory: string, clock = testClock().clock) {
  await createBank(database, { name: 'csam-standin', category: 'csam' });
  await addBankEntry(database, 'csam-standin', { signalType: 'pdq', signal: pdqA });
  await createWebhook(database, { url: 'http://127.0.0.1:9/hook', events: ['match.verdict'] });
  const matcher = await Matcher.open(database, { defaultThreshold: 31, minQuality: 50, refreshMs: 0 });
  const work = casework(database, { repeatWindowMs: 60 * 60_000, clock });
  const evidence = await EvidenceStore.open({
    blobDir: `${directory}/blobs`,
    dataDir: directory,
    evidenceKey: 'c'.repeat(64),
    maxImageBytes: 1024 * 1024,
    maxImagePixels: 1e7,
  });
  const pipeline = new ContentPipeline({
    database,
    matcher,
    evidence,
    casework: work,
    policy: new Policy(database),
  });
  return { pipeline, matcher, casework: work, evidence };
}

async function verdictEvents(database: Database) {
  const jobs = await listJobs(database, { kind: 'webhook.deliver' });
  return jobs.map(
    (job) => (JSON.parse((job.payload as { body: string }).body) as { data: Record<string, unknown> }).data,
  );
}

describeEachEngine('content pipeline', (database) => {
  const directory = useTemporaryDirectory();

  it('gives a crawler hit what an upload gets: a verdict, a report, a match.verdict event and a match audit', async () => {
    const db = database();
    const { pipeline, matcher } = await setUp(db, directory());
    const matched = await storedEvidence(db, 'matched', pdqA);
    const content = (source: 'match' | 'crawler', reporter: string): Content => ({
      source,
      reporter,
      url: 'https://example.test/page',
      items: [{ signals: evidenceSignals(matched), url: 'https://example.test/a.jpg', evidence: matched }],
    });
    const upload = await pipeline.process(content('match', 'key:7'));
    const crawled = await pipeline.assess(content('crawler', 'crawl:1'));
    const recorded = await db.db.transaction().execute((trx) => pipeline.record(trx, crawled));
    matcher.close();

    expect(upload).toMatchObject({ verdict: 'block', rules: ['block-known-csam', 'review-any-match'] });
    expect(recorded).toMatchObject({ verdict: 'block', report: { id: expect.any(Number) } });
    const reports = await listReports(db);
    expect(reports.map((report) => [report.source, report.verdict])).toEqual([
      ['match', 'block'],
      ['crawler', 'block'],
    ]);
    const events = await verdictEvents(db);
    expect(events.map((event) => [event.source, event.verdict, event.report_id, event.case_id])).toEqual([
      ['match', 'block', upload.report?.id, upload.report?.caseId],
      ['crawler', 'block', recorded.report?.id, recorded.report?.caseId],
    ]);
    const audits = await listAudit(db, { action: 'match.action' });
    expect(audits.map((entry) => [entry.actor, entry.target]).sort()).toEqual(
      [
        ['crawl:1', `report:${recorded.report?.id}`],
        ['key:7', `report:${upload.report?.id}`],
      ].sort(),
    );
  });

  it('files nothing for an upload the rules allow, and files a platform report whatever they say', async () => {
    const db = database();
    const { pipeline, matcher } = await setUp(db, directory());
    const allowed = await pipeline.process({
      source: 'match',
      reporter: 'key:1',
      items: [{ signals: { pdq: pdqB as PdqHash, quality: 90 }, url: '' }],
    });
    const flagged = await pipeline.process({
      source: 'platform',
      reporter: 'key:1',
      items: [{ signals: { pdq: pdqB as PdqHash, quality: 90 }, url: '' }],
    });
    matcher.close();
    expect(allowed).toMatchObject({ verdict: 'allow', matches: [] });
    expect(allowed.report).toBeUndefined();
    expect(flagged).toMatchObject({ verdict: 'allow', report: { occurrences: 1 } });
    expect((await listReports(db)).map((report) => report.source)).toEqual(['platform']);
    expect(await verdictEvents(db)).toEqual([]);
  });

  it('applies the rules in force to a fetched public report, and announces its verdict', async () => {
    const db = database();
    const { pipeline, matcher, casework: work } = await setUp(db, directory());
    await createRule(db, {
      name: 'block-known-any',
      category: '*',
      maxDistance: 31,
      minQuality: 0,
      verdict: 'block',
    });
    const filed = await work.fileReport({
      source: 'public',
      reporter: 'public',
      url: 'https://example.test/x',
    });
    const matched = await storedEvidence(db, 'matched', pdqA);
    const unrelated = await storedEvidence(db, 'unrelated', pdqB);
    const outcome = await pipeline.process({
      source: 'public',
      reporter: 'system',
      reportId: filed.id,
      url: 'https://example.test/x',
      items: [matched, unrelated].map((item, index) => ({
        signals: evidenceSignals(item),
        url: `https://example.test/${index}.jpg`,
        evidence: item,
      })),
    });
    matcher.close();
    expect(outcome).toMatchObject({ verdict: 'block', report: { id: filed.id } });
    expect((await listReports(db)).map((report) => [report.id, report.verdict])).toEqual([
      [filed.id, 'block'],
    ]);
    expect((await verdictEvents(db)).map((event) => event.report_id)).toEqual([filed.id]);
    // Each item keeps what it matched, so an analyst decides each one: the unrelated image matched nothing.
    const media = await db.db
      .selectFrom('report_media')
      .select(['sha256', 'matches'])
      .where('report_id', '=', filed.id)
      .orderBy('id')
      .execute();
    expect(
      media.map((row) => [row.sha256, (JSON.parse(row.matches) as { bank: string }[]).map((m) => m.bank)]),
    ).toEqual([
      [matched.sha256, ['csam-standin']],
      [unrelated.sha256, []],
    ]);
  });

  it('keeps an upload as evidence with the hashes it came with, hashing nothing again', async () => {
    const db = database();
    const { pipeline, matcher } = await setUp(db, directory());
    // Bytes that are no image at all: were they hashed again, they would have no PDQ hash.
    const bytes = new TextEncoder().encode('not an image, but the hashes were computed already');
    const outcome = await pipeline.process({
      source: 'match',
      reporter: 'key:2',
      items: [
        { signals: { pdq: pdqA as PdqHash, quality: 88 }, url: '', bytes, size: { width: 10, height: 20 } },
      ],
    });
    matcher.close();
    const stored = await db.db
      .selectFrom('report_media')
      .innerJoin('evidence', 'evidence.sha256', 'report_media.sha256')
      .select(['evidence.pdq', 'evidence.quality', 'evidence.width', 'report_media.report_id'])
      .execute();
    expect(stored).toEqual([{ pdq: pdqA, quality: 88, width: 10, report_id: outcome.report?.id }]);
  });

  it('counts a flood of one content from one source as occurrences of one report', async () => {
    const db = database();
    const time = testClock();
    const { pipeline, matcher } = await setUp(db, directory(), time.clock);
    const repeats = 10_000;
    const send = (index: number) =>
      pipeline.process({
        source: 'match',
        reporter: 'key:9',
        reference: `upload-${index % 3}`,
        items: [{ signals: { pdq: pdqA as PdqHash, quality: 90 }, url: '' }],
      });
    // Eight at a time, as a busy platform sends them: concurrent repeats still count as one report.
    for (let index = 0; index < repeats; index += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, repeats - index) }, (_, offset) => send(index + offset)),
      );
    }
    const reports = await listReports(db);
    expect(reports).toHaveLength(1);
    const row = await db.db.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
    expect(row.occurrences).toBe(repeats);
    // The references the repeats carried, besides the report's own (whichever send came first).
    const references = JSON.parse(row.occurrence_references) as string[];
    expect([row.platform_reference, ...references].sort()).toEqual(['upload-0', 'upload-1', 'upload-2']);
    expect(await db.db.selectFrom('cases').select('id').execute()).toHaveLength(1);
    // One event and one match audit for the report; the audit counts repeats at 2, 10, 100, 1,000, 10,000.
    expect(await verdictEvents(db)).toHaveLength(1);
    expect(await listAudit(db, { action: 'match.action' })).toHaveLength(1);
    const counted = await listAudit(db, { action: 'report.repeated' });
    expect(counted.map((entry) => entry.details.occurrences).sort((a, b) => Number(a) - Number(b))).toEqual([
      2, 10, 100, 1000, 10_000,
    ]);

    // After the window, the same content is a report of its own again.
    time.advance(61 * 60_000);
    await send(0);
    matcher.close();
    expect(await listReports(db)).toHaveLength(2);
  }, 300_000);
});

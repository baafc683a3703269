// Policy.apply: a verdict above allow files a match report into the review queue's case for the content,
// announces it to the platform and audits it, all in one transaction.
import { expect, it } from 'vitest';
import { listAudit } from '../audit/index.js';
import { listJobs } from '../jobs/index.js';
import { Matcher, addBankEntry, createBank } from '../matching/index.js';
import type { PdqHash } from '../hashing/index.js';
import { Casework, listReports } from '../reports/index.js';
import { createWebhook } from '../webhooks/index.js';
import { describeEachEngine } from '../../test/support/index.js';
import { Policy } from './index.js';

const grades = { csam: ['A', 'B', 'C'], terrorism: [], ncii: [], harassment: [], other: [] };
const pdqA = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22' as PdqHash;

describeEachEngine('policy', (database) => {
  it('files matched content into one case per content, for analysts to verify', async () => {
    const db = database();
    const casework = new Casework(db, { pdqThreshold: 31, lockMs: 60_000, twoPersonRule: true, grades });
    const policy = new Policy(db, casework);
    await createBank(db, { name: 'csam-standin', category: 'csam' });
    await addBankEntry(db, 'csam-standin', { signalType: 'pdq', signal: pdqA });
    await createWebhook(db, { url: 'http://127.0.0.1:9/hook', events: ['match.verdict'] });
    const matcher = await Matcher.open(db, { defaultThreshold: 31, minQuality: 50, refreshMs: 0 });

    const apply = async (reference: string) => {
      const { matches } = await matcher.match({ pdq: pdqA, quality: 90 });
      return policy.apply({
        actor: 'key:7',
        sourceIp: '198.51.100.7',
        content: { pdq: pdqA, quality: 90 },
        quality: 90,
        matches,
        platformReference: reference,
      });
    };
    const first = await apply('upload-1');
    const second = await apply('upload-2');
    expect(first).toMatchObject({ verdict: 'block', reportId: expect.any(Number) });

    const reports = await listReports(db, { source: 'match' });
    expect(reports.map((report) => [report.platform_reference, report.verdict])).toEqual([
      ['upload-1', 'block'],
      ['upload-2', 'block'],
    ]);
    expect(reports[0]?.case_id).toBe(reports[1]?.case_id);
    const detail = await casework.getCase(reports[0]?.case_id ?? 0);
    expect(detail).toMatchObject({
      status: 'new',
      source: 'match',
      category: 'csam',
      known_match: true,
      report_count: 2,
      match_summary: 'csam-standin, distance 0',
    });
    expect(detail.reports.map((report) => report.id)).toEqual([first.reportId, second.reportId]);

    const deliveries = await listJobs(db, { kind: 'webhook.deliver' });
    const body = JSON.parse((deliveries[0]?.payload as { body: string }).body) as {
      data: Record<string, unknown>;
    };
    expect(body.data).toMatchObject({ report_id: first.reportId, case_id: detail.id, verdict: 'block' });
    expect((await listAudit(db, { action: 'match.action' })).map((entry) => entry.target)).toEqual([
      `report:${second.reportId}`,
      `report:${first.reportId}`,
    ]);
    // Who filed it, and from where, is on record.
    const filed = await listAudit(db, { action: 'report.filed' });
    expect(filed.map((entry) => [entry.actor, entry.sourceIp, entry.details.case_id])).toEqual([
      ['key:7', '198.51.100.7', detail.id],
      ['key:7', '198.51.100.7', detail.id],
    ]);
    matcher.close();
  });

  it('files nothing when the rules allow the content', async () => {
    const db = database();
    const casework = new Casework(db, { pdqThreshold: 31, lockMs: 60_000, twoPersonRule: true, grades });
    const outcome = await new Policy(db, casework).apply({
      actor: 'key:1',
      content: {},
      quality: 90,
      matches: [],
    });
    expect(outcome).toEqual({ verdict: 'allow', rules: [] });
    expect(await listReports(db)).toEqual([]);
  });
});

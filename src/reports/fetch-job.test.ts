// The fetch job against a real HTTP server on 127.0.0.1 serving generated images: media becomes
// evidence, is matched against the banks, lands on the report and its case (merging cases that turn out
// to show the same image); refusals mark the report unreachable for good, server errors are retried.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listAudit } from '../audit/index.js';
import { EvidenceStore } from '../evidence/index.js';
import { hashImage } from '../hashing/index.js';
import { NonRetryableError, claimJobs } from '../jobs/index.js';
import type { ClaimedJob } from '../jobs/index.js';
import { Matcher, addBankEntry, createBank } from '../matching/index.js';
import { GeoIpTable, NetworkGuard } from '../network/index.js';
import { casework, describeEachEngine, minute, useTemporaryDirectory } from '../../test/support/index.js';
import { ContentPipeline } from '../pipeline/index.js';
import { Policy } from '../policy/index.js';
import { reportHandlers } from './index.js';
import type { ReportFetchDependencies } from './index.js';

const limits = { timeoutMs: 5000, maxBytes: 1024 * 1024, maxImages: 5 };

/** A detailed generated image (gradients and a checkerboard): hashable, with a trusted PDQ quality. */
async function generatedImage(seed: number): Promise<Buffer> {
  const width = 96;
  const height = 72;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 3;
      data[at] = (x * 255) / width;
      data[at + 1] = (Math.floor(x / (4 + seed)) + Math.floor(y / (4 + seed))) % 2 === 0 ? 230 : 20;
      data[at + 2] = 128 + 100 * Math.sin((x + y * seed) / 11);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

let server: Server;
let origin: string;
const routes = new Map<string, { status?: number; type: string; body: string | Buffer }>();
const hits = new Map<string, number>();
let standin: Buffer;
let unrelated: Buffer;

beforeAll(async () => {
  standin = await generatedImage(1);
  unrelated = await generatedImage(5);
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (route === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      return;
    }
    response.writeHead(route.status ?? 200, { 'content-type': route.type }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set('/standin.png', { type: 'image/png', body: standin });
  routes.set('/other.png', { type: 'image/png', body: unrelated });
  routes.set('/gallery.html', {
    type: 'text/html; charset=utf-8',
    body: '<html><body><img src="/standin.png"><img src="other.png"><img src="/missing.png"></body></html>',
  });
  routes.set('/busy', { status: 503, type: 'text/plain', body: 'try later' });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describeEachEngine('report fetch job', (database) => {
  const directory = useTemporaryDirectory();
  const guards: NetworkGuard[] = [];

  async function setup() {
    const db = database();
    const work = casework(db, { lockMs: minute });
    const evidence = await EvidenceStore.open({
      blobDir: join(directory(), 'blobs'),
      dataDir: directory(),
      evidenceKey: 'b'.repeat(64),
      maxImageBytes: 1024 * 1024,
      maxImagePixels: 10_000_000,
    });
    await createBank(db, { name: 'csam-standin', category: 'csam' });
    const hashes = await hashImage(standin, { limits: { maxBytes: 1024 * 1024, maxPixels: 10_000_000 } });
    await addBankEntry(db, 'csam-standin', { signalType: 'pdq', signal: hashes.pdq });
    const matcher = await Matcher.open(db, { defaultThreshold: 31, minQuality: 50, refreshMs: 0 });
    const policy = new Policy(db);
    const geo = GeoIpTable.parse('127.0.0.0,127.255.255.255,NL\n', 'test table');
    /** Runs a job as a worker would, with a guard that allows 127.0.0.1 unless told otherwise. */
    const run = async (job: ClaimedJob, allowLoopback = true) => {
      const guard = new NetworkGuard(allowLoopback ? { allow: ['127.0.0.1'] } : {});
      guards.push(guard);
      const pipeline = new ContentPipeline({ database: db, matcher, evidence, casework: work, policy });
      const deps: ReportFetchDependencies = { pipeline, evidence, guard, geo, limits };
      const handler = reportHandlers(deps)['report.fetch'];
      if (handler === undefined) throw new Error('no report.fetch handler');
      return handler(job, new AbortController().signal, db);
    };
    const claim = async () =>
      claimJobs(db, { owner: 'test', kinds: ['report.fetch'], limit: 10, leaseMs: 60_000 });
    return { db, casework: work, run, claim, hashes };
  }

  async function closeGuards() {
    await Promise.all(guards.splice(0).map((guard) => guard.close()));
  }

  it('fetches a reported image, keeps it as evidence, matches it and files it on the case', async () => {
    const { db, casework, run, claim, hashes } = await setup();
    const filed = await casework.fileReport({
      source: 'public',
      reporter: 'public',
      url: `${origin}/standin.png`,
    });
    const [job] = await claim();
    if (job === undefined) throw new Error('no fetch job was queued');
    await run(job);
    // A retried job (its worker died after the work) adds nothing twice.
    await run(job);

    const detail = await casework.getCase(filed.caseId);
    expect(detail).toMatchObject({
      known_match: true,
      category: 'csam',
      match_summary: 'csam-standin, distance 0',
      media_count: 1,
      reasons: expect.arrayContaining(['known match: csam-standin (distance 0)']),
    });
    expect(detail.media).toEqual([
      expect.objectContaining({
        pdq: hashes.pdq,
        mime: 'image/png',
        width: 96,
        height: 72,
        url: `${origin}/standin.png`,
      }),
    ]);
    expect(detail.reports[0]).toMatchObject({
      host_country: 'NL',
      signals: { pdq: hashes.pdq, sha256: hashes.sha256 },
      matches: [expect.objectContaining({ bank: 'csam-standin', distance: 0 })],
    });
    const report = await db.db
      .selectFrom('reports')
      .select(['status', 'host_address'])
      .executeTakeFirstOrThrow();
    expect(report).toEqual({ status: 'fetched', host_address: '127.0.0.1' });
    const media = await db.db.selectFrom('report_media').select('sha256').execute();
    expect(media).toEqual([{ sha256: hashes.sha256 }]);
    const fetched = await listAudit(db, { action: 'report.fetched' });
    expect(fetched[0]?.details).toMatchObject({ media: [hashes.sha256], problems: [] });
    await closeGuards();
  });

  it('fetches the images of a reported page, and merges its case into the case of the same image', async () => {
    const { db, casework, run, claim } = await setup();
    const image = await casework.fileReport({
      source: 'public',
      reporter: 'public',
      url: `${origin}/standin.png`,
    });
    const page = await casework.fileReport({
      source: 'public',
      reporter: 'public',
      url: `${origin}/gallery.html`,
    });
    expect(page.caseId).not.toBe(image.caseId);
    for (const job of await claim()) await run(job);

    expect((await casework.getCase(page.caseId)).status).toBe('merged');
    const survivor = await casework.getCase(image.caseId);
    expect(survivor.report_count).toBe(2);
    expect(survivor.media).toHaveLength(2);
    expect(survivor.reports.find((report) => report.id === page.id)?.media).toHaveLength(2);
    const fetched = await listAudit(db, { action: 'report.fetched' });
    const problems = fetched.flatMap((entry) => entry.details.problems as string[]);
    expect(problems.join('\n')).toMatch(/missing\.png.*404/);
    await closeGuards();
  });

  it('marks a report unreachable when the guard refuses its URL, and retries a busy server', async () => {
    const { db, casework, run, claim } = await setup();
    const refused = await casework.fileReport({
      source: 'public',
      reporter: 'public',
      url: `${origin}/standin.png`,
    });
    const busy = await casework.fileReport({ source: 'public', reporter: 'public', url: `${origin}/busy` });
    const [refusedJob, busyJob] = await claim();
    if (refusedJob === undefined || busyJob === undefined) throw new Error('fetch jobs missing');
    const before = hits.get('/standin.png') ?? 0;
    const error = await run(refusedJob, false).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toMatch(/loopback/);
    expect(hits.get('/standin.png') ?? 0).toBe(before);
    const status = async (id: number) =>
      (await db.db.selectFrom('reports').select('status').where('id', '=', id).executeTakeFirstOrThrow())
        .status;
    expect(await status(refused.id)).toBe('unreachable');
    expect((await casework.getCase(refused.caseId)).media).toEqual([]);
    expect((await listAudit(db, { action: 'report.unreachable' }))[0]?.details.reason).toMatch(/loopback/);

    const busyError = await run(busyJob).catch((reason: unknown) => reason);
    expect(busyError).toBeInstanceOf(Error);
    expect(busyError).not.toBeInstanceOf(NonRetryableError);
    expect((busyError as Error).message).toMatch(/503/);
    expect(await status(busy.id)).toBe('new');
    await closeGuards();
  });
});

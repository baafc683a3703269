// Review throughput (issue 4): how many decisions per minute the review API sustains on a queue of 100,000
// seeded cases, and how long the console's queue page takes to show its first case with that many. The
// cases are filed through Casework.fileReport (the intake path, 1,000 per transaction) into a temporary
// SQLite data directory; the real server runs as a child process without its worker, so the reports' URL
// fetches stay queued. Baselines from the same run: GET /health at the same concurrency, and the public
// report page. Usage: npm run bench -- review [--cases N] [--analysts C] [--seconds S]
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Locator } from 'playwright-core';
import { createApiKey } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import type { Config } from '../src/config/index.js';
import { Casework, caseworkOptions } from '../src/reports/index.js';
import type { ReportInput, ReportSource } from '../src/reports/index.js';
import { openDatabase } from '../src/store/index.js';
import { createUser } from '../src/users/index.js';
import { median, printTable } from './table.js';
import type { Cell } from './table.js';

const binary = fileURLToPath(new URL('../bin/warden.js', import.meta.url));
const consoleBuilt = fileURLToPath(new URL('../build/console/index.html', import.meta.url));
const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = (
  '--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking ' +
  '--disable-component-update --disable-sync'
).split(' ');
const batchSize = 1000;
const pageLoads = 5;
const sources: ReportSource[] = ['public', 'platform', 'crawler'];
const reporters: Record<string, string> = { public: 'public', platform: 'key:1', crawler: 'system' };
const categories = ['csam', 'terrorism', 'ncii', 'harassment', 'other'];
const knownMatch = { bank: 'standin-csam', category: 'csam', signal_type: 'pdq', distance: 4 } as const;

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/**
 * The index-th seeded report, made up: a distinct URL on example.org with sources and categories in turn,
 * and one in ten an automatic match on a random PDQ hash (a known match, so at the top of the queue).
 */
function seededReport(index: number): ReportInput {
  if (index % 10 === 0) {
    const pdq = randomBytes(32).toString('hex');
    return {
      source: 'match',
      reporter: 'system',
      signals: { pdq, quality: 100 },
      matches: [{ ...knownMatch, signal: pdq, entry_id: index }],
    };
  }
  const source = sources[index % sources.length] ?? 'public';
  return {
    source,
    reporter: reporters[source] ?? 'system',
    url: `https://site-${index % 97}.example.org/bench/${index}`,
    category: categories[index % categories.length] ?? 'other',
    reason: 'made-up report for the review benchmark',
  };
}

interface Seeded {
  config: Config;
  seconds: number;
  keys: string[];
  password: string;
}

/** Files the cases, then adds the analysts' API keys and the person who signs in to the console. */
async function seed(env: Record<string, string>, cases: number, analysts: number): Promise<Seeded> {
  const config = loadConfig(env);
  const database = await openDatabase({ dataDir: config.dataDir });
  try {
    const casework = new Casework(database, caseworkOptions(config));
    const started = performance.now();
    for (let first = 0; first < cases; first += batchSize) {
      await database.db.transaction().execute(async (trx) => {
        for (let index = first; index < Math.min(cases, first + batchSize); index += 1) {
          await casework.fileReport(seededReport(index), trx);
        }
      });
    }
    const seconds = (performance.now() - started) / 1000;
    const keys: string[] = [];
    for (let index = 1; index <= analysts; index += 1) {
      keys.push((await createApiKey(database, { role: 'analyst', name: `bench analyst ${index}` })).key);
    }
    const password = randomBytes(18).toString('base64url');
    await createUser(database, { username: 'bench', password, role: 'analyst' }, config);
    return { config, seconds, keys, password };
  } finally {
    await database.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const statusOf = (url: string): Promise<number> =>
  fetch(url).then(
    (response) => response.status,
    () => 0,
  );

async function waitForHealth(url: string, server: ChildProcess): Promise<void> {
  while ((await statusOf(`${url}/health`)) !== 200) {
    if (server.exitCode !== null)
      throw new Error('the server exited: is dist/ older than src/? Run npm run build.');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What one workload measured: units done (decisions, pairs, requests), latencies per request, errors. */
interface Stats {
  done: number;
  errors: number;
  latencies: Map<string, number[]>;
}

const newStats = (): Stats => ({ done: 0, errors: 0, latencies: new Map() });

/** One timed request, its body read; answers status 0 when the request itself failed. */
async function call(stats: Stats, step: string, url: string, init: RequestInit = {}) {
  const started = performance.now();
  const answer = await fetch(url, init).then(
    async (response) => ({ status: response.status, text: await response.text() }),
    (error: unknown) => ({ status: 0, text: String(error) }),
  );
  const latencies = stats.latencies.get(step) ?? [];
  stats.latencies.set(step, latencies);
  latencies.push(performance.now() - started);
  const ok = answer.status >= 200 && answer.status < 300;
  if (!ok && ++stats.errors <= 3)
    process.stderr.write(`review bench: ${step} → ${answer.status} ${answer.text}\n`);
  const body: unknown = answer.text === '' ? null : JSON.parse(answer.text);
  return { ok, status: answer.status, body };
}

/** A POST as an analyst's program sends it: the claim has no body (and so no content type). */
function post(key: string, body?: object): RequestInit {
  const json = body === undefined ? {} : { body: JSON.stringify(body) };
  const type: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  return { method: 'POST', headers: { authorization: `Bearer ${key}`, ...type }, ...json };
}

interface CaseBrief {
  id: number;
  status: string;
  category: string;
}

/** A decision's JSON body (an undefined grade is left out). */
type Decision = Record<string, string | undefined>;

/** Claims the top case and decides it as `choose` says; false when the queue is empty. */
async function claimAndDecide(
  url: string,
  stats: Stats,
  key: string,
  choose: (brief: CaseBrief) => Decision,
) {
  const claimed = await call(stats, 'POST /v1/cases/next', `${url}/v1/cases/next`, post(key));
  if (claimed.status === 204) return false;
  if (!claimed.ok) return true;
  const brief = claimed.body as CaseBrief;
  const decision = choose(brief);
  const step = `POST …/decisions ${decision.kind}`;
  const decided = await call(stats, step, `${url}/v1/cases/${brief.id}/decisions`, post(key, decision));
  // A pair is counted once, at its agreement.
  if (decided.ok && decision.kind !== 'confirmed') stats.done += 1;
  return true;
}

/** Each workload runs a loop per analyst for `seconds` (or until the queue is empty); a row per request. */
async function decisionRows(url: string, seeded: Seeded, seconds: number): Promise<Cell[][]> {
  const grades = seeded.config.grades;
  const confirm = (brief: CaseBrief): Decision =>
    brief.status === 'awaiting_agreement'
      ? { kind: 'agree', reason: 'bench' }
      : { kind: 'confirmed', category: brief.category, grade: grades[brief.category]?.[0], reason: 'bench' };
  const workloads: [string, string, (stats: Stats, key: string) => Promise<boolean>][] = [
    [
      'GET /health (baseline)',
      'requests',
      async (stats) => {
        if ((await call(stats, 'GET /health', `${url}/health`)).ok) stats.done += 1;
        return true;
      },
    ],
    [
      'claim + not_actionable',
      'decisions',
      (stats, key) => claimAndDecide(url, stats, key, () => ({ kind: 'not_actionable', reason: 'bench' })),
    ],
    // Two-person rule: a confirmed case waits at the top of the queue, where the next analyst to claim
    // it (never the one who confirmed) agrees; so each case takes two analysts and two decisions.
    [
      'claim + confirm, claim + agree',
      'confirmed pairs',
      (stats, key) => claimAndDecide(url, stats, key, confirm),
    ],
  ];
  const rows: Cell[][] = [];
  for (const [name, unit, step] of workloads) {
    const stats = newStats();
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      seeded.keys.map(async (key) => {
        while (performance.now() < deadline && (await step(stats, key)));
      }),
    );
    const perMinute = Math.round((stats.done * 60_000) / (performance.now() - started));
    process.stderr.write(`review bench: ${name} done\n`);
    [...stats.latencies].forEach(([request, latencies], index) =>
      rows.push([
        index === 0 ? name : '',
        index === 0 ? `${perMinute.toLocaleString('en-GB')} ${unit}` : '',
        request,
        latencies.length,
        median(latencies).toFixed(2),
        percentile(latencies, 0.99).toFixed(2),
        index === 0 ? stats.errors : '',
      ]),
    );
  }
  return rows;
}

/** Milliseconds from the start of each navigation until the element shows, the two pages alternated. */
async function pageRows(url: string, seeded: Seeded): Promise<Cell[][]> {
  const profile = mkdtempSync(join(tmpdir(), 'warden-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const firstCase = page.locator('table.cases tbody tr[data-case-id]').first();
    await page.goto(`${url}/sign-in`);
    await page.fill('#username', 'bench');
    await page.fill('#password', seeded.password);
    await page.click('button[type=submit]');
    await firstCase.waitFor({ timeout: 60_000 });
    const targets: [string, string, Locator, number[]][] = [
      ['page /report to its form (baseline)', '/report', page.locator('#report-url'), []],
      ['page / (queue) to its first case', '/', firstCase, []],
    ];
    for (let load = 0; load < pageLoads; load += 1) {
      for (const [, path, ready, times] of targets) {
        const started = performance.now();
        await page.goto(`${url}${path}`, { waitUntil: 'commit' });
        await ready.waitFor({ state: 'visible', timeout: 60_000 });
        times.push(performance.now() - started);
      }
    }
    return targets.map(([name, , , times]) => [name, times.length, median(times), Math.max(...times)]);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The queue as the console asks for it, timed from a program; then the pages, if the console is served. */
async function queueRows(url: string, seeded: Seeded): Promise<Cell[][]> {
  const stats = newStats();
  const init = { headers: { authorization: `Bearer ${seeded.keys[0] ?? ''}` } };
  for (let index = 0; index <= 20; index += 1) await call(stats, 'list', `${url}/v1/cases?limit=50`, init);
  const times = (stats.latencies.get('list') ?? []).slice(1);
  const rows: Cell[][] = [
    ['GET /v1/cases?limit=50 (fetch, 1 warm-up)', times.length, median(times), Math.max(...times)],
  ];
  // Every console path answers with the console's index.html once it is built.
  const signIn = await statusOf(`${url}/sign-in`);
  if (signIn === 200 && existsSync(chromiumPath)) return [...rows, ...(await pageRows(url, seeded))];
  const built = existsSync(consoleBuilt) ? '' : '; build/console is missing: npm run build';
  const browser = existsSync(chromiumPath) ? '' : `; ${chromiumPath} is missing`;
  console.log(`\nreview bench: page loads skipped (GET /sign-in answered ${signIn}${built}${browser}).`);
  return rows;
}

export async function run(args: string[]): Promise<void> {
  const cases = option(args, '--cases', 100_000);
  const analysts = option(args, '--analysts', 8);
  const seconds = option(args, '--seconds', 20);
  const directory = mkdtempSync(join(tmpdir(), 'warden-bench-review-'));
  const port = await freePort();
  const env: Record<string, string> = {
    WARDEN_DATA_DIR: directory,
    WARDEN_PORT: String(port),
    WARDEN_LOG_LEVEL: 'warn',
    WARDEN_RATE_LIMIT_PER_MINUTE: '10000000',
    WARDEN_TWO_PERSON_RULE: 'true',
  };
  // The server gets exactly this configuration: none of this shell's Warden settings, nor DATABASE_URL.
  const inherited = Object.entries(process.env).filter(
    ([name]) => !name.startsWith('WARDEN_') && name !== 'DATABASE_URL',
  );
  const count = cases.toLocaleString('en-GB');
  try {
    const seeded = await seed(env, cases, analysts);
    printTable(
      'Seeding the queue through Casework.fileReport (one report per case, 1,000 per transaction, SQLite)',
      ['cases', 'seconds', 'cases/s'],
      [[cases, seeded.seconds, Math.round(cases / seeded.seconds)]],
    );
    const server = spawn(process.execPath, [binary, 'serve', '--no-worker'], {
      env: { ...Object.fromEntries(inherited), ...env },
      stdio: 'inherit',
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url, server);
      // The queue page first, while every case is open.
      printTable(
        `Queue page with ${count} open cases (Chromium, signed in, warm cache; ${pageLoads} loads each)`,
        ['what', 'runs', 'median ms', 'max ms'],
        await queueRows(url, seeded),
      );
      printTable(
        `Review API on ${count} cases: ${analysts} analysts (API keys), ${seconds} s per workload, two-person rule on`,
        ['workload', 'per minute', 'request', 'requests', 'p50 ms', 'p99 ms', 'errors'],
        await decisionRows(url, seeded, seconds),
      );
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      if (server.exitCode === null && server.kill('SIGTERM')) await exited;
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

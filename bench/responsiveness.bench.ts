// Does the server keep answering while it does long work? A client asks GET /health every ~10 ms and
// records the slowest answer (issue target: under 100 ms on SQLite) during
//   - a bank import of --import-lines lines (default 1M) sent over HTTP to `warden serve`, and
//   - a fold of the PDQ index's append area into a segment of --fold-entries entries (default 10M), on the
//     event loop that also answers /health from the SQLite database (in this process, so that the index
//     need not be imported first; the client runs in a worker thread, off the event loop it measures).
// Usage: npm run bench -- responsiveness [--import-lines N] [--fold-entries N] [--repetitions R]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Agent, FormData, fetch } from 'undici';
import { PdqIndex } from '../src/matching/index.js';
import { openDatabase } from '../src/store/index.js';
import { median, printTable } from './table.js';
import { wardenBinary as binary, warden } from './support/warden-cli.js';

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

// The client as a worker thread: fetches /health every 10 ms until told to stop, then posts the slowest
// answer (ms) and the number of answers.
const samplerSource = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
let slowest = 0;
let answers = 0;
parentPort.on('message', () => { stop = true; });
(async () => {
  while (!stop) {
    const started = performance.now();
    const response = await fetch(workerData.url);
    await response.arrayBuffer();
    slowest = Math.max(slowest, performance.now() - started);
    answers++;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  parentPort.postMessage({ slowest, answers });
})();
`;

/** Samples GET `url` while `work` runs; returns the slowest answer in milliseconds. */
async function slowestDuring(
  url: string,
  work: () => Promise<void>,
): Promise<{ slowest: number; answers: number }> {
  const sampler = new Worker(samplerSource, { eval: true, workerData: { url } });
  const result = new Promise<{ slowest: number; answers: number }>((resolve, reject) => {
    sampler.once('message', resolve);
    sampler.once('error', reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  try {
    await work();
  } finally {
    sampler.postMessage('stop');
  }
  const measured = await result;
  await sampler.terminate();
  return measured;
}

async function waitUntilListening(url: string): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function hashLines(count: number): string {
  const hashes = randomBytes(count * 32);
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1)
    lines.push(hashes.toString('hex', index * 32, index * 32 + 32));
  return lines.join('\n') + '\n';
}

const patient = new Agent({ headersTimeout: 0, bodyTimeout: 0 });

async function measureImport(lines: number, repetitions: number): Promise<(string | number)[]> {
  const directory = mkdtempSync(join(tmpdir(), 'warden-bench-responsiveness-'));
  const env = {
    WARDEN_DATA_DIR: directory,
    WARDEN_LOG_LEVEL: 'warn',
    WARDEN_RATE_LIMIT_PER_MINUTE: '10000000',
  };
  const port = 18_100;
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [binary, 'serve', '--port', String(port)], {
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  try {
    const key = (
      JSON.parse(await warden(['keys', 'create', '--role', 'admin', '--json'], env)) as { key: string }
    ).key;
    await waitUntilListening(url);
    const slowest: number[] = [];
    const seconds: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const bank = `standin-${repetition}`;
      const response = await fetch(`${url}/v1/banks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: bank, category: 'csam' }),
      });
      if (!response.ok) throw new Error(`creating a bank failed: ${await response.text()}`);
      const file = join(directory, 'bank.txt');
      writeFileSync(file, hashLines(lines));
      const form = new FormData();
      form.append('file', new Blob([await readFile(file)]), 'bank.txt');
      const started = performance.now();
      const measured = await slowestDuring(`${url}/health`, async () => {
        const imported = await fetch(`${url}/v1/banks/${bank}/import`, {
          method: 'POST',
          // An import of a million lines answers after minutes, past the client's default wait.
          dispatcher: patient,
          headers: { authorization: `Bearer ${key}` },
          body: form,
        });
        if (!imported.ok) throw new Error(`the import failed: ${await imported.text()}`);
      });
      seconds.push((performance.now() - started) / 1000);
      slowest.push(measured.slowest);
      process.stderr.write(
        `responsiveness: import ${repetition + 1}: slowest /health ${measured.slowest.toFixed(0)} ms of ${measured.answers}\n`,
      );
    }
    return [
      `import ${lines.toLocaleString('en-GB')} lines over HTTP`,
      Math.min(...slowest),
      median(slowest),
      median(seconds),
    ];
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(directory, { recursive: true, force: true });
  }
}

async function measureFold(entries: number, repetitions: number): Promise<(string | number)[]> {
  const directory = mkdtempSync(join(tmpdir(), 'warden-bench-responsiveness-'));
  const database = await openDatabase({ dataDir: directory });
  // /health as Warden answers it: one read of the database.
  const server = createServer((_request, response) => {
    database.db
      .selectFrom('counters')
      .select('value')
      .limit(1)
      .execute()
      .then(() => response.end('{"status":"ok"}'))
      .catch(() => response.writeHead(503).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  try {
    const ids = Array.from({ length: entries }, (_, index) => index + 1);
    const index = PdqIndex.build(ids, randomBytes(entries * 32), { foldInBackground: true });
    // Past 1/128 of the index (at most 65,536 entries) the append area is folded into a segment.
    const foldAfter = Math.min(65_536, Math.max(4096, Math.floor(entries / 128))) + 1;
    const slowest: number[] = [];
    const seconds: number[] = [];
    let nextId = entries + 1;
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const hashes = randomBytes(foldAfter * 32);
      const started = performance.now();
      const measured = await slowestDuring(url, async () => {
        for (let added = 0; added < foldAfter; added++) {
          index.add(nextId++, hashes.subarray(added * 32, added * 32 + 32));
        }
        // A branch with background folds says when its fold is done; a synchronous fold is done already.
        const settled = (index as unknown as { settled?: () => Promise<void> }).settled;
        if (settled !== undefined) await settled.call(index);
      });
      seconds.push((performance.now() - started) / 1000);
      slowest.push(measured.slowest);
      process.stderr.write(
        `responsiveness: fold ${repetition + 1}: slowest /health ${measured.slowest.toFixed(0)} ms of ${measured.answers}\n`,
      );
    }
    return [
      `fold into ${entries.toLocaleString('en-GB')} entries`,
      Math.min(...slowest),
      median(slowest),
      median(seconds),
    ];
  } finally {
    server.close();
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const importLines = option(args, '--import-lines', 1_000_000);
  const foldEntries = option(args, '--fold-entries', 10_000_000);
  const repetitions = option(args, '--repetitions', 3);
  // A size of 0 leaves that measurement out.
  const rows = [
    ...(foldEntries > 0 ? [await measureFold(foldEntries, repetitions)] : []),
    ...(importLines > 0 ? [await measureImport(importLines, repetitions)] : []),
  ];
  printTable(
    `Slowest GET /health (every ~10 ms) during long work on SQLite, ${repetitions} repetitions; target < 100 ms`,
    ['work', 'slowest /health ms (min)', 'slowest /health ms (median)', 'work took s (median)'],
    rows,
  );
}

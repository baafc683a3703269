// What one wide match query costs the server: POST /v1/match as a platform key, threshold 63, against a bank
// of 100,000 near-duplicates that all lie within it (the worst case for a bank list leaking through match
// answers). The anchor, run in the same process on the same bank, is the server with the limits lifted
// (WARDEN_MAX_PDQ_THRESHOLD=256, WARDEN_MAX_MATCHES=100000), which answers as Warden did before them;
// threshold 256 is the query of the issue. In process (Fastify inject), so the time of one request is
// the time the event loop is held. Usage: npm run bench -- match-limit [--entries N] [--repetitions R]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApiKey } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import { pdqBytesToHash, pdqHashToBytes } from '../src/hashing/index.js';
import type { PdqHash } from '../src/hashing/index.js';
import { addBankEntries, createBank } from '../src/matching/index.js';
import type { NewBankEntry } from '../src/matching/index.js';
import { buildApp, openServices } from '../src/server/index.js';
import { openDatabase } from '../src/store/index.js';
import type { Database } from '../src/store/index.js';
import { median, printTable } from './table.js';

const query = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22' as PdqHash;

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

/** `count` distinct hashes, each 1 to 40 bits from the query (so all match at threshold 63). */
function nearDuplicates(count: number): PdqHash[] {
  const base = pdqHashToBytes(query);
  let state = 0x9e37_79b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>>= 0);
  };
  const seen = new Set<string>();
  while (seen.size < count) {
    const bytes = base.slice();
    const flips = 1 + (next() % 40);
    for (let flip = 0; flip < flips; flip++) {
      const bit = next() % 256;
      bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
    }
    seen.add(pdqBytesToHash(bytes));
  }
  return [...seen] as PdqHash[];
}

async function fillBank(database: Database, count: number): Promise<void> {
  await createBank(database, { name: 'standin-near', category: 'other' });
  const entries: NewBankEntry[] = nearDuplicates(count).map((signal) => ({ signalType: 'pdq', signal }));
  for (let start = 0; start < entries.length; start += 10_000) {
    await database.db
      .transaction()
      .execute((trx) => addBankEntries(trx, 'standin-near', entries.slice(start, start + 10_000)));
  }
}

interface Setting {
  name: string;
  limits: { maxPdqThreshold: number; maxMatches: number };
  threshold: number;
}

export async function run(args: string[]): Promise<void> {
  const entries = option(args, '--entries', 100_000);
  const repetitions = option(args, '--repetitions', 5);
  const directory = mkdtempSync(join(tmpdir(), 'warden-bench-match-limit-'));
  const database = await openDatabase({ dataDir: directory });
  try {
    await fillBank(database, entries);
    const key = (await createApiKey(database, { role: 'platform' })).key;
    const unlimited = { maxPdqThreshold: 256, maxMatches: 100_000 };
    const settings: Setting[] = [
      { name: 'limits lifted (as before), threshold 256', limits: unlimited, threshold: 256 },
      { name: 'limits lifted (as before), threshold 63', limits: unlimited, threshold: 63 },
      {
        name: 'defaults (max 63, 100 matches), threshold 63',
        limits: { maxPdqThreshold: 63, maxMatches: 100 },
        threshold: 63,
      },
      { name: 'defaults, threshold 256', limits: { maxPdqThreshold: 63, maxMatches: 100 }, threshold: 256 },
    ];
    const rows: (string | number)[][] = [];
    // The same bank and database for every setting; each setting opens its own server (and index).
    const servers = await Promise.all(
      settings.map(async (setting) => {
        const config = loadConfig(
          {},
          { dataDir: directory, indexRefreshMs: 3_600_000, hashingThreads: 1, ...setting.limits },
        );
        const services = await openServices(config, pino({ level: 'silent' }), database);
        return {
          setting,
          services,
          app: await buildApp(services),
          times: [] as number[],
          matcherTimes: [] as number[],
          bytes: 0,
          status: 0,
          matches: 0,
        };
      }),
    );
    // Interleaved repetitions, so that a busy moment on the machine hits every setting alike.
    for (let repetition = 0; repetition < repetitions; repetition++) {
      for (const server of servers) {
        const started = process.hrtime.bigint();
        const response = await server.app.inject({
          method: 'POST',
          url: '/v1/match',
          headers: { authorization: `Bearer ${key}` },
          payload: { signals: [{ type: 'pdq', value: query }], threshold: server.setting.threshold },
        });
        server.times.push(Number(process.hrtime.bigint() - started) / 1e6);
        server.bytes = response.rawPayload.length;
        server.status = response.statusCode;
        // The matcher alone: index, entries read from the database, matches built.
        const matchStarted = process.hrtime.bigint();
        await server.services.matcher.match({ pdq: query }, { threshold: server.setting.threshold }).then(
          () => server.matcherTimes.push(Number(process.hrtime.bigint() - matchStarted) / 1e6),
          () => undefined,
        );
        server.matches =
          response.statusCode === 200 ? response.json<{ matches: unknown[] }>().matches.length : 0;
      }
    }
    for (const server of servers) {
      rows.push([
        server.setting.name,
        server.status,
        server.matches,
        server.bytes,
        Math.min(...server.times),
        median(server.times),
        server.matcherTimes.length === 0 ? 'refused' : median(server.matcherTimes),
      ]);
      await server.app.close();
      await server.services.close();
    }
    printTable(
      `POST /v1/match as a platform key against ${entries.toLocaleString('en-GB')} near-duplicates (${repetitions} repetitions each, interleaved)`,
      ['server', 'status', 'matches', 'response bytes', 'min ms', 'median ms', 'matcher alone, median ms'],
      rows,
    );
  } finally {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

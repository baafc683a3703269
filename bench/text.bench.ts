// Term matching throughput: the term automaton scanning 100 MB of generated English prose for 10,000 terms,
// against GNU grep -F on the same file and term list in the same run, and the automaton's build time.
// Anchors (one core, 100 MB of dictionary text, 10,000 patterns): grep -F -c 99–132 MB/s, grep -F -o
// (every match) 26 MB/s, a typed-array Aho–Corasick DFA in JavaScript about 93 MB/s. Target: every match
// at no less than grep -F -o's speed with normalisation included, and at least 0.7× grep -F -c without.
// MB are bytes of the UTF-8 file / 1e6. The text and terms are written to a temporary folder, removed
// afterwards. Then the latency of one POST /v1/text/check of a 200-character query, in process
// (fastify's inject, through authentication, validation and the engine), against the engine alone on the
// same queries; target p99 under 2 ms.
// Last, recall and precision against grep's exact matches per evasion class (support/term-accuracy.ts).
// `npx tsx bench/run.ts text [--quick] [--megabytes 100] [--terms 10000] [--runs 3] [--checks 20000]
// [--lines 6000] [--accuracy-only]`
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApiKey } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import { importTermList } from '../src/matching/index.js';
import { buildApp, openServices } from '../src/server/index.js';
import {
  NormalisedText,
  TermAutomaton,
  formatTermList,
  normaliseTerm,
  normaliseText,
  textPolicy,
} from '../src/text/index.js';
import { Random, VOCABULARY, prose, pseudoWords } from './support/prose.js';
import { measureTermAccuracy } from './support/term-accuracy.js';
import { median, printTable } from './table.js';
import type { Cell } from './table.js';

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

/**
 * A term list shaped like a real one: most terms never occur in a given text (made-up words standing in
 * for slurs, slang and spam phrases), some are ordinary words that occur now and then, and some are
 * two- and three-word phrases, which occur only when their words happen to meet.
 */
function termList(count: number, seed: number): string[] {
  const random = new Random(seed);
  const words = VOCABULARY.filter((word) => /^[a-z]+$/.test(word));
  const terms = new Set<string>();
  // Ordinary words, none of the five hundred commonest, of five letters or more.
  const singles = Math.round(count * 0.02);
  while (terms.size < singles) {
    const word = words[500 + random.below(words.length - 500)] ?? '';
    if (word.length >= 5) terms.add(word);
  }
  // Phrases of words past the hundred commonest: "of the" is in no term list.
  const phrases = singles + Math.round(count * 0.25);
  while (terms.size < phrases) {
    const length = 2 + random.below(2);
    terms.add(Array.from({ length }, () => words[100 + random.zipf(words.length - 100)]).join(' '));
  }
  for (const word of pseudoWords(count - terms.size, seed + 1, new Set(words))) terms.add(word);
  return [...terms];
}

function codesOf(text: string): Uint16Array {
  const codes = new Uint16Array(text.length);
  for (let index = 0; index < text.length; index++) codes[index] = text.charCodeAt(index);
  return codes;
}

/** Pieces of about `size` characters that end at line ends, so that no term is cut in two. */
function lineChunks(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let from = 0; from < text.length;) {
    const newline = text.indexOf('\n', Math.min(text.length - 1, from + size));
    const to = newline === -1 ? text.length : newline + 1;
    chunks.push(text.slice(from, to));
    from = to;
  }
  return chunks;
}

/** Median milliseconds of `runs` calls (after one warm-up call when `warm`), and the last call's result. */
function timed<T>(runs: number, work: () => T, warm = true): { ms: number; result: T } {
  let result = warm ? work() : (undefined as T);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    result = work();
    times.push(performance.now() - start);
  }
  return { ms: median(times), result };
}

/** Runs a shell command in the C locale (byte matching, as the terms and text need) and returns stdout. */
function shell(command: string, ...operands: string[]): string {
  const child = spawnSync('sh', ['-c', command, 'sh', ...operands], {
    env: { ...process.env, LC_ALL: 'C' },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  // grep exits with 1 when nothing matched, which is still an answer.
  if (child.error !== undefined || (child.status !== 0 && child.status !== 1)) {
    throw new Error(`${command} failed: ${child.error?.message ?? child.stderr}`);
  }
  return child.stdout.trim();
}

/**
 * What grep would report, derived from every match the automaton finds: grep -F -o reports the leftmost
 * match, the longest of those starting there, then searches on from its end; grep -F -c counts lines with
 * a match. Matches arrive by end, and a start can only gain matches until the scan passes start + the
 * longest pattern, so starts are settled in order through a ring of that size.
 */
function grepView(automaton: TermAutomaton, codes: Uint16Array): { leftmostLongest: number; lines: number } {
  let longest = 0;
  for (let pattern = 0; pattern < automaton.patternCount; pattern++) {
    longest = Math.max(longest, automaton.patternLength(pattern));
  }
  const ring = longest + 1;
  const longestEnd = new Int32Array(ring);
  let settled = 0;
  let resume = 0;
  let leftmostLongest = 0;
  const settleBefore = (limit: number): void => {
    for (; settled < limit; settled++) {
      const end = longestEnd[settled % ring]!;
      if (end === 0) continue;
      longestEnd[settled % ring] = 0;
      if (settled >= resume) {
        leftmostLongest++;
        resume = end;
      }
    }
  };
  let lineCursor = 0;
  let line = 0;
  let lastLine = -1;
  let lines = 0;
  automaton.scan(codes, codes.length, (pattern, end) => {
    const start = end - automaton.patternLength(pattern);
    settleBefore(end - longest);
    if (longestEnd[start % ring]! < end) longestEnd[start % ring] = end;
    for (; lineCursor < end; lineCursor++) if (codes[lineCursor] === 10) line++;
    if (line !== lastLine) {
      lines++;
      lastLine = line;
    }
  });
  settleBefore(codes.length);
  return { leftmostLongest, lines };
}

export async function run(args: string[]): Promise<void> {
  const megabytes = option(args, '--megabytes', args.includes('--quick') ? 10 : 100);
  const termCount = option(args, '--terms', 10_000);
  const runs = option(args, '--runs', 3);
  const folder = mkdtempSync(join(tmpdir(), 'warden-bench-text-'));
  try {
    if (args.includes('--accuracy-only')) {
      measureTermAccuracy(folder, option(args, '--lines', 6000));
      return;
    }
    const text = prose(megabytes * 1e6, 2024);
    const terms = termList(termCount, 7);
    const textFile = join(folder, 'prose.txt');
    const termFile = join(folder, 'terms.txt');
    await writeFile(textFile, text);
    await writeFile(termFile, terms.join('\n') + '\n');
    const mb = statSync(textFile).size / 1e6;
    const codes = codesOf(text);
    let lineCount = 0;
    for (let index = 0; index < codes.length; index++) if (codes[index] === 10) lineCount++;

    const grepCount = timed(runs, () => Number(shell('grep -F -c -f "$1" "$2"', termFile, textFile)), false);
    const grepEvery = timed(
      runs,
      () => Number(shell('grep -F -o -f "$1" "$2" | wc -l', termFile, textFile)),
      false,
    );

    const build = timed(Math.max(runs, 5), () => TermAutomaton.build(terms));
    const automaton = build.result;
    const count = timed(runs, () => automaton.count(codes, codes.length));
    const scan = timed(runs, () => {
      let found = 0;
      automaton.scan(codes, codes.length, () => {
        found++;
      });
      return found;
    });

    // Normalisation included: the terms as skeletons, the text normalised a megabyte at a time into one
    // reused buffer, as the engine does for each message.
    const skeletons = terms.map(normaliseTerm).filter((skeleton) => skeleton !== '');
    const skeletonAutomaton = TermAutomaton.build(skeletons);
    const chunks = lineChunks(text, 1 << 20);
    const buffer = new NormalisedText(1 << 21);
    const normaliseAndScan = timed(runs, () => {
      let found = 0;
      for (const chunk of chunks) {
        const normalised = normaliseText(chunk, buffer);
        skeletonAutomaton.scan(normalised.codes, normalised.length, () => {
          found++;
        });
      }
      return found;
    });

    const view = grepView(automaton, codes);
    const speed = (ms: number): number => mb / (ms / 1000);
    const row = (step: string, ms: number, found: string): Cell[] => [
      step,
      ms,
      speed(ms),
      `${(speed(ms) / speed(grepCount.ms)).toFixed(2)}x`,
      `${(speed(ms) / speed(grepEvery.ms)).toFixed(2)}x`,
      found,
    ];
    const matches = (value: number): string => `${value.toLocaleString('en-GB')} matches`;
    printTable(
      `Term matching: ${mb.toFixed(0)} MB of prose, ${terms.length.toLocaleString('en-GB')} terms, one core ` +
        `(grep -F in the C locale; ratios are speed against grep)`,
      ['step', 'ms', 'MB/s', 'vs grep -F -c', 'vs grep -F -o', 'found'],
      [
        row(
          'grep -F -c',
          grepCount.ms,
          `${grepCount.result.toLocaleString('en-GB')} of ${lineCount.toLocaleString('en-GB')} lines`,
        ),
        row(
          'grep -F -o, lines counted by wc -l',
          grepEvery.ms,
          `${matches(grepEvery.result)} (leftmost-longest)`,
        ),
        row('automaton count()', count.ms, `${matches(count.result)} (all, overlapping)`),
        row('automaton scan(), every match', scan.ms, matches(scan.result)),
        row('normalise + scan', normaliseAndScan.ms, `${matches(normaliseAndScan.result)} (skeletons)`),
        [
          "check: scan's matches as grep sees them",
          '-',
          '-',
          '-',
          '-',
          `${view.leftmostLongest.toLocaleString('en-GB')} leftmost-longest, ` +
            `${view.lines.toLocaleString('en-GB')} lines`,
        ],
        [
          'automaton build',
          build.ms,
          '-',
          '-',
          '-',
          `${automaton.stateCount.toLocaleString('en-GB')} states x ${automaton.classCount} classes, ` +
            `${(automaton.byteSize / 1e6).toFixed(1)} MB`,
        ],
      ],
    );
    if (view.leftmostLongest !== grepEvery.result || view.lines !== grepCount.result) {
      throw new Error('The automaton and grep disagree on the matches.');
    }
    if (count.result !== scan.result) throw new Error('count() and scan() disagree.');
    await checkLatency(
      terms,
      text,
      option(args, '--checks', args.includes('--quick') ? 5000 : 20_000),
      folder,
    );
    measureTermAccuracy(folder, option(args, '--lines', args.includes('--quick') ? 2000 : 6000));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** p50 and p99 of POST /v1/text/check in process, and of the engine alone, on 200-character queries. */
async function checkLatency(terms: string[], text: string, checks: number, folder: string): Promise<void> {
  const config = loadConfig({}, { dataDir: join(folder, 'data'), hashingThreads: 1 });
  const services = await openServices(config, pino({ level: 'silent' }));
  const app = await buildApp(services);
  try {
    const csv = formatTermList(
      terms.map((term) => ({
        term,
        category: 'standin-terms',
        severity: 3,
        language: '',
        match: 'word' as const,
        allow: false,
        regex: false,
        note: '',
      })),
    );
    await importTermList(services.database, 'bench-terms', csv);
    await services.text.refresh();
    const key = (await createApiKey(services.database, { role: 'platform' })).key;
    // Queries cut from the prose at word boundaries, about 200 characters each.
    const queries: string[] = [];
    for (let at = 0; queries.length < 1000; at += 997) {
      const from = text.indexOf(' ', at) + 1;
      queries.push(text.slice(from, text.lastIndexOf(' ', from + 200)).replace(/\n/g, ' '));
    }
    const policy = textPolicy(config);
    const latencies = async (work: (query: string) => unknown): Promise<number[]> => {
      const times: number[] = [];
      for (let index = 0; index < checks + 1000; index++) {
        const started = performance.now();
        await work(queries[index % queries.length]!);
        if (index >= 1000) times.push(performance.now() - started); // the first thousand warm up
      }
      return times.sort((a, b) => a - b);
    };
    const engine = await latencies((query) => services.text.check(query, 'search', policy));
    const api = await latencies(async (query) => {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/text/check',
        headers: { authorization: `Bearer ${key}` },
        payload: { text: query, mode: 'search' },
      });
      if (response.statusCode !== 200) throw new Error(`POST /v1/text/check: ${response.body}`);
    });
    const quantile = (times: number[], q: number): number => times[Math.floor(q * (times.length - 1))]!;
    const micro = (ms: number): number => Math.round(ms * 1000);
    const row = (step: string, times: number[]): Cell[] => [
      step,
      times.length,
      micro(quantile(times, 0.5)),
      micro(quantile(times, 0.99)),
      micro(times[times.length - 1]!),
    ];
    printTable(
      `One check of a ${Math.round(queries.reduce((sum, query) => sum + query.length, 0) / queries.length)}-character ` +
        `search query, ${terms.length.toLocaleString('en-GB')} terms, in process; target p99 < 2 ms`,
      ['step', 'checks', 'p50 µs', 'p99 µs', 'max µs'],
      [row('engine alone (TextBanks.check)', engine), row('POST /v1/text/check (inject)', api)],
    );
  } finally {
    await app.close();
    await services.close();
  }
}

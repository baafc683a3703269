// Regular-expression rules: what running them on RE2 costs, against V8's own RegExp on the same rules in
// the same run, and against the other RE2 build on npm that installs without downloading a binary
// (re2-wasm, Google's WebAssembly build; a dev dependency, used only here). Three tables:
//   - compile: one rule, from pattern to something that can search, in microseconds;
//   - scan: generated English prose checked message by message (a paragraph each, as Warden checks
//     messages), in MB/s, for rules of a realistic term list;
//   - adversarial: one 100,000-character text (the longest Warden checks) made to stall a backtracking
//     engine, in ms; V8 is not run on these, as it takes exponential or polynomial time (minutes to ages).
// MB are UTF-16 characters / 1e6 (the prose is mostly ASCII). Best and median of --runs repetitions.
// `npx tsx bench/run.ts regex [--megabytes 2] [--runs 5]`
import { createRequire } from 'node:module';
import { RE2JS } from 're2js';
import { checkRegexRule } from '../src/text/index.js';
import type { RegexRule } from '../src/text/index.js';
import { prose } from './support/prose.js';
import { median, printTable } from './table.js';
import type { Cell } from './table.js';

interface WasmRegex {
  lastIndex: number;
  exec(input: string): { index: number } | null;
}
// re2-wasm is CommonJS without an ES module entry.
const { RE2: WasmRE2 } = createRequire(import.meta.url)('re2-wasm') as {
  RE2: new (pattern: string, flags: string) => WasmRegex;
};

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

/** The regular expressions of the stand-in term list (test/support/benign-corpus.ts), and two common shapes. */
const rules = [
  '\\bbuy\\s+(?:cheap\\s+)?(?:followers|likes|views)\\b',
  '\\b(?:whats\\s?app|telegram)\\s+me\\b',
  '\\b[a-z0-9-]{1,63}\\.(?:xyz|top|click)\\b',
  '\\bearn\\s+\\$?\\d{2,5}\\s+(?:a|per)\\s+day\\b',
  '\\bk[i1!]ll\\s+y[o0]u?r\\s*self\\b',
  // Matches now and then in prose: the cost of finding where, not only whether.
  '\\bthe\\s+\\w+\\s+of\\b',
];

/** Patterns that stall a backtracking engine, each with a text made for it. */
const adversarial: { pattern: string; text: string }[] = [
  { pattern: '(a+)+$', text: `${'a'.repeat(99_999)}!` },
  { pattern: '(a|a)*b', text: 'a'.repeat(100_000) },
  { pattern: '\\w+x', text: 'a'.repeat(100_000) },
  { pattern: '.*.*=.*', text: 'a'.repeat(100_000) },
  // Found: each search reads on to the end, for every match reported (capped at 20 per rule).
  { pattern: '(?:\\w*x)?\\w', text: 'a'.repeat(100_000) },
  // Many instructions alive at once (202 of the 1,000 a rule may have) and a match at the very end.
  { pattern: '(?:a{1,10}){1,10}$', text: 'a'.repeat(100_000) },
];

function timed(runs: number, work: () => void): number[] {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return times;
}

/** The fastest and the median run, each converted by `scale` (to µs, MB/s, …). */
function bestMedian(times: number[], scale: (ms: number) => number): string {
  const format = (value: number) => (value >= 100 ? value.toFixed(0) : value.toPrecision(3));
  return `${format(scale(Math.min(...times)))} / ${format(scale(median(times)))}`;
}

function accept(pattern: string): RegexRule {
  const check = checkRegexRule(pattern);
  if (!check.ok) throw new Error(check.reason);
  return check.rule;
}

function compileTable(runs: number): void {
  const rows: Cell[][] = [];
  const perCompile = 50;
  const micros = (ms: number) => (ms * 1000) / perCompile;
  for (const pattern of rules) {
    // V8 compiles a RegExp on its first use, so each one is used once.
    const v8 = timed(runs, () => {
      for (let index = 0; index < perCompile; index++) new RegExp(pattern, 'gu').test('x');
    });
    const warden = timed(runs, () => {
      for (let index = 0; index < perCompile; index++) accept(pattern).matches('x');
    });
    const re2js = timed(runs, () => {
      for (let index = 0; index < perCompile; index++) RE2JS.compile(pattern).test('x');
    });
    const wasm = timed(runs, () => {
      for (let index = 0; index < perCompile; index++) new WasmRE2(pattern, 'gu').exec('x');
    });
    rows.push([
      pattern,
      bestMedian(v8, micros),
      bestMedian(warden, micros),
      bestMedian(re2js, micros),
      bestMedian(wasm, micros),
    ]);
  }
  printTable(
    `regex: compile one rule, µs (best / median of ${runs} runs of ${perCompile})`,
    ['rule', 'V8 RegExp', 'Warden: check, translate, re2js', 're2js alone (rule as written)', 're2-wasm'],
    rows,
  );
}

function scanTable(messages: string[], runs: number): void {
  const characters = messages.reduce((sum, message) => sum + message.length, 0);
  const megabytesPerSecond = (ms: number) => characters / 1e6 / (ms / 1000);
  const rows: Cell[][] = [];
  for (const pattern of rules) {
    const v8 = new RegExp(pattern, 'gu');
    const warden = accept(pattern);
    const re2js = RE2JS.compile(pattern);
    const wasm = new WasmRE2(pattern, 'gu');
    const counts = { v8: 0, warden: 0, re2js: 0, wasm: 0 };
    const v8Times = timed(runs, () => {
      counts.v8 = 0;
      for (const message of messages) counts.v8 += [...message.matchAll(v8)].length;
    });
    const wardenTimes = timed(runs, () => {
      counts.warden = 0;
      for (const message of messages) counts.warden += warden.matches(message).length;
    });
    // Finding every match's span directly, without first asking RE2's DFA whether there is one.
    const re2jsTimes = timed(runs, () => {
      counts.re2js = 0;
      for (const message of messages) {
        const matcher = re2js.matcher(message);
        while (matcher.find()) counts.re2js += 1;
      }
    });
    const wasmTimes = timed(runs, () => {
      counts.wasm = 0;
      for (const message of messages) {
        wasm.lastIndex = 0;
        while (wasm.exec(message) !== null) counts.wasm += 1;
      }
    });
    const agreed = new Set(Object.values(counts)).size === 1;
    rows.push([
      pattern,
      agreed ? counts.v8 : `differ: ${JSON.stringify(counts)}`,
      bestMedian(v8Times, megabytesPerSecond),
      bestMedian(wardenTimes, megabytesPerSecond),
      bestMedian(re2jsTimes, megabytesPerSecond),
      bestMedian(wasmTimes, megabytesPerSecond),
    ]);
  }
  printTable(
    `regex: scan ${messages.length.toLocaleString('en')} messages of prose (${(characters / 1e6).toFixed(1)} MB), MB/s (best / median of ${runs} runs; higher is better)`,
    [
      'rule',
      'matches',
      'V8 RegExp',
      'Warden (re2js: DFA yes/no, then spans)',
      're2js spans only',
      're2-wasm',
    ],
    rows,
  );
}

function adversarialTable(runs: number): void {
  const rows: Cell[][] = [];
  for (const { pattern, text } of adversarial) {
    const rule = accept(pattern);
    let found = 0;
    const times = timed(runs, () => {
      found = rule.matches(text).length;
    });
    rows.push([
      pattern,
      `${text.slice(0, 6)}… (${text.length.toLocaleString('en')})`,
      found,
      bestMedian(times, (ms) => ms),
    ]);
  }
  printTable(
    `regex: one adversarial 100,000-character text, ms (best / median of ${runs} runs)`,
    ['rule', 'text', 'matches reported', 'Warden (re2js)'],
    rows,
  );
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const runs = option(args, '--runs', quick ? 3 : 5);
  const megabytes = option(args, '--megabytes', quick ? 0.5 : 2);
  const lowered = prose(megabytes * 1e6, 11).replace(/[A-Z]+/g, (capitals) => capitals.toLowerCase());
  const messages = lowered.split('\n').filter((line) => line !== '');
  compileTable(runs);
  scanTable(messages, runs);
  adversarialTable(runs);
  await Promise.resolve();
}

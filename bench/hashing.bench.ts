// Hashing throughput: PDQ of already-decoded pixels on one core, and whole files (read, decode, PDQ, MD5,
// SHA-256) on the pool. The anchor run in the same bench is sharp's decode alone (libvips, the floor under
// any hash of a compressed file), alternating with Warden's rounds. Meta's C++ reference is code from
// another repository, which nothing here builds: its figures are measured by hand outside the bench
// (README, "Performance"), on the JPEGs this bench leaves behind with --keep.
// `npx tsx bench/run.ts hashing [--rounds 3] [--keep DIR]`
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createHashingPool, decodeImage, pdqFromPixels } from '../src/hashing/index.js';
import { formatNumber, median, printTable } from './table.js';
import { photoLike } from './support/images.js';

const limits = { maxBytes: 64 * 1024 * 1024, maxPixels: 100_000_000 };
const vectors = resolve(fileURLToPath(new URL('../../shared/vectors/pdq', import.meta.url)));

/** Runs `work` for about `seconds` after a warm-up; returns the median milliseconds per call. */
function timeSync(work: () => void, seconds = 1.5): number {
  for (let i = 0; i < 3; i += 1) work();
  const times: number[] = [];
  const stop = performance.now() + seconds * 1000;
  while (performance.now() < stop) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function timeAsync(work: () => Promise<unknown>, count: number): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Milliseconds of sharp's decode alone (to raw pixels): the anchor under every compressed file. */
async function sharpDecodeMs(bytes: Buffer, count: number): Promise<number> {
  return timeAsync(() => sharp(bytes).raw().toBuffer(), count);
}

/** Runs `work` over the items, `concurrency` at a time. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

const medianAndBest = (values: number[], digits = 2): string =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)})`;

async function pixelThroughput(rounds: number): Promise<void> {
  const vector = (name: string) => readFileSync(join(vectors, 'decoded', name));
  const generated = await sharp(photoLike(1920, 1080, 1), { raw: { width: 1920, height: 1080, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
  const cases: [string, Buffer][] = [
    ['1600x1004 (bridge-1-original.png)', vector('bridge-1-original.png')],
    ['1920x1080 (generated, JPEG quality 85)', generated],
    ['512x512 (bridge-1-original.cli512.png)', vector('bridge-1-original.cli512.png')],
    ['256x256 (square-256x256.png)', vector('square-256x256.png')],
  ];
  const rows = [];
  for (const [name, bytes] of cases) {
    const image = await decodeImage(bytes, limits);
    const pdq: number[] = [];
    const decode: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      pdq.push(timeSync(() => pdqFromPixels(image.pixels, image.width, image.height, image.channels), 0.5));
      decode.push(await sharpDecodeMs(bytes, 10));
    }
    rows.push([
      name,
      medianAndBest(pdq),
      1000 / median(pdq),
      medianAndBest(decode),
      `${(median(decode) / median(pdq)).toFixed(2)}×`,
    ]);
  }
  printTable(
    `PDQ of decoded pixels, full resolution, one core, ${rounds} rounds alternating with sharp's decode (median, best in brackets); C++ reference: measured by hand outside the bench (README)`,
    ['image', 'PDQ ms per hash', 'hashes/s', 'sharp decode ms (same image)', 'PDQ hashes/s ÷ decodes/s'],
    rows,
  );
}

async function fileThroughput(rounds: number, keep: string | undefined): Promise<void> {
  const folder = keep ?? mkdtempSync(join(tmpdir(), 'warden-bench-'));
  mkdirSync(folder, { recursive: true });
  try {
    const unique: string[] = [];
    for (let seed = 0; seed < 24; seed += 1) {
      const path = join(folder, `photo-${seed}.jpg`);
      const raw = { width: 1920, height: 1080, channels: 3 } as const;
      writeFileSync(
        path,
        await sharp(photoLike(1920, 1080, seed), { raw })
          .jpeg({ quality: 85 })
          .toBuffer(),
      );
      unique.push(path);
    }
    const averageBytes = unique.reduce((sum, path) => sum + statSync(path).size, 0) / unique.length;
    const files = Array.from({ length: 8 }, () => unique).flat();

    // One core, step by step, to show where the time goes.
    const bytes = readFileSync(unique[0] ?? '');
    const decode = await timeAsync(() => decodeImage(bytes, limits), 20);
    const image = await decodeImage(bytes, limits);
    const pdq = timeSync(() => pdqFromPixels(image.pixels, image.width, image.height, image.channels), 1);
    const digests = timeSync(() => {
      createHash('md5').update(bytes).digest();
      createHash('sha256').update(bytes).digest();
    }, 0.5);
    printTable(
      `One 1920x1080 JPEG (quality 85, ${Math.round(averageBytes / 1024)} KiB on average), one core`,
      ['step', 'ms per file'],
      [
        ['decode (sharp, through decodeImage)', decode.toFixed(2)],
        ['PDQ, full resolution', pdq.toFixed(2)],
        ['MD5 + SHA-256', digests.toFixed(2)],
        ['sum', (decode + pdq + digests).toFixed(2)],
      ],
    );

    const rows = [];
    for (const size of [1, undefined]) {
      const pool = createHashingPool({ limits, ...(size === undefined ? {} : { size }) });
      try {
        await pool.hashFiles(unique.slice(0, 4 * pool.size));
        const rates: number[] = [];
        const cpuMs: number[] = [];
        const decodeRates: number[] = [];
        for (let round = 0; round < rounds; round += 1) {
          const cpu = process.cpuUsage();
          const start = performance.now();
          const results = await pool.hashFiles(files);
          const seconds = (performance.now() - start) / 1000;
          const { user, system } = process.cpuUsage(cpu);
          if (!results.every((result) => result.ok)) throw new Error('a benchmark file failed to hash');
          rates.push(files.length / seconds);
          cpuMs.push((user + system) / 1000 / files.length);
          const decodeStart = performance.now();
          await inParallel(files, pool.size, async (path) => sharp(readFileSync(path)).raw().toBuffer());
          decodeRates.push(files.length / ((performance.now() - decodeStart) / 1000));
        }
        rows.push([
          `${pool.size}`,
          files.length,
          median(cpuMs).toFixed(1),
          `${formatNumber(median(rates))} (${formatNumber(Math.max(...rates))})`,
          `${formatNumber(median(decodeRates))} (${formatNumber(Math.max(...decodeRates))})`,
          `${(median(rates) / median(decodeRates)).toFixed(2)}×`,
        ]);
      } finally {
        await pool.close();
      }
    }
    printTable(
      `Files end to end (read, decode, full-resolution PDQ, MD5, SHA-256), 1920x1080 JPEGs, hashing pool, ${rounds} rounds alternating with sharp's decode alone (median, best in brackets); C++ reference CLI: measured by hand outside the bench (README)`,
      // CPU ms per file counts every thread of this process: when files/s falls short of
      // threads x 1000 / (CPU ms per file), other programs were competing for the cores.
      [
        'worker threads',
        'files',
        'CPU ms per file',
        'files/s',
        'sharp decode alone, as many at once: files/s',
        'files/s ÷ decode alone',
      ],
      rows,
    );
  } finally {
    if (keep === undefined) rmSync(folder, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const rounds = Number(flag('--rounds') ?? 3);
  await pixelThroughput(rounds);
  await fileThroughput(rounds, flag('--keep'));
}

// Hashing throughput against Meta's C++ reference (../shared/specs/pdq.md, "Speed of the reference"):
// PDQ of already-decoded pixels on one core, and whole files (read, decode, PDQ, MD5, SHA-256) on the pool.
// The JPEGs are generated photo-like images in a temporary folder, removed afterwards.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createHashingPool, decodeImage, pdqFromPixels } from '../src/hashing/index.js';
import type { DecodedImage } from '../src/hashing/index.js';
import { median, printTable } from './table.js';
import { photoLike } from './support/images.js';

const limits = { maxBytes: 64 * 1024 * 1024, maxPixels: 100_000_000 };
const vectors = resolve(fileURLToPath(new URL('../../shared/vectors/pdq', import.meta.url)));
/** C++ reference, one thread, on this machine class (hashes/s, files/s); 512x512 measured 162-228. */
const reference = { full1600: 21.7, square512: 228, square256: 941, files: 55 };

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

async function decodedVector(name: string): Promise<DecodedImage> {
  return decodeImage(readFileSync(join(vectors, 'decoded', name)), limits);
}

async function pixelThroughput(): Promise<void> {
  const cases: [string, DecodedImage, number | undefined][] = [
    ['1600x1004 (bridge-1-original.png)', await decodedVector('bridge-1-original.png'), reference.full1600],
    [
      '1920x1080 (generated)',
      { pixels: photoLike(1920, 1080, 1), width: 1920, height: 1080, channels: 3 },
      undefined,
    ],
    [
      '512x512 (bridge-1-original.cli512.png)',
      await decodedVector('bridge-1-original.cli512.png'),
      reference.square512,
    ],
    ['256x256 (square-256x256.png)', await decodedVector('square-256x256.png'), reference.square256],
  ];
  const rows = cases.map(([name, image, anchor]) => {
    const ms = timeSync(() => pdqFromPixels(image.pixels, image.width, image.height, image.channels));
    const perSecond = 1000 / ms;
    return [
      name,
      ms.toFixed(2),
      perSecond,
      anchor ?? '-',
      anchor === undefined ? '-' : `${(perSecond / anchor).toFixed(1)}x`,
    ];
  });
  printTable(
    'PDQ of decoded pixels, full resolution, one core (ratio against the best C++ figure)',
    ['image', 'ms per hash', 'hashes/s', 'C++ reference hashes/s', 'ratio'],
    rows,
  );
}

async function fileThroughput(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'warden-bench-'));
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
        ['decode (sharp)', decode.toFixed(2)],
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
        const cpu = process.cpuUsage();
        const start = performance.now();
        const results = await pool.hashFiles(files);
        const seconds = (performance.now() - start) / 1000;
        const { user, system } = process.cpuUsage(cpu);
        if (!results.every((result) => result.ok)) throw new Error('a benchmark file failed to hash');
        const perSecond = files.length / seconds;
        rows.push([
          `${pool.size}`,
          files.length,
          ((user + system) / 1000 / files.length).toFixed(1),
          perSecond,
          reference.files,
          `${(perSecond / reference.files).toFixed(2)}x`,
        ]);
      } finally {
        await pool.close();
      }
    }
    printTable(
      'Files end to end (read, decode, full-resolution PDQ, MD5, SHA-256), 1920x1080 JPEGs, hashing pool',
      // CPU ms per file counts every thread of this process: when files/s falls short of
      // threads x 1000 / (CPU ms per file), other programs were competing for the cores.
      ['worker threads', 'files', 'CPU ms per file', 'files/s', 'C++ reference CLI files/s', 'ratio'],
      rows,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export async function run(_args: string[]): Promise<void> {
  await pixelThroughput();
  await fileThroughput();
}

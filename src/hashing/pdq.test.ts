// PDQ against Meta's reference: the decoded-pixel vectors (bit-exact, with quality and dihedral variants),
// the reference's intermediate buffers, and a plain transcription of the spec on images of awkward sizes.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { pdqFromPixels, pdqIntermediates } from './pdq.js';
import { dctMatrix } from './pdq-kernels.js';
import {
  expectedPdq,
  intermediateMatrix,
  intermediateSummary,
  vectorPath,
} from '../../test/support/index.js';

/** The exact pixels of a lossless vector, grey kept as one channel. */
async function readPixels(
  file: string,
): Promise<{ pixels: Buffer; width: number; height: number; channels: 1 | 3 }> {
  const image = sharp(vectorPath(`pdq/${file}`));
  const { space } = await image.metadata();
  const grey = space === 'b-w' || space === 'grey16';
  const { data, info } = await (grey ? image.extractChannel(0) : image.removeAlpha())
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { pixels: data, width: info.width, height: info.height, channels: grey ? 1 : 3 };
}

describe('PDQ of the reference decoded pixels (pdq/decoded, full-resolution-pipeline.csv)', () => {
  const rows = expectedPdq('full-resolution-pipeline.csv').filter((row) => row.file.startsWith('decoded/'));

  it('covers every decoded PNG, full images and 512x512 CLI reductions alike', () => {
    expect(rows.length).toBeGreaterThanOrEqual(29);
    expect(rows.filter((row) => row.file.endsWith('.cli512.png')).length).toBeGreaterThanOrEqual(12);
  });

  it.each(rows.map((row) => [row.file, row] as const))(
    '%s: hash, quality, size and all 7 dihedral hashes exactly',
    async (_file, row) => {
      const { pixels, width, height, channels } = await readPixels(row.file);
      expect(channels).toBe(row.channels);
      const result = pdqFromPixels(pixels, width, height, channels, { dihedral: true });
      expect(result).toEqual({
        hash: row.hash,
        quality: row.quality,
        dihedral: row.dihedral,
        hashedWidth: row.hashedWidth,
        hashedHeight: row.hashedHeight,
      });
    },
  );

  it('hashes each *.cli512.png to the C++ tool row of its original image', async () => {
    const cliRows = expectedPdq('cpp-cli-pipeline.csv');
    for (const row of rows.filter((candidate) => candidate.file.endsWith('.cli512.png'))) {
      const name = row.file.replace(/^decoded\//, '').replace(/\.cli512\.png$/, '');
      const original = cliRows.find((cli) => cli.file.replace(/^.*\//, '').replace(/\.\w+$/, '') === name);
      const { pixels, width, height, channels } = await readPixels(row.file);
      expect(pdqFromPixels(pixels, width, height, channels).hash, row.file).toBe(original?.hash);
    }
  });
});

describe('PDQ intermediates (pdq/expected/intermediates)', () => {
  it('uses the float32 DCT matrix of the reference', () => {
    expect(dctMatrix()).toEqual(intermediateMatrix('dct-matrix-16x64.txt'));
  });

  it.each(['q0122', 'q2821', 'wee', 'bridge-1-original', 'bridge-1-original.cli512'])(
    '%s: 64x64 filtered buffer, 16x16 DCT, median, quality and hash exactly',
    async (name) => {
      const { pixels, width, height, channels } = await readPixels(`decoded/${name}.png`);
      const summary = intermediateSummary(name);
      const result = pdqIntermediates(pixels, width, height, channels, 'full');
      expect(result.image64).toEqual(intermediateMatrix(`${name}.luma64x64.txt`));
      expect(result.dct16).toEqual(intermediateMatrix(`${name}.dct16x16.txt`));
      expect(Float32Array.from(result.dct16).sort()[127]).toBe(Math.fround(Number(summary.dct_median)));
      expect(result.quality).toBe(Number(summary.quality));
      expect(pdqFromPixels(pixels, width, height, channels).hash).toBe(summary.hash);
    },
  );
});

/**
 * The spec transcribed as plainly as possible: full-image float32 buffers, the four-phase running box filter
 * along every row and then every column, twice, decimation and the DCT. Slow, but easy to check by eye.
 */
function specIntermediates(pixels: Uint8Array, width: number, height: number, channels: number) {
  const f = Math.fround;
  const [red, green, blue] = [f(0.299), f(0.587), f(0.114)];
  const image = new Float32Array(width * height);
  for (let p = 0; p < width * height; p += 1) {
    const at = p * channels;
    const [r, g, b] = [pixels[at] ?? 0, pixels[at + 1] ?? 0, pixels[at + 2] ?? 0];
    image[p] = channels === 1 ? r : f(f(f(red * r) + f(green * g)) + f(blue * b));
  }
  const box = (
    input: Float32Array,
    output: Float32Array,
    start: number,
    stride: number,
    n: number,
    w: number,
  ) => {
    // The reference's box1DFloat: a float32 running sum and an integer count, in four phases.
    const half = Math.floor((w + 2) / 2);
    let [sum, count, read, leave, write] = [0, 0, start, start, start];
    const add = () => {
      sum = f(sum + (input[read] ?? 0));
      read += stride;
    };
    const remove = () => {
      sum = f(sum - (input[leave] ?? 0));
      leave += stride;
    };
    const emit = () => {
      output[write] = f(sum / count);
      write += stride;
    };
    for (let i = 0; i < half - 1; i += 1) {
      add();
      count += 1;
    }
    for (let i = 0; i < w - half + 1; i += 1) {
      add();
      count += 1;
      emit();
    }
    for (let i = 0; i < n - w; i += 1) {
      add();
      remove();
      emit();
    }
    for (let i = 0; i < half - 1; i += 1) {
      remove();
      count -= 1;
      emit();
    }
  };
  const across = Math.floor((width + 127) / 128);
  const down = Math.floor((height + 127) / 128);
  const temp = new Float32Array(width * height);
  for (let pass = 0; pass < 2; pass += 1) {
    for (let y = 0; y < height; y += 1) box(image, temp, y * width, 1, width, across);
    for (let x = 0; x < width; x += 1) box(temp, image, x, width, height, down);
  }
  const image64 = new Float32Array(4096);
  for (let i = 0; i < 64; i += 1) {
    for (let j = 0; j < 64; j += 1) {
      const y = Math.floor(((i + 0.5) * height) / 64);
      image64[i * 64 + j] = image[y * width + Math.floor(((j + 0.5) * width) / 64)] ?? 0;
    }
  }
  const d = dctMatrix();
  const t = new Float32Array(16 * 64);
  const dct16 = new Float32Array(256);
  for (let i = 0; i < 16; i += 1) {
    for (let j = 0; j < 64; j += 1) {
      let sum = 0;
      for (let k = 0; k < 64; k += 1) sum = f(sum + f((d[i * 64 + k] ?? 0) * (image64[k * 64 + j] ?? 0)));
      t[i * 64 + j] = sum;
    }
  }
  for (let i = 0; i < 16; i += 1) {
    for (let j = 0; j < 16; j += 1) {
      let sum = 0;
      for (let k = 0; k < 64; k += 1) sum = f(sum + f((t[i * 64 + k] ?? 0) * (d[j * 64 + k] ?? 0)));
      dct16[i * 16 + j] = sum;
    }
  }
  return { image64, dct16 };
}

/** Photo-like test pixels: a smooth gradient plus deterministic noise. */
function syntheticPixels(width: number, height: number, channels: number, seed: number): Uint8Array {
  const pixels = new Uint8Array(width * height * channels);
  let state = seed * 2654435761 + 1;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let c = 0; c < channels; c += 1) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        const smooth = 128 + 90 * Math.sin((x * (c + 1)) / 37 + seed) * Math.cos((y * (3 - c)) / 23);
        pixels[(y * width + x) * channels + c] = Math.max(
          0,
          Math.min(255, Math.round(smooth + ((state >>> 24) % 48) - 24)),
        );
      }
    }
  }
  return pixels;
}

describe('the fast kernels against a plain transcription of the spec', () => {
  // Sizes around the kernels' edge cases: widths not a multiple of 4, heights not a multiple of the 8-row
  // band, windows of 1 to 5 (sides up to 640), the 5-pixel minimum, and very unequal sides.
  const sizes: [number, number, 1 | 3 | 4][] = [
    [5, 5, 3],
    [5, 7, 1],
    [6, 13, 4],
    [17, 5, 3],
    [31, 29, 1],
    [64, 64, 3],
    [127, 129, 3],
    [130, 257, 4],
    [257, 130, 1],
    [301, 513, 3],
    [640, 9, 3],
    [9, 641, 1],
  ];
  it.each(sizes)('%ix%i with %i channel(s): identical 64x64 buffer and DCT', (width, height, channels) => {
    const pixels = syntheticPixels(width, height, channels, width * 31 + height);
    const fast = pdqIntermediates(pixels, width, height, channels, 'full');
    const spec = specIntermediates(pixels, width, height, channels);
    expect(fast.image64).toEqual(spec.image64);
    expect(fast.dct16).toEqual(spec.dct16);
  });
});

describe('pdqFromPixels', () => {
  it('hashes images with a side under 5 pixels to 256 zero bits with quality 0', () => {
    for (const [width, height] of [
      [4, 100],
      [100, 4],
      [1, 1],
    ] as const) {
      const result = pdqFromPixels(syntheticPixels(width, height, 3, 1), width, height, 3, {
        dihedral: true,
      });
      expect(result.hash).toBe('0'.repeat(64));
      expect(result.quality).toBe(0);
      expect(new Set(Object.values(result.dihedral ?? {}))).toEqual(new Set(['0'.repeat(64)]));
    }
    expect(pdqFromPixels(syntheticPixels(5, 5, 3, 1), 5, 5, 3).hash).not.toBe('0'.repeat(64));
  });

  it('ignores alpha: RGBA hashes as its RGB, whatever the transparency', () => {
    const rgb = syntheticPixels(200, 150, 3, 7);
    const rgba = new Uint8Array(200 * 150 * 4);
    for (let p = 0; p < 200 * 150; p += 1) {
      rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = p % 256;
    }
    expect(pdqFromPixels(rgba, 200, 150, 4, { pipeline: 'cli512' })).toEqual(pdqFromPixels(rgb, 200, 150, 3));
    expect(pdqFromPixels(rgba, 200, 150, 4)).toEqual(pdqFromPixels(rgb, 200, 150, 3));
  });

  it('uses grey values directly as luminance, unlike grey spread over RGB', () => {
    const grey = syntheticPixels(120, 90, 1, 3);
    const asRgb = new Uint8Array(grey.length * 3).map((_, index) => grey[Math.floor(index / 3)] ?? 0);
    const fromGrey = pdqIntermediates(grey, 120, 90, 1, 'full');
    const fromRgb = pdqIntermediates(asRgb, 120, 90, 3, 'full');
    expect(fromGrey.image64).toEqual(specIntermediates(grey, 120, 90, 1).image64);
    // 0.299 R + 0.587 G + 0.114 B in float32 is not exactly the grey value for 35 of the 256 levels.
    expect(fromRgb.image64).not.toEqual(fromGrey.image64);
  });

  it('reduces images over 512 to 512x512 by nearest neighbour in the cli512 pipeline only', () => {
    const pixels = syntheticPixels(700, 300, 3, 5);
    expect(pdqFromPixels(pixels, 700, 300, 3, { pipeline: 'cli512' })).toMatchObject({
      hashedWidth: 512,
      hashedHeight: 512,
    });
    expect(pdqFromPixels(pixels, 700, 300, 3)).toMatchObject({ hashedWidth: 700, hashedHeight: 300 });
    const small = syntheticPixels(300, 200, 3, 5);
    expect(pdqFromPixels(small, 300, 200, 3, { pipeline: 'cli512' })).toEqual(
      pdqFromPixels(small, 300, 200, 3),
    );
  });

  it('rejects pixels that do not fit the stated size and channels', () => {
    expect(() => pdqFromPixels(new Uint8Array(10), 2, 2, 3)).toThrow(
      /2x2 image with 3 channel\(s\) has 12 bytes of pixels; got 10/,
    );
    expect(() => pdqFromPixels(new Uint8Array(8), 2, 2, 2 as 3)).toThrow(
      /1 \(grey\), 3 \(RGB\) or 4 \(RGBA\) channels; got 2/,
    );
    expect(() => pdqFromPixels(new Uint8Array(0), 0, 5, 1)).toThrow(/positive integers; got 0x5/);
  });
});

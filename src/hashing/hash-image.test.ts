// Image files to signals: the reference images decoded by sharp, the formats and pixel conventions that
// decide which pixels are hashed, and the limits and failures a user meets with real-world files.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from './decode.js';
import { hashFile, hashImage } from './hash-image.js';
import { pdqFromPixels } from './pdq.js';
import { pdqDistance } from './signals.js';
import { expectedPdq, vectorPath } from '../../test/support/index.js';

const limits = { maxBytes: 64 * 1024 * 1024, maxPixels: 50_000_000 };
const temporary = mkdtempSync(join(tmpdir(), 'warden-hashing-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

/** Colourful photo-like pixels: gradients with a little deterministic texture. */
function pixels(width: number, height: number, channels: 3 | 4): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * channels;
      data[at] = (x * 255) / width + ((x * y) % 7);
      data[at + 1] = 128 + 100 * Math.sin(y / 9);
      data[at + 2] = 128 + 100 * Math.cos((x + y) / 13);
      if (channels === 4) data[at + 3] = (x * 7 + y) % 256;
    }
  }
  return data;
}

/** An image of at most 216 colours, which GIF stores exactly. */
function palettePixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 3;
      data[at] = 51 * Math.floor((x * 6) / width);
      data[at + 1] = 51 * Math.floor((128 + 100 * Math.sin(y / 9)) / 43);
      data[at + 2] = 51 * ((x + y) % 6);
    }
  }
  return data;
}

/** The chunks of a PNG file, in order. */
function pngChunks(png: Buffer): { type: string; bytes: Buffer }[] {
  const chunks: { type: string; bytes: Buffer }[] = [];
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) {
    chunks.push({
      type: png.toString('latin1', at + 4, at + 8),
      bytes: png.subarray(at, at + 12 + png.readUInt32BE(at)),
    });
  }
  return chunks;
}

const raw = (data: Buffer | Uint16Array, width: number, height: number, channels: 1 | 3 | 4) =>
  sharp(data, { raw: { width, height, channels } });

describe('the reference images, decoded by sharp', () => {
  const originals = (csv: 'full-resolution-pipeline.csv' | 'cpp-cli-pipeline.csv') =>
    expectedPdq(csv).filter((row) => row.file.startsWith('images/'));

  it('hash at full resolution within 4 bits of full-resolution-pipeline.csv (exact matches reported)', async () => {
    const rows = originals('full-resolution-pipeline.csv');
    const exact = { jpeg: 0, jpegs: 0, other: 0, others: 0 };
    for (const row of rows) {
      const hashes = await hashFile(vectorPath(`pdq/${row.file}`), { limits });
      expect(pdqDistance(hashes.pdq, row.hash), row.file).toBeLessThanOrEqual(4);
      expect([hashes.width, hashes.height], row.file).toEqual([row.hashedWidth, row.hashedHeight]);
      const same = hashes.pdq === row.hash && hashes.quality === row.quality ? 1 : 0;
      if (/\.jpe?g$/.test(row.file)) {
        exact.jpegs += 1;
        exact.jpeg += same;
      } else {
        exact.others += 1;
        exact.other += same;
      }
    }
    console.log(
      `Decoded by sharp at full resolution, ${exact.jpeg} of ${exact.jpegs} original JPEGs and ${exact.other} ` +
        `of ${exact.others} other originals match full-resolution-pipeline.csv exactly (hash and quality).`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(35);
  });

  it('hash through the cli512 pipeline within 4 bits of the C++ tool (cpp-cli-pipeline.csv)', async () => {
    for (const row of originals('cpp-cli-pipeline.csv')) {
      const hashes = await hashFile(vectorPath(`pdq/${row.file}`), { limits, pipeline: 'cli512' });
      expect(pdqDistance(hashes.pdq, row.hash), row.file).toBeLessThanOrEqual(4);
    }
  });

  it('give MD5 and SHA-256 of the file bytes, and the dihedral variants on request', async () => {
    const bytes = readFileSync(vectorPath('pdq/images/pdq-data/reg-test-input/dih/bridge-1-original.jpg'));
    const hashes = await hashImage(bytes, { limits, dihedral: true });
    expect(hashes.md5).toBe(createHash('md5').update(bytes).digest('hex'));
    expect(hashes.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const row = expectedPdq('full-resolution-pipeline.csv').find((r) =>
      r.file.endsWith('dih/bridge-1-original.jpg'),
    );
    expect(hashes.dihedral).toEqual(row?.dihedral);
  });
});

describe('which pixels are hashed', () => {
  it('keeps grey images as one channel and drops their alpha', async () => {
    const image = await decodeImage(readFileSync(vectorPath('pdq/images/pytx/LA.png')), limits);
    expect(image.channels).toBe(1);
    expect(image.pixels.length).toBe(image.width * image.height);
  });

  it('hashes an RGB file whose pixels are all grey as the grey image, as the reference decoder does', async () => {
    // Vertical stripes of grey levels where the float32 RGB weights do not give the level back exactly:
    // DCT coefficients sit near the median, so the difference shows in the hash.
    const levels = [15, 30, 37, 45, 60, 61, 74, 90, 93, 99];
    const grey = Buffer.alloc(64 * 64);
    grey.forEach((_, p) => (grey[p] = levels[((p % 64) * 7) % levels.length] ?? 0));
    const rgb = Buffer.from([...grey].flatMap((level) => [level, level, level]));
    const file = await raw(rgb, 64, 64, 3).png().toBuffer();
    const hashes = await hashImage(file, { limits });
    expect(hashes.pdq).toBe(pdqFromPixels(grey, 64, 64, 1).hash);
    expect(hashes.pdq).not.toBe(pdqFromPixels(rgb, 64, 64, 3).hash);
  });

  it('ignores alpha rather than flattening it', async () => {
    const rgba = pixels(300, 200, 4);
    const rgb = Buffer.from(rgba.filter((_, index) => index % 4 !== 3));
    const hashes = await hashImage(await raw(rgba, 300, 200, 4).png().toBuffer(), { limits });
    expect(hashes.pdq).toBe(pdqFromPixels(rgb, 300, 200, 3).hash);
  });

  it('reduces 16-bit samples to their high byte', async () => {
    const wide = new Uint16Array(300 * 200 * 3).map((_, index) => (index * 2654435761) % 65536);
    const file = await raw(wide, 300, 200, 3).toColourspace('rgb16').png().toBuffer();
    const high = Buffer.from(wide.map((value) => value >> 8));
    expect((await hashImage(file, { limits })).pdq).toBe(pdqFromPixels(high, 300, 200, 3).hash);
  });

  it('applies no EXIF rotation', async () => {
    const source = raw(pixels(320, 240, 3), 320, 240, 3);
    const plain = await hashImage(await source.clone().jpeg().toBuffer(), { limits });
    const rotated = await hashImage(await source.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer(), {
      limits,
    });
    expect(rotated).toMatchObject({ pdq: plain.pdq, width: 320, height: 240 });
  });

  it('applies no embedded colour profile', async () => {
    const plain = await raw(pixels(320, 240, 3), 320, 240, 3)
      .png()
      .toBuffer();
    // The same pixels with a Display P3 profile attached: its iCCP chunk spliced in after the header.
    const profile = pngChunks(await sharp(plain).png().withIccProfile('p3').toBuffer()).find(
      (c) => c.type === 'iCCP',
    );
    const [header, ...rest] = pngChunks(plain);
    const tagged = Buffer.concat([
      plain.subarray(0, 8),
      header?.bytes ?? Buffer.alloc(0),
      profile?.bytes ?? Buffer.alloc(0),
      ...rest.map((c) => c.bytes),
    ]);
    // A colour-managed decoder would change the pixels (and so the hash); the reference's does not.
    const managed = await sharp(tagged).raw().toBuffer();
    expect(managed.equals(await sharp(plain).raw().toBuffer())).toBe(false);
    expect((await hashImage(tagged, { limits })).pdq).toBe((await hashImage(plain, { limits })).pdq);
  });

  it('reads lossless PNG, WebP, TIFF, GIF and AVIF files to exactly the pixels they hold', async () => {
    const data = palettePixels(256, 192);
    const expected = pdqFromPixels(data, 256, 192, 3).hash;
    const source = raw(data, 256, 192, 3);
    for (const [name, file] of [
      ['PNG', await source.clone().png().toBuffer()],
      ['WebP', await source.clone().webp({ lossless: true }).toBuffer()],
      ['TIFF', await source.clone().tiff({ compression: 'deflate' }).toBuffer()],
      ['GIF', await source.clone().gif({ dither: 0 }).toBuffer()],
      ['AVIF', await source.clone().avif({ lossless: true }).toBuffer()],
    ] as const) {
      expect((await hashImage(file, { limits })).pdq, name).toBe(expected);
    }
  });

  it('hashes the first frame of an animated GIF', async () => {
    const first = await raw(pixels(128, 96, 3), 128, 96, 3)
      .png()
      .toBuffer();
    const second = await raw(pixels(128, 96, 3).reverse(), 128, 96, 3)
      .png()
      .toBuffer();
    const animated = await sharp([first, second], { join: { animated: true } })
      .gif()
      .toBuffer();
    const hashes = await hashImage(animated, { limits });
    expect(hashes).toMatchObject({ width: 128, height: 96 });
    expect(
      pdqDistance(hashes.pdq, (await hashImage(await sharp(first).gif().toBuffer(), { limits })).pdq),
    ).toBe(0);
  });
});

/** A valid 1-bit grey PNG of side x side pixels: a few kilobytes that decode to side² bytes. */
function pngBomb(side: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const frame = Buffer.alloc(8 + body.length);
    frame.writeUInt32BE(data.length, 0);
    body.copy(frame, 4);
    frame.writeUInt32BE(crc32(body), 4 + body.length);
    return frame;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1;
  const rows = deflateSync(Buffer.alloc((1 + side / 8) * side), { level: 9 });
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('limits and files that cannot be hashed', () => {
  const jpeg = readFileSync(vectorPath('pdq/images/pdq-data/reg-test-input/dih/bridge-1-original.jpg'));

  it('refuses a file over maxBytes, naming the limit and the size', async () => {
    await expect(hashImage(jpeg, { limits: { ...limits, maxBytes: 100_000 } })).rejects.toThrow(
      /The file is 361182 bytes, over the limit of 100000 bytes \(maxBytes\)/,
    );
    const path = join(temporary, 'big.jpg');
    writeFileSync(path, jpeg);
    await expect(hashFile(path, { limits: { ...limits, maxBytes: 1000 } })).rejects.toMatchObject({
      code: 'too_large',
    });
  });

  it('refuses a decompression bomb from its header, before decoding', async () => {
    const bomb = pngBomb(20000);
    expect(bomb.length).toBeLessThan(100_000);
    // Warden's own message, with the header's size: sharp never got to decode it.
    await expect(
      hashImage(bomb, { limits: { maxBytes: 1_000_000, maxPixels: 100_000_000 } }),
    ).rejects.toThrow(
      /The image is 20000x20000 \(400000000 pixels\), over the limit of 100000000 pixels \(maxPixels\)/,
    );
    await expect(hashImage(jpeg, { limits: { ...limits, maxPixels: 1_000_000 } })).rejects.toThrow(
      /1600x1004 \(1606400 pixels\), over the limit of 1000000/,
    );
  });

  it('reports a truncated JPEG as corrupt', async () => {
    await expect(hashImage(jpeg.subarray(0, jpeg.length >> 1), { limits })).rejects.toMatchObject({
      code: 'corrupt_media',
    });
    await expect(hashImage(jpeg.subarray(0, 400), { limits })).rejects.toThrow(/damaged or truncated/);
  });

  it('reports files that are not images, or not in a supported format', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    for (const bytes of [Buffer.from('just some text, not an image\n'), Buffer.alloc(0), svg]) {
      await expect(hashImage(bytes, { limits })).rejects.toMatchObject({ code: 'unsupported_media' });
    }
    await expect(hashImage(svg, { limits })).rejects.toThrow(
      /SVG images are not supported; convert the file/,
    );
  });

  it('reports a missing file by its path', async () => {
    const missing = join(temporary, 'missing.jpg');
    await expect(hashFile(missing, { limits })).rejects.toThrow(`File not found: ${missing}.`);
    await expect(hashFile(temporary, { limits })).rejects.toThrow(/is a directory/);
  });
});

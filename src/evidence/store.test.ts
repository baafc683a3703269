// The evidence store: encryption at rest, content addressing, the key file, hashing of images, and the
// views an analyst sees. Images are generated; nothing here is real material.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hashImage } from '../hashing/index.js';
import { describeEachEngine, rejection, useTemporaryDirectory } from '../../test/support/index.js';
import { EvidenceStore, evidenceKeyFileName, getEvidence } from './index.js';
import type { EvidenceStoreOptions } from './index.js';

const limits = { maxImageBytes: 8 * 1024 * 1024, maxImagePixels: 20_000_000 };
const keyA = 'a'.repeat(64);
const keyB = Buffer.alloc(32, 7).toString('base64');

/** A colourful, detailed image: gradients, stripes and texture, so blurring and greyscale show. */
async function generatedImage(
  width: number,
  height: number,
  format: 'png' | 'jpeg' = 'png',
): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 3;
      data[at] = (x * 255) / width;
      data[at + 1] = (Math.floor(x / 4) + Math.floor(y / 4)) % 2 === 0 ? 230 : 20;
      data[at + 2] = 128 + 100 * Math.sin((x + y) / 11);
    }
  }
  const image = sharp(data, { raw: { width, height, channels: 3 } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
}

/** Decodes output to raw RGB pixels. */
async function rawPixels(bytes: Uint8Array) {
  return sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
}

/**
 * The largest difference between the channels of one pixel. Lossy WebP keeps colour at reduced
 * precision, so a grey pixel decodes with its channels at most 1 apart; colour is far more.
 */
function channelSpread(pixels: Buffer, channels: number): number {
  let spread = 0;
  for (let at = 0; at < pixels.length; at += channels) {
    const [red = 0, green = 0, blue = 0] = pixels.subarray(at, at + 3);
    spread = Math.max(spread, Math.abs(red - green), Math.abs(red - blue), Math.abs(green - blue));
  }
  return spread;
}

function blobPath(blobDir: string, sha256: string): string {
  return join(blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

describeEachEngine('evidence store', (database) => {
  const directory = useTemporaryDirectory();
  const options = (extra: Partial<EvidenceStoreOptions> = {}): EvidenceStoreOptions => ({
    blobDir: join(directory(), 'blobs'),
    dataDir: directory(),
    evidenceKey: keyA,
    ...limits,
    ...extra,
  });

  it('stores an image encrypted, hashes it like hashImage, and gives the same bytes back', async () => {
    const store = await EvidenceStore.open(options());
    const bytes = await generatedImage(120, 90);
    const item = await store.put(database(), bytes);
    const hashes = await hashImage(bytes, {
      limits: { maxBytes: limits.maxImageBytes, maxPixels: limits.maxImagePixels },
    });
    expect(item).toEqual({
      sha256: hashes.sha256,
      md5: hashes.md5,
      pdq: hashes.pdq,
      quality: hashes.quality,
      mime: 'image/png',
      width: 120,
      height: 90,
      sizeBytes: bytes.length,
      storedAt: expect.any(String),
    });
    expect(await getEvidence(database(), item.sha256.toUpperCase())).toEqual(item);
    expect(Buffer.from(await store.read(item.sha256)).equals(bytes)).toBe(true);

    // On disk: version byte, IV, ciphertext, tag — and none of the plain bytes.
    const sealed = readFileSync(blobPath(options().blobDir, item.sha256));
    expect(sealed[0]).toBe(1);
    expect(sealed.length).toBe(bytes.length + 1 + 12 + 16);
    expect(sealed.includes(bytes.subarray(0, 64))).toBe(false);
    expect(sealed.includes(bytes.subarray(bytes.length - 64))).toBe(false);
  });

  it('keeps non-images too, without a PDQ hash and under a sniffed type', async () => {
    const store = await EvidenceStore.open(options());
    const marker = 'PLAIN-TEXT-MARKER-that-must-not-appear-on-disk';
    const page = Buffer.from(`<!DOCTYPE html><html><body>${marker}</body></html>`);
    const html = await store.put(database(), page);
    expect(html).toMatchObject({ pdq: '', quality: null, mime: 'text/html', width: null, height: null });
    expect(html.sizeBytes).toBe(page.length);
    expect(html.md5).toBe(createHash('md5').update(page).digest('hex'));
    expect(readFileSync(blobPath(options().blobDir, html.sha256)).includes(marker)).toBe(false);
    expect(Buffer.from(await store.read(html.sha256)).toString()).toContain(marker);

    const other = await store.put(database(), Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(other).toMatchObject({ pdq: '', mime: 'application/octet-stream' });
    // A damaged image is still kept as evidence, by its signature, without a hash.
    const truncated = (await generatedImage(64, 64, 'jpeg')).subarray(0, 300);
    expect(await store.put(database(), truncated)).toMatchObject({
      pdq: '',
      mime: 'image/jpeg',
      width: null,
    });
  });

  it('stores the same bytes once: the second put returns the same record and rewrites nothing', async () => {
    const store = await EvidenceStore.open(options());
    const bytes = await generatedImage(40, 40);
    const first = await store.put(database(), bytes);
    const path = blobPath(options().blobDir, first.sha256);
    const sealed = readFileSync(path);
    const second = await store.put(database(), Buffer.from(bytes));
    expect(second).toEqual(first);
    // A rewrite would use a fresh IV, so the file would differ.
    expect(readFileSync(path).equals(sealed)).toBe(true);
    const rows = await database().db.selectFrom('evidence').select('sha256').execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses bytes over the size limit and images over the pixel limit, storing nothing', async () => {
    const store = await EvidenceStore.open(options({ maxImageBytes: 1000 }));
    const tooBig = await rejection(store.put(database(), Buffer.alloc(1001, 1)));
    expect(tooBig.code).toBe('too_large');
    const few = await EvidenceStore.open(options({ maxImagePixels: 100 }));
    const tooMany = await rejection(few.put(database(), await generatedImage(20, 20)));
    expect(tooMany.code).toBe('too_large');
    expect(await database().db.selectFrom('evidence').select('sha256').execute()).toEqual([]);
  });

  it('refuses to decrypt with another key, and refuses altered or swapped blobs', async () => {
    const store = await EvidenceStore.open(options());
    const one = await store.put(database(), await generatedImage(30, 30));
    const two = await store.put(database(), Buffer.from('second piece of evidence'));

    const otherKey = await EvidenceStore.open(options({ evidenceKey: keyB }));
    const wrongKey = await rejection(otherKey.read(one.sha256));
    expect(wrongKey.code).toBe('internal');
    expect(wrongKey.message).toMatch(
      /evidence key \(WARDEN_EVIDENCE_KEY\) does not match the one that stored it/,
    );
    expect(wrongKey.message).not.toContain(keyB);

    const path = blobPath(options().blobDir, one.sha256);
    const sealed = readFileSync(path);
    const tampered = Buffer.from(sealed);
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    writeFileSync(path, tampered);
    expect((await rejection(store.read(one.sha256))).message).toMatch(/does not match|altered/);

    // A valid blob under another name fails too: the name is authenticated with the content.
    writeFileSync(path, sealed);
    copyFileSync(blobPath(options().blobDir, two.sha256), path);
    expect((await rejection(store.read(one.sha256))).code).toBe('internal');
  });

  it('answers not_found for absent evidence and invalid_argument for a malformed SHA-256', async () => {
    const store = await EvidenceStore.open(options());
    expect((await rejection(store.read('0'.repeat(64)))).code).toBe('not_found');
    expect((await rejection(getEvidence(database(), '0'.repeat(64)))).code).toBe('not_found');
    expect((await rejection(store.read('../../etc/passwd'))).code).toBe('invalid_argument');
  });

  it('creates the key file with mode 0600 on first use and uses it again afterwards', async () => {
    const noKey = options({ evidenceKey: undefined });
    const first = await EvidenceStore.open(noKey);
    const keyFile = join(directory(), evidenceKeyFileName);
    const text = readFileSync(keyFile, 'utf8');
    expect(text).toMatch(/^[0-9a-f]{64}\n$/);
    if (process.platform !== 'win32') expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const item = await first.put(database(), Buffer.from('kept under the key file'));

    const second = await EvidenceStore.open(noKey);
    expect(readFileSync(keyFile, 'utf8')).toBe(text);
    expect(Buffer.from(await second.read(item.sha256)).toString()).toBe('kept under the key file');
    // The same key given in the configuration opens the same blobs.
    const configured = await EvidenceStore.open(options({ evidenceKey: text.trim() }));
    expect(Buffer.from(await configured.read(item.sha256)).toString()).toBe('kept under the key file');
  });

  it('creates the data and evidence folders 0700 and each blob 0600 (only Warden reads evidence)', async () => {
    // A data directory that does not exist yet, as on PostgreSQL where the database does not make it.
    const dataDir = join(directory(), 'fresh', 'data');
    const blobDir = join(dataDir, 'blobs');
    const store = await EvidenceStore.open(options({ dataDir, blobDir, evidenceKey: undefined }));
    const item = await store.put(database(), Buffer.from('private evidence'));
    const path = blobPath(blobDir, item.sha256);
    const modes = [dataDir, blobDir, join(path, '..', '..'), join(path, '..'), path].map(
      (entry) => statSync(entry).mode & 0o777,
    );
    expect(modes).toEqual([0o700, 0o700, 0o700, 0o700, 0o600]);
  });

  it('opens several stores at once on a fresh data directory with one key', async () => {
    const noKey = options({ evidenceKey: undefined });
    const stores = await Promise.all(Array.from({ length: 5 }, () => EvidenceStore.open(noKey)));
    const item = await stores[0]!.put(database(), Buffer.from('shared'));
    for (const store of stores) expect(Buffer.from(await store.read(item.sha256)).toString()).toBe('shared');
  });
});

describe('evidence key', () => {
  const directory = useTemporaryDirectory();
  const base = () => ({ blobDir: join(directory(), 'blobs'), dataDir: directory(), ...limits });

  it('refuses a key file that does not hold a key, naming the file and the variable', async () => {
    mkdirSync(directory(), { recursive: true });
    const keyFile = join(directory(), evidenceKeyFileName);
    writeFileSync(keyFile, 'not a key\n');
    const error = await rejection(EvidenceStore.open(base()));
    expect(error.code).toBe('configuration');
    expect(error.message).toContain(keyFile);
    expect(error.message).toContain('WARDEN_EVIDENCE_KEY');
  });

  it('refuses a configured key that is not 32 bytes, without repeating it', async () => {
    for (const evidenceKey of ['abc', 'a'.repeat(63), Buffer.alloc(16).toString('base64')]) {
      const error = await rejection(EvidenceStore.open({ ...base(), evidenceKey }));
      expect(error.code).toBe('configuration');
      expect(error.message).toContain('WARDEN_EVIDENCE_KEY');
      expect(error.message).not.toContain(evidenceKey);
    }
  });

  it('accepts hex and base64 keys (standard and URL-safe)', async () => {
    const bytes = Buffer.alloc(32, 0xfb);
    for (const evidenceKey of [
      bytes.toString('hex'),
      bytes.toString('base64'),
      bytes.toString('base64url'),
    ]) {
      await expect(EvidenceStore.open({ ...base(), evidenceKey })).resolves.toBeInstanceOf(EvidenceStore);
    }
  });
});

describeEachEngine('evidence views', (database) => {
  const directory = useTemporaryDirectory();
  const open = () =>
    EvidenceStore.open({
      blobDir: join(directory(), 'blobs'),
      dataDir: directory(),
      evidenceKey: keyA,
      ...limits,
    });

  it('blurs the default view: at most 480 px, greyscale, WebP, far from the original', async () => {
    const store = await open();
    const original = await generatedImage(960, 640);
    const { sha256 } = await store.put(database(), original);
    const blurred = await store.render(sha256, 'blurred', { greyscale: false });
    expect(blurred.mime).toBe('image/webp');
    const decoded = await rawPixels(blurred.bytes);
    expect(decoded.info).toMatchObject({ width: 480, height: 320 });
    expect(channelSpread(decoded.data, decoded.info.channels)).toBeLessThanOrEqual(1);

    // Against the same-size greyscale original, the blur wipes out the stripes.
    const reference = await sharp(original).resize(480, 320).greyscale().raw().toBuffer();
    let difference = 0;
    for (let at = 0; at < reference.length; at += 1) {
      difference += Math.abs((reference[at] ?? 0) - (decoded.data[at * decoded.info.channels] ?? 0));
    }
    expect(difference / reference.length).toBeGreaterThan(20);
  });

  it('reveals up to 1600 px, in colour or greyscale as asked', async () => {
    const store = await open();
    const { sha256 } = await store.put(database(), await generatedImage(2000, 1000));
    const colour = await rawPixels((await store.render(sha256, 'revealed', { greyscale: false })).bytes);
    expect(colour.info).toMatchObject({ width: 1600, height: 800 });
    expect(channelSpread(colour.data, colour.info.channels)).toBeGreaterThan(100);
    const grey = await rawPixels((await store.render(sha256, 'revealed', { greyscale: true })).bytes);
    expect(channelSpread(grey.data, grey.info.channels)).toBeLessThanOrEqual(1);

    // Small images are not enlarged.
    const small = await store.put(database(), await generatedImage(200, 100));
    const shown = await rawPixels((await store.render(small.sha256, 'revealed', { greyscale: false })).bytes);
    expect(shown.info).toMatchObject({ width: 200, height: 100 });
  });

  it('strips metadata and applies the EXIF orientation for display', async () => {
    const store = await open();
    // 200x100 stored pixels with orientation 6 (rotate 90° clockwise to view) and a GPS-bearing EXIF block.
    const tagged = await sharp(await generatedImage(200, 100, 'jpeg'))
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Artist: 'someone' }, IFD3: { GPSLatitudeRef: 'N' } })
      .jpeg()
      .toBuffer();
    expect(await sharp(tagged).metadata()).toMatchObject({ orientation: 6, exif: expect.any(Buffer) });
    const { sha256, width, height } = await store.put(database(), tagged);
    // Hashing reads the stored pixels, unrotated.
    expect([width, height]).toEqual([200, 100]);
    const view = await store.render(sha256, 'revealed', { greyscale: false });
    const metadata = await sharp(view.bytes).metadata();
    expect(metadata.exif).toBeUndefined();
    expect(metadata.icc).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect([metadata.width, metadata.height]).toEqual([100, 200]);
  });

  it('says that non-images cannot be shown', async () => {
    const store = await open();
    const { sha256 } = await store.put(database(), Buffer.from('<html><body>text</body></html>'));
    const error = await rejection(store.render(sha256, 'blurred', { greyscale: true }));
    expect(error.code).toBe('unsupported_media');
    expect(error.message).toMatch(/cannot be shown as an image/);
  });
});

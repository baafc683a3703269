// The hashing pool: many files on worker threads, answers in input order, bad files answered one by one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashFile, hashImage } from './hash-image.js';
import { createHashingPool } from './pool.js';
import type { HashFileResult } from './pool.js';
import { expectedPdq, vectorPath } from '../../test/support/index.js';

const limits = { maxBytes: 16 * 1024 * 1024, maxPixels: 50_000_000 };
const temporary = mkdtempSync(join(tmpdir(), 'warden-pool-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

describe('createHashingPool', () => {
  const originals = expectedPdq('full-resolution-pipeline.csv').filter((row) =>
    row.file.startsWith('images/'),
  );

  it('hashes a batch on worker threads, in input order, with one error per bad file', async () => {
    const notAnImage = join(temporary, 'notes.jpg');
    writeFileSync(notAnImage, 'not an image');
    const missing = join(temporary, 'missing.png');
    const files = originals.map((row) => vectorPath(`pdq/${row.file}`));
    files.splice(3, 0, notAnImage);
    files.splice(10, 0, missing);

    const pool = createHashingPool({ size: 2, limits });
    const seen: number[] = [];
    try {
      const results = await pool.hashFiles(files, { dihedral: true }, (index, result) => {
        expect(result.file).toBe(files[index]);
        seen.push(index);
      });
      expect(results.map((result) => result.file)).toEqual(files);
      expect(seen.sort((a, b) => a - b)).toEqual(files.map((_, index) => index));
      expect(results[3]).toMatchObject({ ok: false, error: { code: 'unsupported_media' } });
      expect(results[10]).toMatchObject({
        ok: false,
        error: { code: 'not_found', message: `File not found: ${missing}.` },
      });
      const hashed = results.filter((result): result is Extract<HashFileResult, { ok: true }> => result.ok);
      expect(hashed.map((result) => result.hashes.pdq)).toEqual(originals.map((row) => row.hash));
      expect(hashed[0]?.hashes.dihedral).toEqual(originals[0]?.dihedral);
    } finally {
      await pool.close();
    }
  });

  it('gives what hashFile gives, in either pipeline, across several batches', async () => {
    const files = originals.slice(0, 6).map((row) => vectorPath(`pdq/${row.file}`));
    const pool = createHashingPool({ limits });
    try {
      expect(pool.size).toBeGreaterThanOrEqual(1);
      for (const pipeline of ['full', 'cli512'] as const) {
        const results = await pool.hashFiles(files, { pipeline });
        const direct = await Promise.all(files.map((file) => hashFile(file, { limits, pipeline })));
        expect(results).toEqual(direct.map((hashes, index) => ({ file: files[index], ok: true, hashes })));
      }
      expect(await pool.hashFiles([])).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('hashes uploaded bytes on a worker, rejecting bad ones with the user-facing error', async () => {
    const pool = createHashingPool({ size: 1, limits });
    try {
      const bytes = readFileSync(vectorPath('pdq/images/pytx/rgb.jpeg'));
      const upload = Buffer.concat([Buffer.alloc(100), bytes]).subarray(100);
      expect(await pool.hashBytes(upload, { dihedral: true })).toEqual(
        await hashImage(bytes, { limits, dihedral: true }),
      );
      await expect(pool.hashBytes(Buffer.from('not an image'))).rejects.toMatchObject({
        code: 'unsupported_media',
        status: 422,
      });
      await expect(pool.hashBytes(Buffer.alloc(limits.maxBytes + 1))).rejects.toMatchObject({
        code: 'too_large',
      });
    } finally {
      await pool.close();
    }
  });

  it('applies its limits in the workers', async () => {
    const pool = createHashingPool({ size: 1, limits: { maxBytes: 1000, maxPixels: 1000 } });
    const [result] = await pool.hashFiles([vectorPath('pdq/images/pytx/rgb.jpeg')]);
    await pool.close();
    expect(result).toMatchObject({ ok: false, error: { code: 'too_large' } });
  });

  it('finishes queued work on close, then refuses more', async () => {
    const pool = createHashingPool({ size: 1, limits });
    const files = originals.slice(0, 4).map((row) => vectorPath(`pdq/${row.file}`));
    const pending = pool.hashFiles(files);
    await pool.close();
    expect((await pending).every((result) => result.ok)).toBe(true);
    await expect(pool.hashFiles(files)).rejects.toThrow(/The hashing pool is closed/);
  });

  it('rejects a pool size that is not a whole positive number', () => {
    expect(() => createHashingPool({ size: 0, limits })).toThrow(/whole number of threads >= 1; got 0/);
    expect(() => createHashingPool({ limits: { maxBytes: 0, maxPixels: 1 } })).toThrow(
      /maxBytes must be a positive whole number; got 0/,
    );
  });
});

// The evidence store: media kept as proof of what a report was about, content-addressed by SHA-256 and
// encrypted at rest. Blobs live in `<blobDir>/<aa>/<bb>/<sha256>`; the evidence table holds what is known
// about each one (digests, PDQ, size, type). Whoever shows evidence to a person audits that view: the
// store itself has no notion of who is asking.
import { createHash, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Kysely, Selectable } from 'kysely';
import { configEnvironment } from '../config/index.js';
import { WardenError, isWardenError } from '../errors/index.js';
import { hashImage } from '../hashing/index.js';
import type { ImageLimits } from '../hashing/index.js';
import { now } from '../store/index.js';
import type { Database, Schema } from '../store/index.js';
import { evidenceKeyFileName, loadEvidenceKey } from './key.js';
import { renderImage } from './render.js';
import type { EvidenceView, RenderOptions, RenderedImage } from './render.js';
import { openBlob, sealBlob } from './sealed-blob.js';
import { sniffMime } from './sniff.js';

/** What is known about one piece of stored evidence. */
export interface EvidenceItem {
  sha256: string;
  md5: string;
  /** PDQ hash; '' when the bytes are not an image that could be hashed. */
  pdq: string;
  quality: number | null;
  mime: string;
  width: number | null;
  height: number | null;
  sizeBytes: number;
  storedAt: string;
}

/** An image's hashes computed already (on the hashing threads): stored as they are, not computed again. */
export interface KnownHashes {
  pdq: string;
  quality: number;
  width: number;
  height: number;
}

export interface EvidenceStoreOptions {
  blobDir: string;
  /** Where the key file is kept when `evidenceKey` is not given. */
  dataDir: string;
  /** 32 bytes as 64 hex digits or base64 (WARDEN_EVIDENCE_KEY). */
  evidenceKey?: string | undefined;
  maxImageBytes: number;
  maxImagePixels: number;
}

const sha256Pattern = /^[0-9a-f]{64}$/;

export class EvidenceStore {
  readonly #key: KeyObject;
  readonly #keySource: string;
  private readonly blobDir: string;
  private readonly limits: ImageLimits;

  private constructor(key: KeyObject, keySource: string, blobDir: string, limits: ImageLimits) {
    this.#key = key;
    this.#keySource = keySource;
    this.blobDir = blobDir;
    this.limits = limits;
  }

  /**
   * Opens the store: loads the key (from `evidenceKey`, else `<dataDir>/evidence.key`, created on first
   * use) and makes sure the blob directory exists. Throws WardenError 'configuration' for a bad key.
   */
  static async open(options: EvidenceStoreOptions): Promise<EvidenceStore> {
    const key = await loadEvidenceKey(options);
    const keySource =
      options.evidenceKey === undefined
        ? `the key file ${join(options.dataDir, evidenceKeyFileName)}`
        : configEnvironment.evidenceKey;
    try {
      await mkdir(options.blobDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new WardenError(
        'configuration',
        `Cannot create the evidence directory ${options.blobDir} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check ${configEnvironment.blobDir}.`,
      );
    }
    return new EvidenceStore(key, keySource, options.blobDir, {
      maxBytes: options.maxImageBytes,
      maxPixels: options.maxImagePixels,
    });
  }

  /**
   * Stores bytes as evidence and records them, or returns the record when the same bytes are already
   * stored (nothing is rewritten). Images are hashed (PDQ, quality, size); other bytes are stored too,
   * with pdq ''. `known` hashes, from the hashing threads, are taken as they are. Throws 'too_large' over
   * maxImageBytes, or for an image over maxImagePixels.
   */
  async put(database: Database, bytes: Uint8Array, known?: KnownHashes): Promise<EvidenceItem> {
    if (bytes.length > this.limits.maxBytes) {
      throw new WardenError(
        'too_large',
        `The media is ${bytes.length} bytes, over the limit of ${this.limits.maxBytes} bytes (${configEnvironment.maxImageBytes}); it was not stored.`,
        { limit: this.limits.maxBytes, actual: bytes.length },
      );
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const existing = await selectEvidence(database, sha256);
    if (existing !== undefined) {
      // A row without its blob can only follow a lost disk; the same bytes bring the blob back.
      if (!(await this.hasBlob(sha256))) await this.writeBlob(sha256, bytes);
      return toItem(existing);
    }
    const described = known === undefined ? await this.describe(bytes) : { ...known, mime: sniffMime(bytes) };
    // The blob first: a row never points at a blob that is not there.
    if (!(await this.hasBlob(sha256))) await this.writeBlob(sha256, bytes);
    await database.db
      .insertInto('evidence')
      .values({
        sha256,
        md5: createHash('md5').update(bytes).digest('hex'),
        ...described,
        size_bytes: bytes.length,
        stored_at: now(),
      })
      .onConflict((conflict) => conflict.column('sha256').doNothing())
      .execute();
    return getEvidence(database, sha256);
  }

  /**
   * The plain bytes of stored evidence, checked against their SHA-256. Throws 'not_found' when there is no
   * such blob, and 'internal' when it cannot be decrypted (another key, or an altered blob).
   */
  async read(sha256: string): Promise<Uint8Array> {
    const name = checkSha256(sha256);
    let sealed: Buffer;
    try {
      sealed = await readFile(this.blobPath(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new WardenError('not_found', `No evidence with SHA-256 ${name} is stored.`);
      }
      throw error;
    }
    const opened = openBlob(this.#key, name, sealed);
    if (!opened.ok) {
      throw new WardenError(
        'internal',
        opened.reason === 'authentication'
          ? `Evidence ${name} could not be decrypted: the evidence key (${this.#keySource}) does not match the one that stored it, or the blob was altered. Restore the original key.`
          : `Evidence ${name} is not a blob this version of Warden wrote (${opened.reason === 'version' ? 'unknown format version' : 'too short'}); the file may be damaged.`,
        { sha256: name },
      );
    }
    if (createHash('sha256').update(opened.plain).digest('hex') !== name) {
      throw new WardenError(
        'internal',
        `Evidence ${name} decrypted to bytes with another SHA-256; the blob is damaged.`,
        {
          sha256: name,
        },
      );
    }
    return opened.plain;
  }

  /**
   * Stored evidence as an image for display (WebP, no metadata): 'blurred' is at most 480 px, heavily
   * blurred and always greyscale; 'revealed' is at most 1600 px, greyscale if asked. Throws
   * 'unsupported_media' for evidence that is not an image. The caller audits the view.
   */
  async render(sha256: string, view: EvidenceView, options: RenderOptions): Promise<RenderedImage> {
    return renderImage(await this.read(sha256), view, options, this.limits.maxPixels);
  }

  private async describe(bytes: Uint8Array) {
    const mime = sniffMime(bytes);
    try {
      const hashes = await hashImage(bytes, { limits: this.limits });
      return { pdq: hashes.pdq, quality: hashes.quality, mime, width: hashes.width, height: hashes.height };
    } catch (error) {
      // Not an image (or a damaged one): still evidence, kept as it is, without a PDQ hash.
      if (isWardenError(error) && (error.code === 'unsupported_media' || error.code === 'corrupt_media')) {
        return { pdq: '', quality: null, mime, width: null, height: null };
      }
      throw error;
    }
  }

  private blobPath(sha256: string): string {
    return join(this.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private async hasBlob(sha256: string): Promise<boolean> {
    return stat(this.blobPath(sha256)).then(
      () => true,
      () => false,
    );
  }

  /** Writes the sealed blob to a temporary file, flushes it, and renames it into place (atomic). */
  private async writeBlob(sha256: string, bytes: Uint8Array): Promise<void> {
    const path = this.blobPath(sha256);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(sealBlob(this.#key, sha256, bytes));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

/** The record of stored evidence. Throws 'not_found'. */
export async function getEvidence(database: Database, sha256: string): Promise<EvidenceItem> {
  const name = checkSha256(sha256);
  const row = await selectEvidence(database, name);
  if (row === undefined) throw new WardenError('not_found', `No evidence with SHA-256 ${name} is stored.`);
  return toItem(row);
}

/** What is stored of each of these pieces of evidence, by SHA-256; unknown ones are left out. */
export async function describeEvidence(
  db: Kysely<Schema>,
  sha256s: readonly string[],
): Promise<Map<string, EvidenceItem>> {
  const found = new Map<string, EvidenceItem>();
  const unique = [...new Set(sha256s)];
  for (let start = 0; start < unique.length; start += 500) {
    const rows = await db
      .selectFrom('evidence')
      .selectAll()
      .where('sha256', 'in', unique.slice(start, start + 500))
      .execute();
    for (const row of rows) found.set(row.sha256, toItem(row));
  }
  return found;
}

/** The SHA-256 of the stored evidence whose SHA-256 or MD5 is `value`. */
export async function evidenceWithDigest(
  db: Kysely<Schema>,
  digest: 'sha256' | 'md5',
  value: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('evidence')
    .select('sha256')
    .where(digest, '=', value)
    .limit(limit)
    .execute();
  return rows.map((row) => row.sha256);
}

function selectEvidence(database: Database, sha256: string) {
  return database.db.selectFrom('evidence').selectAll().where('sha256', '=', sha256).executeTakeFirst();
}

/** A SHA-256 in its canonical form (64 lowercase hex digits); anything else is refused before it nears a path. */
function checkSha256(sha256: string): string {
  const name = sha256.toLowerCase();
  if (!sha256Pattern.test(name)) {
    throw new WardenError(
      'invalid_argument',
      `"${sha256.slice(0, 80)}" is not a SHA-256: expected 64 hexadecimal digits.`,
    );
  }
  return name;
}

function toItem(row: Selectable<Schema['evidence']>): EvidenceItem {
  return {
    sha256: row.sha256,
    md5: row.md5,
    pdq: row.pdq,
    quality: row.quality,
    mime: row.mime,
    width: row.width,
    height: row.height,
    sizeBytes: Number(row.size_bytes),
    storedAt: row.stored_at,
  };
}

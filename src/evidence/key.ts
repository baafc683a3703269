// The evidence key: the AES-256 key that evidence blobs are encrypted with. It comes from the
// configuration (WARDEN_EVIDENCE_KEY) or, for a single machine that needs no setup, from a key file
// in the data directory that is created on first use. The key is held as a KeyObject, which prints
// without its material, and it is never written to a log or an error message.
import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configEnvironment } from '../config/index.js';
import { WardenError } from '../errors/index.js';

/** The key file's name inside the data directory. */
export const evidenceKeyFileName = 'evidence.key';

const keyBytes = 32;
const hexKey = /^[0-9a-fA-F]{64}$/;
const base64Key = /^[A-Za-z0-9+/_-]{43}=?$/;

/** 32 bytes from 64 hex digits or base64 (standard or URL-safe); undefined for anything else. */
export function parseEvidenceKey(text: string): Buffer | undefined {
  if (hexKey.test(text)) return Buffer.from(text, 'hex');
  if (!base64Key.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  return key.length === keyBytes ? key : undefined;
}

/**
 * The evidence key: `evidenceKey` when given, else the key file `<dataDir>/evidence.key`, created with
 * 32 random bytes (mode 0600) when it does not exist yet. Throws WardenError 'configuration' for a key or
 * key file that is not 32 bytes in hex or base64.
 */
export async function loadEvidenceKey(options: {
  dataDir: string;
  evidenceKey?: string | undefined;
}): Promise<KeyObject> {
  const variable = configEnvironment.evidenceKey;
  if (options.evidenceKey !== undefined) {
    const key = parseEvidenceKey(options.evidenceKey.trim());
    if (key === undefined) {
      throw new WardenError(
        'configuration',
        `${variable} must be 32 bytes written as 64 hex digits or in base64 (\`openssl rand -hex 32\` makes one); the value given is not.`,
      );
    }
    return createSecretKey(key);
  }
  const file = join(options.dataDir, evidenceKeyFileName);
  const text = (await readKeyFile(file)) ?? (await createKeyFile(options.dataDir, file));
  const key = parseEvidenceKey(text.trim());
  if (key === undefined) {
    throw new WardenError(
      'configuration',
      `The evidence key file ${file} does not hold a key: it must contain 32 bytes as 64 hex digits or in base64. Restore the file that encrypted the evidence, or set ${variable} to that key.`,
      { file },
    );
  }
  return createSecretKey(key);
}

async function readKeyFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WardenError(
      'configuration',
      `Cannot read the evidence key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Make it readable by Warden, or set ${configEnvironment.evidenceKey}.`,
      { file },
    );
  }
}

/**
 * Writes a new random key to a temporary file and links it into place: the link either creates the key
 * file complete or fails because another process got there first, whose key then wins. No process ever
 * reads a half-written key.
 */
async function createKeyFile(dataDir: string, file: string): Promise<string> {
  const text = `${randomBytes(keyBytes).toString('hex')}\n`;
  const temporary = join(dataDir, `.${evidenceKeyFileName}.${randomUUID()}`);
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await link(temporary, file);
    return text;
  } catch (error) {
    const existing = (error as NodeJS.ErrnoException).code === 'EEXIST' ? await readKeyFile(file) : undefined;
    if (existing !== undefined) return existing;
    throw new WardenError(
      'configuration',
      `Cannot create the evidence key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check that the data directory is writable, or set ${configEnvironment.evidenceKey}.`,
      { file },
    );
  } finally {
    await rm(temporary, { force: true });
  }
}

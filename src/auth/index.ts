// API keys and roles. A key is shown once, when it is created; the database keeps only its SHA-256
// (keys are 256 random bits, so a fast hash is enough: there is nothing to brute-force).
import { createHash, randomBytes } from 'node:crypto';
import { WardenError } from '../errors/index.js';
import { now } from '../store/index.js';
import type { Database } from '../store/index.js';

export const roles = ['admin', 'supervisor', 'analyst', 'platform', 'member', 'law-enforcement'] as const;
export type Role = (typeof roles)[number];

export interface ApiKey {
  id: number;
  name: string;
  role: Role;
  /** The first characters of the key, so people can tell keys apart without seeing them. */
  prefix: string;
  rateLimitPerMinute: number | null;
  createdAt: string;
  revokedAt: string | null;
  /** The person the key acts for; null for a machine's key. */
  userId: number | null;
}

/** Who is calling: an API key, a person signed in to the console, or the local command line (which has full rights over its own data). */
export interface Principal {
  actor: string;
  role: Role;
  keyId?: number;
  /** Set for a person signed in to the console (actor `user:ID`). */
  userId?: number;
  /**
   * The person behind the call: the signed-in user, or the user a key is bound to (whose actor is then
   * `user:ID` too, so that two keys of one person count as one person). Unset for a machine's key.
   */
  person?: number;
  rateLimitPerMinute?: number | null;
}

const keyPrefix = 'wdn_';

export function parseRole(text: string): Role {
  if ((roles as readonly string[]).includes(text)) return text as Role;
  throw new WardenError(
    'invalid_argument',
    `Unknown role "${text.slice(0, 40)}": use one of ${roles.join(', ')}.`,
  );
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Creates a key for a role, bound to a person when `userId` is given (the key then acts as that person).
 * The returned `key` is the only copy: it cannot be shown again.
 */
export async function createApiKey(
  database: Database,
  options: { role: Role; name?: string; rateLimitPerMinute?: number; userId?: number },
): Promise<{ apiKey: ApiKey; key: string }> {
  const key = keyPrefix + randomBytes(32).toString('base64url');
  const row = await database.db
    .insertInto('api_keys')
    .values({
      name: (options.name ?? '').slice(0, 200),
      role: options.role,
      key_hash: hashKey(key),
      key_prefix: key.slice(0, keyPrefix.length + 6),
      rate_limit_per_minute: options.rateLimitPerMinute ?? null,
      created_at: now(),
      revoked_at: null,
      user_id: options.userId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { apiKey: toApiKey(row), key };
}

export async function listApiKeys(database: Database): Promise<ApiKey[]> {
  return (await database.db.selectFrom('api_keys').selectAll().orderBy('id').execute()).map(toApiKey);
}

/** Revokes a key at once in the database; servers stop accepting it within their cache time. */
export async function revokeApiKey(database: Database, id: number): Promise<ApiKey> {
  const row = await database.db
    .updateTable('api_keys')
    .set({ revoked_at: now() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (row !== undefined) return toApiKey(row);
  const existing = await database.db
    .selectFrom('api_keys')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  throw new WardenError(
    existing === undefined ? 'not_found' : 'conflict',
    existing === undefined ? `No API key with id ${id}.` : `API key ${id} is already revoked.`,
  );
}

function toApiKey(row: {
  id: number;
  name: string;
  role: string;
  key_prefix: string;
  rate_limit_per_minute: number | null;
  created_at: string;
  revoked_at: string | null;
  user_id: number | null;
}): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: parseRole(row.role),
    prefix: row.key_prefix,
    rateLimitPerMinute: row.rate_limit_per_minute,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    userId: row.user_id,
  };
}

/**
 * Resolves bearer keys to principals, caching answers briefly so that a busy server does not read the
 * database on every request. A revoked key stops working within `cacheMs`.
 */
export class KeyVerifier {
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(
    private readonly database: Database,
    private readonly cacheMs = 5000,
  ) {}

  /** The principal for a key, or undefined when the key is unknown or revoked. */
  async verify(key: string): Promise<Principal | undefined> {
    const hash = hashKey(key);
    const cached = this.cache.get(hash);
    const time = Date.now();
    if (cached !== undefined && cached.until > time) return cached.principal;
    const row = await this.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hash)
      .executeTakeFirst();
    const principal =
      row === undefined || row.revoked_at !== null
        ? undefined
        : {
            actor: row.user_id === null ? `key:${row.id}` : `user:${row.user_id}`,
            role: parseRole(row.role),
            keyId: row.id,
            ...(row.user_id === null ? {} : { person: row.user_id }),
            rateLimitPerMinute: row.rate_limit_per_minute,
          };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: time + this.cacheMs });
    return principal;
  }
}

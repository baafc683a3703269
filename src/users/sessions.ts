// Console sessions. The token (256 random bits) lives only in the person's cookie; the database keeps
// its SHA-256, so a copy of the database opens no sessions. The CSRF token is derived from the session
// token, so it needs no storage and dies with the session.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { recordAudit } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { WardenError } from '../errors/index.js';
import type { Database } from '../store/index.js';
import { verifyPassword } from './passwords.js';
import { toUser } from './users.js';
import type { User } from './users.js';
import { getWellnessLimits } from './wellness.js';

export interface SignedIn {
  user: User;
  /** The session token, for the cookie; it is not stored and cannot be recovered. */
  token: string;
  csrfToken: string;
  expiresAt: string;
}

export interface ResolvedSession {
  user: User;
  sessionId: number;
  csrfToken: string;
  expiresAt: string;
}

const wrongCredentials = 'Wrong username or password.';
/** last_seen_at is refreshed at most this often, so reading a session rarely writes. */
const lastSeenIntervalMs = 60_000;
/** Tokens are 43 characters; anything much longer is not one of ours and is not worth hashing. */
const tokenMaxLength = 200;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The CSRF token of a session: HMAC-SHA256 keyed by the session token over "csrf". */
function csrfFor(token: string): string {
  return createHmac('sha256', token).update('csrf').digest('base64url');
}

export interface SignInOptions {
  sessionHours: number;
  /** Attempts per username before each further one waits (doubling), and per address. */
  freeAttempts: number;
  freeAttemptsPerAddress: number;
  maxWaitMs: number;
  /** The clock, in milliseconds since the epoch (tests inject one). */
  now?: () => number;
}

/** The sign-in settings from the configuration. */
export function signInOptions(
  config: Pick<
    Config,
    'sessionHours' | 'signInFreeAttempts' | 'signInFreeAttemptsPerAddress' | 'signInMaxWaitMs'
  >,
): SignInOptions {
  return {
    sessionHours: config.sessionHours,
    freeAttempts: config.signInFreeAttempts,
    freeAttemptsPerAddress: config.signInFreeAttemptsPerAddress,
    maxWaitMs: config.signInMaxWaitMs,
  };
}

/**
 * Checks a username and password and opens a session. A wrong username, a wrong password and a disabled
 * account all give the same error after the same work, so the answer tells nothing about which it was.
 * Attempts are counted per username (known or not) and per address: past the free attempts, each one
 * must wait before the next, so guessing one person's password is slow however many addresses try.
 */
export async function signIn(
  database: Database,
  credentials: { username: string; password: string; sourceIp?: string },
  options: SignInOptions,
): Promise<SignedIn> {
  const time = (options.now ?? Date.now)();
  const username = credentials.username.toLowerCase();
  const accountKey = `user:${username}`;
  await countAttempt(database, time, options, [
    { key: accountKey, free: options.freeAttempts },
    ...(credentials.sourceIp === undefined
      ? []
      : [{ key: `ip:${credentials.sourceIp}`, free: options.freeAttemptsPerAddress }]),
  ]);
  const row = await database.db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst();
  const matches = await verifyPassword(credentials.password, row?.password_hash);
  if (row === undefined || !matches || row.disabled_at !== null) {
    throw new WardenError('unauthenticated', wrongCredentials);
  }
  // The person is in: their username starts counting afresh (the address does not, or one account of
  // the guesser's own would wipe the address's count).
  await database.db.deleteFrom('sign_in_attempts').where('key', '=', accountKey).execute();
  const token = randomBytes(32).toString('base64url');
  const at = new Date(time).toISOString();
  const expiresAt = new Date(time + options.sessionHours * 3_600_000).toISOString();
  await database.db.transaction().execute(async (trx) => {
    // Housekeeping: this person's expired sessions go when they next sign in.
    await trx.deleteFrom('sessions').where('user_id', '=', row.id).where('expires_at', '<=', at).execute();
    await trx
      .insertInto('sessions')
      .values({
        token_hash: hashToken(token),
        user_id: row.id,
        created_at: at,
        expires_at: expiresAt,
        last_seen_at: at,
        source_ip: credentials.sourceIp ?? '',
      })
      .execute();
    await recordAudit(trx, {
      actor: `user:${row.id}`,
      action: 'user.sign_in',
      target: `user:${row.id}`,
      ...(credentials.sourceIp === undefined ? {} : { sourceIp: credentials.sourceIp }),
    });
  });
  return {
    user: toUser(row, await getWellnessLimits(database)),
    token,
    csrfToken: csrfFor(token),
    expiresAt,
  };
}

/** Counts are forgotten this long after the last attempt. */
const attemptsForgottenAfterMs = 24 * 3_600_000;

/**
 * Counts one attempt against each key, or refuses it, counting nothing, while any of them must wait.
 * In one transaction (rows locked on PostgreSQL), so attempts sent at once cannot all pass the check.
 */
async function countAttempt(
  database: Database,
  time: number,
  options: SignInOptions,
  counters: { key: string; free: number }[],
): Promise<void> {
  const at = new Date(time).toISOString();
  await database.db.transaction().execute(async (trx) => {
    for (const { key, free } of counters) {
      // The row exists before it is read, so that PostgreSQL locks it and attempts sent at once queue.
      await trx
        .insertInto('sign_in_attempts')
        .values({ key, attempts: 0, last_at: at, blocked_until: '' })
        .onConflict((conflict) => conflict.column('key').doNothing())
        .execute();
      const row = await trx
        .selectFrom('sign_in_attempts')
        .selectAll()
        .where('key', '=', key)
        .$if(database.dialect === 'postgres', (query) => query.forUpdate())
        .executeTakeFirstOrThrow();
      const current = time - Date.parse(row.last_at) < attemptsForgottenAfterMs;
      if (current && row.blocked_until > at) {
        const seconds = Math.ceil((Date.parse(row.blocked_until) - time) / 1000);
        throw new WardenError(
          'rate_limited',
          `Too many sign-in attempts for this username or from this address: wait ${seconds} s, then try again.`,
          { retry_after_seconds: seconds },
        );
      }
      const attempts = current ? row.attempts + 1 : 1;
      // The free attempts pass at once; from there each waits twice as long as the last, up to the cap.
      const waitMs =
        attempts < free ? 0 : Math.min(options.maxWaitMs, 1000 * 2 ** Math.min(attempts - free, 30));
      const values = {
        attempts,
        last_at: at,
        blocked_until: waitMs === 0 ? '' : new Date(time + waitMs).toISOString(),
      };
      await trx.updateTable('sign_in_attempts').set(values).where('key', '=', key).execute();
    }
  });
}

/**
 * The session and person behind a token, or undefined when the token is unknown, expired, or belongs to
 * a disabled person. Expired sessions met here are deleted.
 */
export async function resolveSession(
  database: Database,
  token: string,
): Promise<ResolvedSession | undefined> {
  if (token === '' || token.length > tokenMaxLength) return undefined;
  const found = await database.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select([
      'sessions.id as session_id',
      'sessions.expires_at as session_expires_at',
      'sessions.last_seen_at as session_last_seen_at',
    ])
    .where('sessions.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (found === undefined) return undefined;
  const time = Date.now();
  if (Date.parse(found.session_expires_at) <= time) {
    await database.db.deleteFrom('sessions').where('id', '=', found.session_id).execute();
    return undefined;
  }
  if (found.disabled_at !== null) return undefined;
  if (time - Date.parse(found.session_last_seen_at) >= lastSeenIntervalMs) {
    await database.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(time).toISOString() })
      .where('id', '=', found.session_id)
      .execute();
  }
  return {
    user: toUser(found, await getWellnessLimits(database)),
    sessionId: found.session_id,
    csrfToken: csrfFor(token),
    expiresAt: found.session_expires_at,
  };
}

/** Ends a session; an unknown token is not an error (signing out twice is fine). */
export async function signOut(database: Database, token: string): Promise<void> {
  if (token === '' || token.length > tokenMaxLength) return;
  await database.db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

/** Whether `given` is the CSRF token of the session `token`, compared in constant time. */
export function checkCsrf(token: string, given: string | undefined): boolean {
  if (given === undefined || token === '') return false;
  const expected = Buffer.from(csrfFor(token));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// People who sign in to the console: their accounts, roles and own wellness settings. Machines use API
// keys (the auth domain); both end up as principals.
import type { Kysely, Selectable } from 'kysely';
import { recordAudit } from '../audit/index.js';
import type { Role } from '../auth/index.js';
import { WardenError } from '../errors/index.js';
import { isUniqueViolation, now } from '../store/index.js';
import type { Database, Schema } from '../store/index.js';
import { checkPassword, hashPassword, verifyPassword } from './passwords.js';
import { checkWithinLimits, effectiveSettings, getWellnessLimits, parseStoredSettings } from './wellness.js';
import type { WellnessLimits, WellnessSettings } from './wellness.js';

/** The roles a person can hold; the others (platform, member, law-enforcement) are for API keys. */
export const userRoles = ['analyst', 'supervisor', 'admin'] as const satisfies readonly Role[];
export type UserRole = (typeof userRoles)[number];

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: UserRole;
  /** The settings in force: the person's choices, clamped to the current wellness limits. */
  settings: WellnessSettings;
  createdAt: string;
  disabledAt: string | null;
}

export interface NewUser {
  username: string;
  password: string;
  role: UserRole;
  displayName?: string;
}

export interface UserChanges {
  role?: UserRole;
  displayName?: string;
  password?: string;
  /** True disables the person (they cannot sign in, and their sessions end); false enables them again. */
  disabled?: boolean;
}

export type UserRow = Selectable<Schema['users']>;

const usernamePattern = /^[a-z0-9][a-z0-9._-]{1,39}$/;
const displayNameMax = 100;
// C0 and C1 controls, and the bidirectional overrides that make text read differently from how it is stored.
const forbiddenInNames = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

export function parseUserRole(text: string): UserRole {
  if ((userRoles as readonly string[]).includes(text)) return text as UserRole;
  throw new WardenError(
    'invalid_argument',
    `Unknown role "${text.slice(0, 40)}" for a person: use one of ${userRoles.join(', ')}.`,
  );
}

/** The canonical (lowercase) username, or invalid_argument saying what a username may contain. */
export function parseUsername(text: string): string {
  const username = text.toLowerCase();
  if (!usernamePattern.test(username)) {
    throw new WardenError(
      'invalid_argument',
      `Invalid username "${text.slice(0, 60)}": use 2 to 40 characters, lowercase letters, digits, ".", "_" or "-", starting with a letter or digit.`,
    );
  }
  return username;
}

function parseDisplayName(text: string): string {
  const name = text.trim();
  if ([...name].length > displayNameMax) {
    throw new WardenError('invalid_argument', `Display names are at most ${displayNameMax} characters.`);
  }
  if (forbiddenInNames.test(name)) {
    throw new WardenError('invalid_argument', 'Display names may not contain control characters.');
  }
  return name;
}

/** Adds a person. Their settings start at the safest values, with the configured daily exposure warning. */
export async function createUser(
  database: Database,
  input: NewUser,
  defaults: { exposureWarning: number },
  actor = 'cli',
): Promise<User> {
  const username = parseUsername(input.username);
  const role = parseUserRole(input.role);
  const displayName = parseDisplayName(input.displayName ?? '');
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  const settings: WellnessSettings = {
    blur: true,
    greyscale: true,
    exposureWarning: defaults.exposureWarning,
  };
  const at = now();
  try {
    const row = await database.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('users')
        .values({
          username,
          display_name: displayName,
          role,
          password_hash: passwordHash,
          settings: JSON.stringify(settings),
          created_at: at,
          updated_at: at,
          disabled_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: 'user.create',
        target: `user:${inserted.id}`,
        details: { username, role, display_name: displayName },
      });
      return inserted;
    });
    return toUser(row, await getWellnessLimits(database));
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new WardenError('conflict', `There is already a person with the username "${username}".`);
    }
    throw error;
  }
}

/** Everyone, disabled people included, in the order they were added. */
export async function listUsers(database: Database): Promise<User[]> {
  const rows = await database.db.selectFrom('users').selectAll().orderBy('id').execute();
  const limits = await getWellnessLimits(database);
  return rows.map((row) => toUser(row, limits));
}

export async function getUser(database: Database, id: number): Promise<User> {
  return toUser(await userRow(database.db, id), await getWellnessLimits(database));
}

export async function getUserByUsername(database: Database, username: string): Promise<User> {
  const row = await database.db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username.toLowerCase())
    .executeTakeFirst();
  if (row === undefined) {
    throw new WardenError('not_found', `No person with the username "${username.slice(0, 60)}".`);
  }
  return toUser(row, await getWellnessLimits(database));
}

/**
 * Changes a person's role, display name or password, or disables or enables them. A new password or
 * disabling ends all their sessions, so a stolen session or password stops working at once.
 */
export async function updateUser(
  database: Database,
  id: number,
  changes: UserChanges,
  actor = 'cli',
): Promise<User> {
  const role = changes.role === undefined ? undefined : parseUserRole(changes.role);
  const displayName = changes.displayName === undefined ? undefined : parseDisplayName(changes.displayName);
  if (changes.password !== undefined) checkPassword(changes.password);
  const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password);
  const row = await database.db.transaction().execute(async (trx) => {
    const before = await userRow(trx, id);
    const losesAdmin =
      before.role === 'admin' &&
      before.disabled_at === null &&
      ((role !== undefined && role !== 'admin') || changes.disabled === true);
    if (losesAdmin) {
      const others = await trx
        .selectFrom('users')
        .select((select) => select.fn.countAll<number>().as('count'))
        .where('role', '=', 'admin')
        .where('disabled_at', 'is', null)
        .where('id', '!=', id)
        .executeTakeFirstOrThrow();
      // Someone must always be able to administer Warden from the console.
      if (Number(others.count) === 0) {
        throw new WardenError(
          'conflict',
          `${before.username} is the last enabled admin: make another person admin first.`,
        );
      }
    }
    const at = now();
    const disabledAt =
      changes.disabled === undefined
        ? before.disabled_at
        : changes.disabled
          ? (before.disabled_at ?? at)
          : null;
    const updated = await trx
      .updateTable('users')
      .set({
        ...(role === undefined ? {} : { role }),
        ...(displayName === undefined ? {} : { display_name: displayName }),
        ...(passwordHash === undefined ? {} : { password_hash: passwordHash }),
        disabled_at: disabledAt,
        updated_at: at,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const endsSessions = passwordHash !== undefined || disabledAt !== null;
    if (endsSessions) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    // What changed, never the password itself.
    const details: Record<string, unknown> = {};
    if (role !== undefined && role !== before.role) details.role = { from: before.role, to: role };
    if (displayName !== undefined && displayName !== before.display_name)
      details.display_name = { from: before.display_name, to: displayName };
    if (passwordHash !== undefined) details.password_changed = true;
    if (changes.disabled !== undefined && (before.disabled_at !== null) !== changes.disabled)
      details.disabled = changes.disabled;
    await recordAudit(trx, { actor, action: 'user.update', target: `user:${id}`, details });
    return updated;
  });
  return toUser(row, await getWellnessLimits(database));
}

/**
 * Changes a person's own wellness settings. A value beyond the admin's limits is refused with a message
 * naming the limit (not silently clamped), so the person knows why and whom to ask.
 */
export async function updateUserSettings(
  database: Database,
  userId: number,
  changes: Partial<WellnessSettings>,
  actor = `user:${userId}`,
): Promise<User> {
  const limits = await getWellnessLimits(database);
  checkWithinLimits(changes, limits);
  const row = await database.db.transaction().execute(async (trx) => {
    const before = await userRow(trx, userId);
    const settings: WellnessSettings = { ...parseStoredSettings(before.settings) };
    if (changes.blur !== undefined) settings.blur = changes.blur;
    if (changes.greyscale !== undefined) settings.greyscale = changes.greyscale;
    if (changes.exposureWarning !== undefined) settings.exposureWarning = changes.exposureWarning;
    const updated = await trx
      .updateTable('users')
      .set({ settings: JSON.stringify(settings), updated_at: now() })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'user.settings',
      target: `user:${userId}`,
      details: { ...settings },
    });
    return updated;
  });
  return toUser(row, limits);
}

async function userRow(db: Kysely<Schema>, id: number): Promise<UserRow> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new WardenError('not_found', `No person with id ${id}.`);
  return row;
}

export function toUser(row: UserRow, limits: WellnessLimits): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: parseUserRole(row.role),
    settings: effectiveSettings(parseStoredSettings(row.settings), limits),
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

/**
 * A person changes their own password: the current one must be right. Ends all their sessions, so the
 * caller signs in again with the new password.
 */
export async function changeOwnPassword(
  database: Database,
  id: number,
  passwords: { current: string; next: string },
): Promise<User> {
  const row = await userRow(database.db, id);
  if (!(await verifyPassword(passwords.current, row.password_hash))) {
    throw new WardenError('forbidden', 'The current password is wrong.');
  }
  return updateUser(database, id, { password: passwords.next }, `user:${id}`);
}

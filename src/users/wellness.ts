// Wellness: how much harmful media a person sees, and how. Each person chooses their own settings
// (blurring, greyscale, a daily exposure warning) within limits an admin sets for everyone. The limits
// are applied when settings are read, so a stricter limit takes effect at once for everybody.
import type { Kysely } from 'kysely';
import { countActions, recordAudit } from '../audit/index.js';
import { WardenError } from '../errors/index.js';
import { now } from '../store/index.js';
import type { Database, Schema } from '../store/index.js';

export interface WellnessSettings {
  /** Media is blurred until the person reveals it. */
  blur: boolean;
  /** Revealed media stays greyscale. */
  greyscale: boolean;
  /** Warn after this many reveals in a day (UTC). */
  exposureWarning: number;
}

export interface WellnessLimits {
  /** May people turn blurring off for themselves. */
  allowUnblurred: boolean;
  /** May people see revealed media in colour. */
  allowColour: boolean;
  /** The highest daily exposure warning a person may choose. */
  maxExposureWarning: number;
}

export const defaultWellnessLimits: WellnessLimits = {
  allowUnblurred: false,
  allowColour: true,
  maxExposureWarning: 500,
};

const limitsName = 'wellness_limits';
const exposureBounds = { min: 1, max: 100_000 } as const;
/** For settings stored without a warning level (the configuration's default). */
const fallbackExposureWarning = 50;
/** What an evidence reveal is recorded as in the audit log (see the evidence routes). */
const revealAction = 'evidence.reveal';

/** The current limits: the admin's choices over the defaults. */
export async function getWellnessLimits(
  database: Database | { db: Kysely<Schema> },
): Promise<WellnessLimits> {
  const row = await database.db
    .selectFrom('settings')
    .select('value')
    .where('name', '=', limitsName)
    .executeTakeFirst();
  const stored = row === undefined ? {} : parseObject(row.value);
  return {
    allowUnblurred: booleanOr(stored.allowUnblurred, defaultWellnessLimits.allowUnblurred),
    allowColour: booleanOr(stored.allowColour, defaultWellnessLimits.allowColour),
    maxExposureWarning: exposureOr(stored.maxExposureWarning, defaultWellnessLimits.maxExposureWarning),
  };
}

/** Changes some limits and returns them all. People's settings beyond the new limits are clamped on read. */
export async function setWellnessLimits(
  database: Database,
  changes: Partial<WellnessLimits>,
  actor = 'cli',
): Promise<WellnessLimits> {
  for (const name of ['allowUnblurred', 'allowColour'] as const) {
    const value = changes[name];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new WardenError('invalid_argument', `The wellness limit ${name} must be true or false.`);
    }
  }
  if (changes.maxExposureWarning !== undefined)
    checkExposureWarning(changes.maxExposureWarning, 'maxExposureWarning');
  return database.db.transaction().execute(async (trx) => {
    const limits: WellnessLimits = { ...(await getWellnessLimits({ db: trx })) };
    if (changes.allowUnblurred !== undefined) limits.allowUnblurred = changes.allowUnblurred;
    if (changes.allowColour !== undefined) limits.allowColour = changes.allowColour;
    if (changes.maxExposureWarning !== undefined) limits.maxExposureWarning = changes.maxExposureWarning;
    const value = JSON.stringify(limits);
    const at = now();
    await trx
      .insertInto('settings')
      .values({ name: limitsName, value, updated_at: at })
      .onConflict((conflict) => conflict.column('name').doUpdateSet({ value, updated_at: at }))
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'wellness.limits',
      target: limitsName,
      details: { ...limits },
    });
    return limits;
  });
}

/** A person's settings as stored (their own choices), read leniently: anything missing takes the safe default. */
export function parseStoredSettings(text: string): WellnessSettings {
  const stored = parseObject(text);
  return {
    blur: booleanOr(stored.blur, true),
    greyscale: booleanOr(stored.greyscale, true),
    exposureWarning: exposureOr(stored.exposureWarning, fallbackExposureWarning),
  };
}

/** The settings in force: a person's choices, made stricter where the limits require it. */
export function effectiveSettings(settings: WellnessSettings, limits: WellnessLimits): WellnessSettings {
  return {
    blur: settings.blur || !limits.allowUnblurred,
    greyscale: settings.greyscale || !limits.allowColour,
    exposureWarning: Math.min(settings.exposureWarning, limits.maxExposureWarning),
  };
}

/** Throws invalid_argument, naming the limit, when a requested change goes beyond the limits. */
export function checkWithinLimits(changes: Partial<WellnessSettings>, limits: WellnessLimits): void {
  const askAdmin = 'an admin can change the wellness limits';
  if (changes.blur !== undefined && typeof changes.blur !== 'boolean')
    throw new WardenError('invalid_argument', 'blur must be true or false.');
  if (changes.greyscale !== undefined && typeof changes.greyscale !== 'boolean')
    throw new WardenError('invalid_argument', 'greyscale must be true or false.');
  if (changes.blur === false && !limits.allowUnblurred) {
    throw new WardenError(
      'invalid_argument',
      `Blurring cannot be turned off: the wellness limit allow_unblurred is off (${askAdmin}).`,
    );
  }
  if (changes.greyscale === false && !limits.allowColour) {
    throw new WardenError(
      'invalid_argument',
      `Colour cannot be turned on: the wellness limit allow_colour is off (${askAdmin}).`,
    );
  }
  if (changes.exposureWarning !== undefined) {
    checkExposureWarning(changes.exposureWarning, 'exposureWarning');
    if (changes.exposureWarning > limits.maxExposureWarning) {
      throw new WardenError(
        'invalid_argument',
        `The exposure warning can be at most ${limits.maxExposureWarning}, the wellness limit max_exposure_warning (${askAdmin}).`,
      );
    }
  }
}

/** How many media this actor (e.g. `user:3`) revealed since midnight UTC today. */
export async function exposureToday(database: Database, actor: string): Promise<number> {
  const midnight = new Date();
  midnight.setUTCHours(0, 0, 0, 0);
  return countActions(database, { actor, action: revealAction, since: midnight.toISOString() });
}

function checkExposureWarning(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < exposureBounds.min || value > exposureBounds.max) {
    throw new WardenError(
      'invalid_argument',
      `${name} must be a whole number from ${exposureBounds.min} to ${exposureBounds.max}.`,
    );
  }
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

const booleanOr = (value: unknown, fallback: boolean): boolean =>
  typeof value === 'boolean' ? value : fallback;

const exposureOr = (value: unknown, fallback: number): number =>
  typeof value === 'number' &&
  Number.isSafeInteger(value) &&
  value >= exposureBounds.min &&
  value <= exposureBounds.max
    ? value
    : fallback;

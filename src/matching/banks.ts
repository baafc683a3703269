// Banks: named lists of signals (hashes) with a category, and their entries. Every change takes a new
// bank revision in the same transaction, so every matcher (in this process or another) can follow it.
import type { Insertable, Kysely } from 'kysely';
import { WardenError } from '../errors/index.js';
import { parseSignal } from '../hashing/index.js';
import { normaliseUrl } from '../network/index.js';
import { isUniqueViolation, nextBankRevision, now } from '../store/index.js';
import type { BankEntryRow, BankRow, BankSignalType, Database, Schema, SignalType } from '../store/index.js';
import { checkTextEntry, isTextSignalType } from '../text/index.js';
import type { TextEntryAttributes } from '../text/index.js';

export type BankId = number & { readonly __brand: 'BankId' };
export type BankEntryId = number & { readonly __brand: 'BankEntryId' };

export interface Bank {
  id: BankId;
  name: string;
  category: string;
  source: string;
  description: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface BankWithCount extends Bank {
  entryCount: number;
}

export interface BankEntry {
  id: BankEntryId;
  bankId: BankId;
  signalType: BankSignalType;
  /** The signal as stored: lowercase hex, a normalised URL, a term or a regular expression as written. */
  signal: string;
  /** A text entry's severity, language, match mode and allow flag; undefined for hashes and URLs. */
  attributes?: TextEntryAttributes;
  category: string;
  source: string;
  note: string;
  externalId: string;
  addedAt: string;
  enabled: boolean;
}

export interface NewBank {
  name: string;
  category: string;
  description?: string;
  source?: string;
}

export interface NewBankEntry {
  signalType: BankSignalType;
  signal: string;
  /** For terms and regular expressions (defaults: see checkTextEntry). */
  attributes?: Partial<TextEntryAttributes>;
  /** Defaults to the bank's category. */
  category?: string;
  source?: string;
  note?: string;
  externalId?: string;
}

export const signalTypes: readonly SignalType[] = ['pdq', 'md5', 'sha256', 'url'];

const bankNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const categoryPattern = /^[a-z][a-z0-9_-]{0,31}$/;
const maxTextLength = 1000;

export function validateBankName(name: string): string {
  if (!bankNamePattern.test(name)) {
    throw new WardenError(
      'invalid_argument',
      `Invalid bank name "${name.slice(0, 80)}": use 1 to 64 letters, digits, "_", "-" or ".", starting with a letter or digit.`,
    );
  }
  return name;
}

export function validateCategory(category: string): string {
  if (!categoryPattern.test(category)) {
    throw new WardenError(
      'invalid_argument',
      `Invalid category "${category.slice(0, 80)}": use a lowercase word such as csam, terrorism, ncii, harassment or other (letters, digits, "_" or "-", up to 32 characters).`,
    );
  }
  return category;
}

export function validateSignalType(type: string): SignalType {
  const normalised = type.trim().toLowerCase();
  if (normalised === 'video_md5') return 'md5';
  if ((signalTypes as readonly string[]).includes(normalised)) return normalised as SignalType;
  throw new WardenError(
    'invalid_argument',
    `Unknown signal type "${type.slice(0, 40)}": use one of ${signalTypes.join(', ')}.`,
  );
}

/** Parses a bank signal into its canonical text: lowercase hex for hashes, the normalised URL for urls. */
export function parseBankSignal(type: SignalType, text: string): string {
  return type === 'url' ? normaliseUrl(text) : parseSignal(type, text);
}

/** Validates free text (notes, sources, external ids): bounded length, no control characters. */
export function validateText(field: string, value: string): string {
  if (value.length > maxTextLength) {
    throw new WardenError(
      'invalid_argument',
      `The ${field} is ${value.length} characters long; the limit is ${maxTextLength}.`,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) {
    throw new WardenError('invalid_argument', `The ${field} contains control characters; remove them.`);
  }
  return value;
}

export function toBank(row: BankRow): Bank {
  return {
    id: row.id as BankId,
    name: row.name,
    category: row.category,
    source: row.source,
    description: row.description,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toBankEntry(row: BankEntryRow): BankEntry {
  return {
    id: row.id as BankEntryId,
    bankId: row.bank_id as BankId,
    signalType: row.signal_type,
    signal: row.value,
    ...(isTextSignalType(row.signal_type)
      ? { attributes: JSON.parse(row.attributes) as TextEntryAttributes }
      : {}),
    category: row.category,
    source: row.source,
    note: row.note,
    externalId: row.external_id,
    addedAt: row.added_at,
    enabled: row.enabled === 1,
  };
}

export async function createBank(database: Database, bank: NewBank): Promise<Bank> {
  try {
    return await database.db.transaction().execute((trx) => insertBank(trx, bank));
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new WardenError(
        'conflict',
        `A bank named "${bank.name}" already exists. Choose another name, or use it as it is.`,
      );
    }
    throw error;
  }
}

/** Creates a bank inside the caller's transaction; a name taken already is a unique violation. */
export async function insertBank(trx: Kysely<Schema>, bank: NewBank): Promise<Bank> {
  const name = validateBankName(bank.name);
  const category = validateCategory(bank.category);
  const description = validateText('description', bank.description ?? '');
  const source = validateText('source', bank.source ?? 'local');
  const revision = await nextBankRevision(trx);
  const timestamp = now();
  const row = await trx
    .insertInto('banks')
    .values({
      name,
      category,
      description,
      source,
      enabled: 1,
      created_at: timestamp,
      updated_at: timestamp,
      revision,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toBank(row);
}

export async function getBank(database: Database, name: string): Promise<Bank> {
  return findBank(database.db, name);
}

export async function findBank(db: Kysely<Schema>, name: string): Promise<Bank> {
  const row = await db.selectFrom('banks').selectAll().where('name', '=', name).executeTakeFirst();
  if (row === undefined) {
    throw new WardenError(
      'not_found',
      `No bank named "${name.slice(0, 80)}". List the banks with "warden bank list".`,
    );
  }
  return toBank(row);
}

export async function listBanks(database: Database): Promise<BankWithCount[]> {
  const banks = await database.db.selectFrom('banks').selectAll().orderBy('name').execute();
  const counts = await database.db
    .selectFrom('bank_entries')
    .select(['bank_id', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('enabled', '=', 1)
    .groupBy('bank_id')
    .execute();
  const countByBank = new Map(counts.map((row) => [row.bank_id, Number(row.count)]));
  return banks.map((row) => ({ ...toBank(row), entryCount: countByBank.get(row.id) ?? 0 }));
}

export interface BankChanges {
  name?: string;
  category?: string;
  description?: string;
  enabled?: boolean;
}

/** Renames, re-categorises, describes, enables or disables a bank. */
export async function updateBank(database: Database, name: string, changes: BankChanges): Promise<Bank> {
  const bank = await getBank(database, name);
  const values = {
    ...(changes.name === undefined ? {} : { name: validateBankName(changes.name) }),
    ...(changes.category === undefined ? {} : { category: validateCategory(changes.category) }),
    ...(changes.description === undefined
      ? {}
      : { description: validateText('description', changes.description) }),
    ...(changes.enabled === undefined ? {} : { enabled: changes.enabled ? 1 : 0 }),
  };
  try {
    return await database.db.transaction().execute(async (trx) => {
      const revision = await nextBankRevision(trx);
      const row = await trx
        .updateTable('banks')
        .set({ ...values, updated_at: now(), revision })
        .where('id', '=', bank.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toBank(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new WardenError(
        'conflict',
        `A bank named "${changes.name ?? ''}" already exists. Choose another name.`,
      );
    }
    throw error;
  }
}

/** Deletes a bank and all its entries. */
export async function deleteBank(database: Database, name: string): Promise<void> {
  const bank = await getBank(database, name);
  await database.db.transaction().execute(async (trx) => {
    await nextBankRevision(trx);
    await trx.deleteFrom('bank_entries').where('bank_id', '=', bank.id).execute();
    await trx.deleteFrom('banks').where('id', '=', bank.id).execute();
  });
}

/** Adds one entry; adding a signal the bank already holds returns the existing entry, re-enabled. */
export async function addBankEntry(
  database: Database,
  bankName: string,
  entry: NewBankEntry,
): Promise<BankEntry> {
  const bank = await getBank(database, bankName);
  const row = normaliseEntry(bank, entry);
  return database.db.transaction().execute(async (trx) => {
    const revision = await nextBankRevision(trx);
    const inserted = await trx
      .insertInto('bank_entries')
      .values({ ...row, revision })
      .onConflict((conflict) =>
        conflict.columns(['signal_type', 'value', 'bank_id']).doUpdateSet({
          enabled: 1,
          revision,
          // Re-adding a known signal refreshes only the metadata the caller gave.
          ...(entry.note === undefined ? {} : { note: row.note }),
          ...(entry.category === undefined ? {} : { category: row.category }),
          ...(entry.externalId === undefined ? {} : { external_id: row.external_id }),
          ...(entry.attributes === undefined ? {} : { attributes: row.attributes }),
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toBankEntry(inserted);
  });
}

/**
 * Adds entries to a bank inside the caller's transaction, all under one bank revision, so that they
 * commit (or not) with the change that produced them (an analyst's confirmation, say). Entries already
 * in the bank are re-enabled. Returns how many entries were written.
 */
export async function addBankEntries(
  trx: Kysely<Schema>,
  bankName: string,
  entries: readonly NewBankEntry[],
): Promise<number> {
  if (entries.length === 0) return 0;
  const bank = await findBank(trx, bankName);
  const addedAt = now();
  const rows = entries.map((entry) => normaliseEntry(bank, entry, addedAt));
  await writeBankEntries(trx, rows);
  return rows.length;
}

/**
 * Writes entries made by normaliseEntry under one new revision. An entry the bank holds already is
 * enabled again and takes the new attributes; with `details`, also the new category and note.
 */
export async function writeBankEntries(
  trx: Kysely<Schema>,
  rows: readonly ReturnType<typeof normaliseEntry>[],
  options: { details?: boolean } = {},
): Promise<void> {
  const revision = await nextBankRevision(trx);
  for (const values of rows) {
    await trx
      .insertInto('bank_entries')
      .values({ ...values, revision })
      .onConflict((conflict) =>
        conflict.columns(['signal_type', 'value', 'bank_id']).doUpdateSet({
          enabled: 1,
          revision,
          attributes: values.attributes ?? '{}',
          ...(options.details === true ? { category: values.category, note: values.note } : {}),
        }),
      )
      .execute();
  }
}

/** Turns an entry on or off without deleting it; a disabled entry matches nothing. */
export async function setBankEntryEnabled(
  database: Database,
  entryId: number,
  enabled: boolean,
): Promise<BankEntry> {
  return database.db.transaction().execute(async (trx) => {
    const revision = await nextBankRevision(trx);
    const row = await trx
      .updateTable('bank_entries')
      .set({ enabled: enabled ? 1 : 0, revision })
      .where('id', '=', entryId)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw new WardenError('not_found', `No bank entry with id ${entryId}.`);
    return toBankEntry(row);
  });
}

export async function getBankEntries(database: Database, entryIds: readonly number[]): Promise<BankEntry[]> {
  if (entryIds.length === 0) return [];
  const rows = await database.db.selectFrom('bank_entries').selectAll().where('id', 'in', entryIds).execute();
  return rows.map(toBankEntry);
}

export interface ListEntriesOptions {
  /** Only entries with an id greater than this (keyset pagination). */
  afterId?: number;
  limit?: number;
  signalType?: SignalType;
  includeDisabled?: boolean;
}

export async function listBankEntries(
  database: Database,
  bankName: string,
  options: ListEntriesOptions = {},
): Promise<BankEntry[]> {
  const bank = await getBank(database, bankName);
  return listEntriesOfBank(database.db, bank.id, options);
}

export async function listEntriesOfBank(
  db: Kysely<Schema>,
  bankId: BankId,
  options: ListEntriesOptions,
): Promise<BankEntry[]> {
  let query = db
    .selectFrom('bank_entries')
    .selectAll()
    .where('bank_id', '=', bankId)
    .where('id', '>', options.afterId ?? 0)
    .orderBy('id')
    .limit(Math.min(options.limit ?? 1000, 100_000));
  if (options.signalType !== undefined) query = query.where('signal_type', '=', options.signalType);
  if (options.includeDisabled !== true) query = query.where('enabled', '=', 1);
  return (await query.execute()).map(toBankEntry);
}

/** Validates one new entry against its bank; throws a WardenError saying what is wrong with it. */
export function normaliseEntry(
  bank: Bank,
  entry: NewBankEntry,
  addedAt = now(),
): Omit<Insertable<Schema['bank_entries']>, 'revision'> {
  const text = isTextSignalType(entry.signalType)
    ? checkTextEntry(entry.signalType, entry.signal, entry.attributes ?? {})
    : undefined;
  return {
    bank_id: bank.id,
    signal_type: entry.signalType,
    value: text?.value ?? parseBankSignal(entry.signalType as SignalType, entry.signal),
    attributes: text === undefined ? '{}' : JSON.stringify(text.attributes),
    category:
      entry.category === undefined || entry.category === ''
        ? bank.category
        : validateCategory(entry.category),
    source: validateText('source', entry.source ?? bank.source),
    note: validateText('note', entry.note ?? ''),
    external_id: validateText('external id', entry.externalId ?? ''),
    added_at: addedAt,
    enabled: 1,
  };
}

/**
 * The bank that decisions publish to, inside the caller's transaction: the one named, else the
 * category's first enabled bank, else a new `<category>-confirmed` bank. Throws not_found for a named
 * bank that does not exist, and conflict when `<category>-confirmed` exists but is disabled or of another
 * category (publishing there would match nothing, silently).
 */
export async function publishingBank(trx: Kysely<Schema>, named: string, category: string): Promise<string> {
  if (named !== '') return (await findBank(trx, named)).name;
  const existing = await trx
    .selectFrom('banks')
    .select('name')
    .where('category', '=', category)
    .where('enabled', '=', 1)
    .orderBy('id')
    .executeTakeFirst();
  if (existing !== undefined) return existing.name;
  const name = `${category}-confirmed`;
  const bank = await trx
    .selectFrom('banks')
    .select(['enabled', 'category'])
    .where('name', '=', name)
    .executeTakeFirst();
  if (bank === undefined) {
    await insertBank(trx, {
      name,
      category,
      source: 'local',
      description: 'Content confirmed by analysts in the review queue.',
    });
    return name;
  }
  if (bank.enabled !== 1 || bank.category !== category) {
    throw new WardenError(
      'conflict',
      `The bank "${name}" is ${bank.enabled !== 1 ? 'disabled' : `of category ${bank.category}`}: choose a bank for this confirmation, or enable a ${category} bank.`,
    );
  }
  return name;
}

// Term lists in and out of text banks, as CSV (see parseTermList for the columns). An import is all or
// nothing: every row is checked first, and one bad row refuses the file with its line number; then the
// bank (created if absent) takes every row in one transaction, under one bank revision. Terms the bank
// holds already are updated (category, attributes, note) and enabled.
import { WardenError, isWardenError } from '../errors/index.js';
import { isUniqueViolation, now } from '../store/index.js';
import type { Database } from '../store/index.js';
import { defaultTextAttributes, formatTermList, parseTermList } from '../text/index.js';
import type { TermEntry } from '../text/index.js';
import {
  findBank,
  insertBank,
  normaliseEntry,
  toBankEntry,
  validateBankName,
  writeBankEntries,
} from './banks.js';

export interface TermImportSummary {
  bank: string;
  created_bank: boolean;
  entries: number;
  terms: number;
  allow: number;
  regex: number;
}

/** Imports a CSV term list into a text bank; throws invalid_argument listing the bad rows. */
export async function importTermList(
  database: Database,
  bankName: string,
  csv: string,
  options: { source?: string } = {},
): Promise<TermImportSummary> {
  validateBankName(bankName);
  const { entries, errors, errorCount } = parseTermList(csv);
  if (errorCount > 0) {
    const shown = errors.slice(0, 20).map((error) => `line ${error.line}: ${error.message}`);
    throw new WardenError(
      'invalid_argument',
      `The term list was not imported (nothing was written): ${errorCount} bad row${errorCount === 1 ? '' : 's'}. ${shown.join(' ')}${errorCount > shown.length ? ' …' : ''}`,
      { errors },
    );
  }
  if (entries.length === 0) {
    throw new WardenError(
      'invalid_argument',
      'The term list has a header but no rows; nothing was imported.',
    );
  }
  const source = options.source ?? 'import';
  const at = now();
  return database.db
    .transaction()
    .execute(async (trx) => {
      const existing = await findBank(trx, bankName).catch((error: unknown) => {
        if (isWardenError(error) && error.code === 'not_found') return undefined;
        throw error;
      });
      const bank =
        existing ??
        (await insertBank(trx, {
          name: bankName,
          category: entries[0]?.category ?? 'other',
          source,
          description: 'text bank (terms)',
        }));
      const rows = entries.map((entry) => {
        try {
          return normaliseEntry(bank, toNewEntry(entry, source), at);
        } catch (error) {
          if (!isWardenError(error)) throw error;
          throw new WardenError(
            'invalid_argument',
            `line ${entry.line}: ${error.message} Nothing was imported.`,
          );
        }
      });
      await writeBankEntries(trx, rows, { details: true });
      return {
        bank: bankName,
        created_bank: existing === undefined,
        entries: entries.length,
        terms: entries.filter((entry) => !entry.regex && !entry.allow).length,
        allow: entries.filter((entry) => entry.allow).length,
        regex: entries.filter((entry) => entry.regex).length,
      };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw new WardenError(
          'conflict',
          `The bank "${bankName}" was created at the same time; import again.`,
        );
      }
      throw error;
    });
}

/** A text bank's enabled terms and rules as a CSV term list (importable again). */
export async function exportTermList(database: Database, bankName: string): Promise<string> {
  const bank = await findBank(database.db, bankName);
  const rows = await database.db
    .selectFrom('bank_entries')
    .selectAll()
    .where('bank_id', '=', bank.id)
    .where('signal_type', 'in', ['term', 'regex'])
    .where('enabled', '=', 1)
    .orderBy('id')
    .execute();
  return formatTermList(
    rows.map(toBankEntry).map((entry) => ({
      term: entry.signal,
      category: entry.category,
      ...(entry.attributes ?? defaultTextAttributes),
      regex: entry.signalType === 'regex',
      note: entry.note,
    })),
  );
}

function toNewEntry(entry: TermEntry, source: string) {
  return {
    signalType: entry.regex ? ('regex' as const) : ('term' as const),
    signal: entry.term,
    category: entry.category,
    note: entry.note,
    source,
    attributes: {
      severity: entry.severity,
      language: entry.language,
      match: entry.match,
      allow: entry.allow,
    },
  };
}

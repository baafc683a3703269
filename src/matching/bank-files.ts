// Bank import and export as files: CSV with a `signal_type,signal` header (the columns ThreatExchange and
// HMA tools use, plus optional metadata) and plain one-hash-per-line text. An import reads the file twice:
// first to validate every line without keeping it in memory, then to write it in one transaction, so a
// file with any bad line writes nothing, and a file of millions of lines needs little memory. The write
// is the database's long write (one transaction that other requests neither wait behind to read nor slip
// into; on SQLite on a connection of its own) in batches with a turn of the event loop between them, so the
// server keeps answering during an import of millions of lines. CSV cells are escaped against spreadsheet
// formulas on export and unescaped on import (text/csv-cells.ts).
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { WardenError, isWardenError } from '../errors/index.js';
import { nextBankRevision, now } from '../store/index.js';
import type { Database, SignalType } from '../store/index.js';
import { formatCsv, unescapeCsvCell } from '../text/index.js';
import { getBank, listEntriesOfBank, normaliseEntry, validateSignalType } from './banks.js';
import type { Bank, NewBankEntry } from './banks.js';

export type BankFileFormat = 'csv' | 'txt';

export interface ImportProgress {
  phase: 'validating' | 'writing';
  /** Bytes read while validating; entries written while writing. */
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Default: from the file name (`.csv`) or from a first line that starts with `signal_type`. */
  format?: BankFileFormat;
  /** For plain text files: the type of every line (default pdq). */
  signalType?: SignalType;
  /** Recorded as each new entry's source (default: the file name). */
  source?: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Awaited between written batches, inside the transaction (tests hold an import there). */
  betweenBatches?: () => Promise<void>;
}

export interface ImportSummary {
  bank: string;
  format: BankFileFormat;
  /** Entries in the file (blank lines and comments not counted). */
  entries: number;
  added: number;
  /** Entries the bank already held (or repeated in the file); left as they were. */
  alreadyPresent: number;
  /** CSV columns Warden does not know, which were not imported. */
  ignoredColumns: string[];
}

export interface ImportLineError {
  line: number;
  message: string;
}

const csvColumns = ['signal_type', 'signal', 'category', 'note', 'source', 'external_id'] as const;
const maxReportedErrors = 20;
const maxLineLength = 10_000;
const batchSize = 500;

interface ParsedLine {
  line: number;
  entry?: NewBankEntry;
  error?: string;
}

interface FileReader {
  lines: AsyncGenerator<ParsedLine>;
  bytesRead: () => number;
  ignoredColumns: () => string[];
}

/** Imports a file into an existing bank: all of it, or (if any line is invalid) none of it. */
export async function importBankFile(
  database: Database,
  bankName: string,
  path: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const bank = await getBank(database, bankName);
  const size = await fileSize(path);
  const format = options.format ?? (await detectFormat(path));
  const source = options.source ?? path.split(/[\\/]/).pop() ?? 'import';
  const open = () => readBankFile(path, format, options.signalType ?? 'pdq', source);

  // Pass 1: validate everything, keeping only counts and the first few errors.
  const errors: ImportLineError[] = [];
  let invalid = 0;
  let valid = 0;
  const reader = open();
  let lastReport = 0;
  for await (const parsed of reader.lines) {
    const error = parsed.error ?? (parsed.entry ? validationError(bank, parsed.entry) : undefined);
    if (error === undefined) valid += 1;
    else {
      invalid += 1;
      if (errors.length < maxReportedErrors) errors.push({ line: parsed.line, message: error });
    }
    if (options.onProgress && reader.bytesRead() - lastReport > 1 << 20) {
      lastReport = reader.bytesRead();
      options.onProgress({ phase: 'validating', done: lastReport, total: size });
    }
  }
  options.onProgress?.({ phase: 'validating', done: size, total: size });
  if (invalid > 0) {
    const shown = errors.map((error) => `line ${error.line}: ${error.message}`).join('; ');
    const more = invalid > errors.length ? ` (and ${invalid - errors.length} more)` : '';
    throw new WardenError(
      'invalid_import',
      `Import of ${path} into bank "${bank.name}" rejected: ${invalid} invalid line${invalid === 1 ? '' : 's'}${more}; nothing was written. Fix the file and import it again. ${shown}`,
      { errors, errorCount: invalid },
    );
  }
  if (valid === 0) {
    throw new WardenError(
      'invalid_import',
      `${path} holds no entries (only blank lines, comments or a header). Nothing was written.`,
    );
  }

  // Pass 2: write in one transaction, in batches; a signal already in the bank is left as it is.
  const added = await database.longWrite(async (trx) => {
    const revision = await nextBankRevision(trx);
    const addedAt = now();
    let inserted = 0;
    let written = 0;
    let batch: ReturnType<typeof normaliseEntry>[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const result = await trx
        .insertInto('bank_entries')
        .values(batch.map((row) => ({ ...row, revision })))
        .onConflict((conflict) => conflict.columns(['signal_type', 'value', 'bank_id']).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
      written += batch.length;
      batch = [];
      options.onProgress?.({ phase: 'writing', done: written, total: valid });
      await options.betweenBatches?.();
      await yieldToEventLoop();
    };
    for await (const parsed of open().lines) {
      if (parsed.entry === undefined) {
        throw new WardenError(
          'invalid_import',
          `${path} changed while it was being imported (line ${parsed.line}); nothing was written.`,
        );
      }
      batch.push(normaliseEntry(bank, parsed.entry, addedAt));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return inserted;
  });

  return {
    bank: bank.name,
    format,
    entries: valid,
    added,
    alreadyPresent: valid - added,
    ignoredColumns: reader.ignoredColumns(),
  };
}

function validationError(bank: Bank, entry: NewBankEntry): string | undefined {
  try {
    normaliseEntry(bank, entry);
    return undefined;
  } catch (error) {
    if (isWardenError(error)) return error.message;
    throw error;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new WardenError('invalid_argument', `${path} is not a file.`);
    return info.size;
  } catch (error) {
    if (isWardenError(error)) throw error;
    throw new WardenError('not_found', `Cannot read ${path}: ${(error as Error).message}.`);
  }
}

async function detectFormat(path: string): Promise<BankFileFormat> {
  if (path.toLowerCase().endsWith('.csv')) return 'csv';
  const lines = createInterface({ input: createReadStream(path, { end: 4095 }), crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    return /^\uFEFF?"?signal_type"?\s*,/i.test(line) ? 'csv' : 'txt';
  }
  return 'txt';
}

function readBankFile(
  path: string,
  format: BankFileFormat,
  signalType: SignalType,
  source: string,
): FileReader {
  const input = createReadStream(path);
  const bytesRead = () => input.bytesRead;
  if (format === 'txt') {
    return { lines: readTextLines(input, signalType, source), bytesRead, ignoredColumns: () => [] };
  }
  let ignored: string[] = [];
  return {
    lines: readCsvLines(input, source, (columns) => (ignored = columns)),
    bytesRead,
    ignoredColumns: () => ignored,
  };
}

async function* readTextLines(
  input: NodeJS.ReadableStream,
  signalType: SignalType,
  source: string,
): AsyncGenerator<ParsedLine> {
  let line = 0;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    const text = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (text === '' || text.startsWith('#')) continue;
    if (text.length > maxLineLength) {
      yield { line, error: `the line is ${text.length} characters long; expected one hash per line` };
      continue;
    }
    yield { line, entry: { signalType, signal: text, source } };
  }
}

async function* readCsvLines(
  input: NodeJS.ReadableStream,
  source: string,
  reportIgnored: (columns: string[]) => void,
): AsyncGenerator<ParsedLine> {
  let header: string[] | undefined;
  const parser = input.pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: maxLineLength,
      info: true,
    }),
  );
  try {
    for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = record.info.lines;
      const cells = record.record.map(unescapeCsvCell);
      if (header === undefined) {
        header = cells.map((name) => name.toLowerCase());
        if (!header.includes('signal_type') || !header.includes('signal')) {
          throw new WardenError(
            'invalid_import',
            `line ${line}: a CSV bank file must start with a header naming the columns signal_type and signal (optional: ${csvColumns.slice(2).join(', ')}); found "${cells.join(',').slice(0, 200)}".`,
          );
        }
        reportIgnored(header.filter((name) => !(csvColumns as readonly string[]).includes(name)));
        continue;
      }
      const fields = new Map(header.map((name, index) => [name, cells[index] ?? '']));
      if (cells.length !== header.length) {
        yield {
          line,
          error: `expected ${header.length} columns as in the header, found ${cells.length}`,
        };
        continue;
      }
      let signalType: SignalType;
      try {
        signalType = validateSignalType(fields.get('signal_type') ?? '');
      } catch (error) {
        yield { line, error: (error as Error).message };
        continue;
      }
      const optional = (name: string) => {
        const value = fields.get(name);
        return value === undefined || value === '' ? undefined : value;
      };
      yield {
        line,
        entry: {
          signalType,
          signal: fields.get('signal') ?? '',
          category: optional('category'),
          note: optional('note'),
          source: optional('source') ?? source,
          externalId: optional('external_id'),
        },
      };
    }
  } catch (error) {
    if (isWardenError(error)) throw error;
    const message = (error as Error).message;
    throw new WardenError('invalid_import', `The CSV file is malformed: ${message}. Nothing was written.`);
  }
}

export interface ExportOptions {
  format?: BankFileFormat;
  /** Export only entries of this type; required for a text export of a bank holding several types. */
  signalType?: SignalType;
}

/** Checks that a bank exists and can be exported as asked, before any byte is written. */
export async function checkBankExport(
  database: Database,
  bankName: string,
  options: ExportOptions = {},
): Promise<Bank> {
  const bank = await getBank(database, bankName);
  if ((options.format ?? 'csv') === 'txt' && options.signalType === undefined) {
    const types = await database.db
      .selectFrom('bank_entries')
      .select('signal_type')
      .distinct()
      .where('bank_id', '=', bank.id)
      .where('enabled', '=', 1)
      .execute();
    if (types.length > 1) {
      throw new WardenError(
        'invalid_argument',
        `Bank "${bank.name}" holds ${types.map((row) => row.signal_type).join(' and ')} entries; a text export holds one type. Choose one with --signal-type, or export as CSV.`,
      );
    }
  }
  return bank;
}

/** Writes a bank's enabled entries to a stream, in the order they were added. */
export async function exportBankFile(
  database: Database,
  bankName: string,
  output: NodeJS.WritableStream,
  options: ExportOptions = {},
): Promise<number> {
  const bank = await checkBankExport(database, bankName, options);
  const format = options.format ?? 'csv';
  const write = async (text: string) => {
    if (!output.write(text)) await once(output, 'drain');
  };
  if (format === 'csv') await write(formatCsv([[...csvColumns, 'added_at']]));
  let afterId = 0;
  let count = 0;
  for (;;) {
    const entries = await listEntriesOfBank(database.db, bank.id, {
      afterId,
      limit: 10_000,
      ...(options.signalType === undefined ? {} : { signalType: options.signalType }),
    });
    if (entries.length === 0) break;
    const text =
      format === 'csv'
        ? formatCsv(
            entries.map((entry) => [
              entry.signalType,
              entry.signal,
              entry.category,
              entry.note,
              entry.source,
              entry.externalId,
              entry.addedAt,
            ]),
          )
        : entries.map((entry) => entry.signal).join('\n') + '\n';
    await write(text);
    count += entries.length;
    afterId = entries[entries.length - 1]?.id ?? afterId;
  }
  return count;
}

// Term lists as CSV: what `warden text import NAME FILE` reads and `warden text export` writes. A list is
// taken whole or not at all: parseTermList checks every row and returns either all the entries or the
// errors (with the file's line numbers, header = line 1), never part of a list. The rules mirror what a
// text bank accepts (see entries.ts), so that a list that parses is a list that imports.
//
// Columns: term and category are required; severity (1 low … 5 critical, default 3, or the words low = 1,
// medium = 2, high = 4, critical = 5), language (a BCP 47 tag, default none), match (word or substring,
// default word), allow (an allow-list entry, such as "Scunthorpe"), regex (the term is a regular
// expression, checked by checkRegexRule) and note
// are optional. Header names are trimmed and case-insensitive; an unknown column is refused rather than
// ignored, because a misspelt "severty" would otherwise silently import every row at the default. Cells are
// escaped against spreadsheet formulas as csv-cells.ts describes: one leading apostrophe is taken off each.
import { parse } from 'csv-parse/sync';
import { formatCsv, unescapeCsvCell } from './csv-cells.js';
import { languagePattern, maxTermLength } from './entries.js';
import type { TermMatchMode } from './entries.js';
import { checkRegexRule, maxRegexRuleLength } from './regex-rules.js';

export type { TermMatchMode };

export interface TermEntry {
  /** The term as written (trimmed, NFC), or a regular expression when `regex` is true. */
  term: string;
  category: string;
  /** 1 (low) to 5 (critical); the configured block severity decides what blocks. */
  severity: number;
  /** BCP 47 tag of the term's language in canonical form (e.g. pt-BR), or '' for any. */
  language: string;
  /** Ignored for regular expressions, which say where words begin and end themselves (\b). */
  match: TermMatchMode;
  /** An allow-list entry: matches of other terms that lie inside it are not reported. */
  allow: boolean;
  regex: boolean;
  note: string;
  /** Line of the file where the row starts. */
  line: number;
}

export interface TermListError {
  line: number;
  message: string;
}

export interface TermListParse {
  /** Every entry, or none when there are errors. */
  entries: TermEntry[];
  /** The first 100 errors, in file order. */
  errors: TermListError[];
  /** How many errors there were in all (more than errors.length when the list was cut). */
  errorCount: number;
}

const columns = ['term', 'category', 'severity', 'language', 'match', 'allow', 'regex', 'note'] as const;
type Column = (typeof columns)[number];

export const defaultSeverity = 3;
const maxNoteLength = 1000;
const maxReportedErrors = 100;
// The rule banks.ts applies to bank categories. It cannot be imported from the matching domain, which
// itself imports this one.
const categoryPattern = /^[a-z][a-z0-9_-]{0,31}$/;
// Lists from other tools grade terms in words. With the default block severity of 3, high and critical
// block and low and medium go to review, which is what those words promise.
const severityWords: Record<string, number> = { low: 1, medium: 2, high: 4, critical: 5 };
const booleanWords: Record<string, boolean> = {
  true: true,
  yes: true,
  1: true,
  false: false,
  no: false,
  0: false,
};

class StopParsing extends Error {}

/** Parses a whole CSV text; returns every entry, or the errors found (the first 100), never a partial list. */
export function parseTermList(csv: string): TermListParse {
  const errors: TermListError[] = [];
  let errorCount = 0;
  const fail = (line: number, message: string) => {
    errorCount += 1;
    if (errors.length < maxReportedErrors) errors.push({ line, message });
  };
  const lines = new LineCounter(Buffer.from(csv, 'utf8'));
  const records: { fields: string[]; line: number }[] = [];
  let syntaxError: { line: number; message: string } | undefined;
  let rowStart = 0;
  try {
    parse(csv, {
      bom: true,
      trim: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_records_with_error: true,
      max_record_size: 20_000,
      on_record: (fields: string[], info: { bytes: number }) => {
        records.push({ fields, line: lines.lineAt(rowStart) });
        rowStart = info.bytes;
        return null;
      },
      on_skip: (error: unknown) => {
        // After a malformed row, the CSV structure of the rest of the file is anybody's guess: stop.
        syntaxError = { line: lines.lineAt(rowStart), message: csvComplaint(error) };
        throw new StopParsing();
      },
    });
  } catch (error) {
    if (!(error instanceof StopParsing)) {
      syntaxError ??= { line: lines.lineAt(rowStart), message: csvComplaint(error) };
    }
  }

  const rows = records.filter((record) => record.fields.some((field) => field !== ''));
  const header = rows.shift();
  const columnsOf = header === undefined ? undefined : readHeader(header.fields, header.line, fail);
  const entries: TermEntry[] = [];
  const seen = new Map<string, TermEntry>();
  if (columnsOf !== undefined) {
    for (const row of rows) {
      if (row.fields.length !== columnsOf.size) {
        fail(row.line, `expected ${columnsOf.size} fields as in the header, found ${row.fields.length}`);
        continue;
      }
      const field = (column: Column) => {
        const index = columnsOf.get(column);
        const cell = index === undefined ? '' : unescapeCsvCell(row.fields[index] ?? '');
        // A note is free text: spaces it was written with inside quotes are its own.
        return column === 'note' ? cell : cell.trim();
      };
      const entry = readRow(field, row.line, (message) => fail(row.line, message));
      if (entry === undefined) continue;
      const key = `${entry.regex ? 'regex' : 'term'}\u0000${entry.regex ? entry.term : entry.term.toLowerCase()}`;
      const earlier = seen.get(key);
      if (earlier === undefined) {
        seen.set(key, entry);
        entries.push(entry);
      } else if (!sameEntry(earlier, entry)) {
        fail(
          row.line,
          `the ${entry.regex ? 'regular expression' : 'term'} ${quote(entry.term)} is already on line ${earlier.line}${earlier.term === entry.term ? '' : ` (as ${quote(earlier.term)})`} with different settings; keep one row for it`,
        );
      }
      // An identical repeat of an earlier row adds nothing and is dropped.
    }
  } else if (header === undefined && syntaxError === undefined) {
    fail(
      1,
      `the file is empty; expected a header naming the columns ${columns.join(', ')} (term and category required)`,
    );
  }
  if (syntaxError !== undefined) fail(syntaxError.line, syntaxError.message);
  errors.sort((a, b) => a.line - b.line);
  return errorCount > 0 ? { entries: [], errors, errorCount } : { entries, errors: [], errorCount: 0 };
}

/** Writes entries as CSV with a header; parseTermList reads back the same entries. */
export function formatTermList(entries: readonly Omit<TermEntry, 'line'>[]): string {
  return formatCsv([
    [...columns],
    ...entries.map((entry) => [
      entry.term,
      entry.category,
      String(entry.severity),
      entry.language,
      entry.match,
      String(entry.allow),
      String(entry.regex),
      entry.note,
    ]),
  ]);
}

function readHeader(
  names: readonly string[],
  line: number,
  fail: (line: number, message: string) => void,
): Map<Column, number> | undefined {
  const normalised = names.map((name) => name.trim().toLowerCase());
  const known = `known columns: ${columns.join(', ')}`;
  if (!normalised.includes('term') || !normalised.includes('category')) {
    const found = names.join(',');
    fail(
      line,
      `the first line must be a header naming at least the columns term and category (${known}); found ${quote(found.length > 120 ? `${found.slice(0, 119)}…` : found)}`,
    );
    return undefined;
  }
  const positions = new Map<Column, number>();
  const unknown: string[] = [];
  let ok = true;
  normalised.forEach((name, index) => {
    if (!(columns as readonly string[]).includes(name))
      unknown.push(name === '' ? '(an empty name)' : quote(name));
    else if (positions.has(name as Column)) {
      fail(line, `the column ${name} appears twice in the header`);
      ok = false;
    } else positions.set(name as Column, index);
  });
  if (unknown.length > 0) {
    fail(
      line,
      `unknown column${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} in the header (${known})`,
    );
    ok = false;
  }
  return ok ? positions : undefined;
}

function readRow(
  field: (column: Column) => string,
  line: number,
  fail: (message: string) => void,
): TermEntry | undefined {
  const before = { count: 0 };
  const problem = (message: string) => {
    before.count += 1;
    fail(message);
  };
  const regex = readBoolean('regex', field('regex'), problem);
  const allow = readBoolean('allow', field('allow'), problem);
  const term = field('term').normalize('NFC').trim();
  const kind = regex ? 'regular expression' : 'term';
  const limit = regex ? maxRegexRuleLength : maxTermLength;
  if (term === '') problem(`the ${kind} is empty`);
  else if (term.length > limit)
    problem(`the ${kind} is ${term.length} characters long; the limit is ${limit}`);
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f\u007f]/.test(term)) {
    problem(
      `the ${kind} ${quote(term)} contains a line break or another control character; write it on one line`,
    );
  }
  const category = field('category');
  if (!categoryPattern.test(category)) {
    problem(
      category === ''
        ? 'the category is empty; name one such as harassment, spam or other'
        : `the category ${quote(category)} is not a lowercase word such as harassment, spam or other (letters, digits, "_" or "-", up to 32 characters)`,
    );
  }
  const severityText = field('severity');
  const severity =
    severityText === ''
      ? defaultSeverity
      : (severityWords[severityText.toLowerCase()] ?? Number(severityText));
  if (!/^[1-5]?$/.test(severityText) && severityWords[severityText.toLowerCase()] === undefined) {
    problem(
      `the severity ${quote(severityText)} is neither a whole number from 1 (low) to 5 (critical) nor one of low, medium, high, critical`,
    );
  }
  const language = readLanguage(field('language'), problem);
  const matchText = field('match').toLowerCase();
  const match: TermMatchMode = matchText === 'substring' ? 'substring' : 'word';
  if (matchText !== '' && matchText !== 'word' && matchText !== 'substring') {
    problem(
      `the match mode ${quote(field('match'))} is neither word (whole words only) nor substring (anywhere)`,
    );
  }
  const note = field('note').replace(/\r\n?/g, '\n');
  if (note.length > maxNoteLength)
    problem(`the note is ${note.length} characters long; the limit is ${maxNoteLength}`);
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(note))
    problem('the note contains control characters; remove them');
  if (regex && allow) {
    problem('an allow-list entry is a term, not a regular expression; set regex or allow to false');
  } else if (regex && term !== '' && before.count === 0) {
    const check = checkRegexRule(term);
    if (!check.ok) problem(`the regular expression is refused: ${check.reason}`);
  }
  if (before.count > 0) return undefined;
  return { term, category, severity, language, match, allow, regex, note, line };
}

function readBoolean(column: Column, text: string, problem: (message: string) => void): boolean {
  if (text === '') return false;
  const value = booleanWords[text.toLowerCase()];
  if (value === undefined)
    problem(`${column} is ${quote(text)}; write true or false (yes/no and 1/0 also do)`);
  return value ?? false;
}

function readLanguage(text: string, problem: (message: string) => void): string {
  if (text === '') return '';
  try {
    const [canonical] = Intl.getCanonicalLocales(text);
    if (canonical !== undefined && languagePattern.test(canonical)) return canonical;
  } catch {
    // Refused below, with the same message as a tag of the wrong shape.
  }
  problem(
    `the language ${quote(text)} is not a BCP 47 tag such as en, de or pt-BR (leave it empty for any language)`,
  );
  return '';
}

function sameEntry(a: TermEntry, b: TermEntry): boolean {
  return (
    a.term === b.term &&
    a.category === b.category &&
    a.severity === b.severity &&
    a.language === b.language &&
    a.match === b.match &&
    a.allow === b.allow &&
    a.note === b.note
  );
}

function csvComplaint(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field that starts in this row is never closed: add the missing " (a quote inside a quoted field is written twice: "")';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'a quoted field is followed by more text before the next comma: quote the whole field, and write a quote inside it twice ("")';
    case 'CSV_MAX_RECORD_SIZE':
      return 'the row is too long (over 20,000 characters); is a closing quote missing?';
    default:
      return `the CSV is malformed here (${error instanceof Error ? error.message : String(error)})`;
  }
}

function quote(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/[\u0000-\u001f\u007f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Line numbers of byte offsets, asked in increasing order: "\n", "\r\n" and a lone "\r" each end a line. */
class LineCounter {
  private offset = 0;
  private line = 1;

  constructor(private readonly bytes: Uint8Array) {}

  lineAt(target: number): number {
    for (; this.offset < target && this.offset < this.bytes.length; this.offset += 1) {
      const byte = this.bytes[this.offset];
      if (byte === 0x0a || (byte === 0x0d && this.bytes[this.offset + 1] !== 0x0a)) this.line += 1;
    }
    return this.line;
  }
}

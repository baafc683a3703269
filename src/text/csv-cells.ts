// CSV cells that a spreadsheet opens as the text they hold. Spreadsheets run a cell that starts with `=`,
// `+`, `-` or `@` as a formula (some after dropping a leading tab or carriage return), so a note such as
// =HYPERLINK("http://…") in an exported bank or term list would run on the machine of whoever opens it.
// Exports therefore put an apostrophe — the mark spreadsheets themselves use for "text, not a formula" —
// before such a cell, and before a cell that already starts with an apostrophe; imports take exactly one
// leading apostrophe off every cell, so export → import gives back every cell exactly as it was.
import { stringify } from 'csv-stringify/sync';

const marked = /^[=+\-@\t\r']/;
// Readers trim whitespace around unquoted cells; quoting keeps a cell's own leading and trailing spaces.
const surroundingSpace = /^\s|\s$/;

/** A cell's text as an export writes it: never starting with a formula character. */
export function escapeCsvCell(text: string): string {
  return marked.test(text) ? `'${text}` : text;
}

/** A cell's text as an import reads it: the inverse of escapeCsvCell. */
export function unescapeCsvCell(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

/** Rows as CSV, every cell escaped (escapeCsvCell) and quoted where a trimming reader would change it. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  return stringify(
    rows.map((row) => row.map(escapeCsvCell)),
    { quoted_match: surroundingSpace },
  );
}

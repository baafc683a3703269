// Exported CSV cells never start a spreadsheet formula, and the import gives every cell back as it was.
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeCsvCell, formatCsv, unescapeCsvCell } from './csv-cells.js';

const formulaStart = /^[=+\-@\t\r]/;
// Any text, weighted towards what matters here: formula characters, apostrophes, spaces, quotes, line ends.
const cellText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc
    .array(
      fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', "'", ' ', '"', ',', 'a', '1', 'é', '\u00a0'),
      {
        maxLength: 8,
      },
    )
    .map((chars) => chars.join('')),
);

describe('CSV cells', () => {
  it('never start with a formula character, and unescape to the text that was escaped', () => {
    fc.assert(
      fc.property(cellText, (text) => {
        const cell = escapeCsvCell(text);
        expect(cell).not.toMatch(formulaStart);
        expect(unescapeCsvCell(cell)).toBe(text);
      }),
      { numRuns: 2000 },
    );
    expect(escapeCsvCell('=HYPERLINK("http://example.org")')).toBe('\'=HYPERLINK("http://example.org")');
    expect(escapeCsvCell("'quoted")).toBe("''quoted");
    expect(escapeCsvCell('plain')).toBe('plain');
  });

  it('survive formatCsv and a trimming CSV reader exactly, whatever their text', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cellText, { minLength: 2, maxLength: 4 }), { maxLength: 5 }), (rows) => {
        const written = formatCsv([['header', 'row'], ...rows]);
        // The readers of bank files and term lists trim unquoted cells and strip a byte-order mark.
        const read = parse(written, { bom: true, trim: true, relax_column_count: true });
        expect(read.slice(1).map((row) => row.map(unescapeCsvCell))).toEqual(rows);
        for (const row of read) for (const cell of row) expect(cell).not.toMatch(formulaStart);
      }),
      { numRuns: 1000 },
    );
  });
});

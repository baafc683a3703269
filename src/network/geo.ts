// Where an address is: a table of IP ranges and the country each is in, loaded from a CSV file such as
// the free DB-IP or IP2Location "lite" country files (WARDEN_GEOIP_FILE). Used to record the hosting
// country of reported URLs; the table is only as good as the file the operator supplies.
import { readFile } from 'node:fs/promises';
import { configEnvironment } from '../config/index.js';
import { WardenError } from '../errors/index.js';
import { parseIpAddress, unmapIpv4 } from './addresses.js';
import type { IpAddress } from './addresses.js';

interface Range {
  start: bigint;
  end: bigint;
  country: string;
  line: number;
}

/** Sorted, non-overlapping ranges of one address family, searched by bisection. */
interface FamilyTable {
  starts: bigint[];
  ends: bigint[];
  countries: string[];
}

const maxIpv4 = 0xffffffffn;

/** IP ranges to countries. Immutable once loaded; lookups are a binary search. */
export class GeoIpTable {
  private constructor(private readonly families: Record<4 | 6, FamilyTable>) {}

  /**
   * Loads a CSV file of `start,end,country` rows: IPv4 or IPv6 addresses, or IPv4 as decimal integers;
   * the country a two-letter code. A header line, blank lines, `#` comments, quoted fields and further
   * columns (a country name) are accepted. Throws WardenError 'configuration' naming the file and line
   * of the first malformed or overlapping row.
   */
  static async load(file: string): Promise<GeoIpTable> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new WardenError(
        'configuration',
        `Cannot read the GeoIP file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check ${configEnvironment.geoIpFile}.`,
        { file },
      );
    }
    return GeoIpTable.parse(text, file);
  }

  /** Builds a table from CSV text; `source` names it in errors. */
  static parse(text: string, source: string): GeoIpTable {
    const ranges: Record<4 | 6, Range[]> = { 4: [], 6: [] };
    const lines = text.split(/\r?\n/);
    let firstRow = true;
    for (let index = 0; index < lines.length; index += 1) {
      const line = (lines[index] ?? '').replace(/^\uFEFF/, '').trim();
      if (line === '' || line.startsWith('#')) continue;
      const fields = line.split(',').map((field) =>
        field
          .trim()
          .replace(/^"(.*)"$/, '$1')
          .trim(),
      );
      const [startText = '', endText = '', countryText = ''] = fields;
      const start = parseBound(startText);
      const end = parseBound(endText);
      // The first row may be a header (start,end,country or any other names).
      const header = firstRow && start === undefined && end === undefined;
      firstRow = false;
      if (header) continue;
      const fail: (problem: string) => never = (problem) => {
        throw new WardenError(
          'configuration',
          `${source}, line ${index + 1}: ${problem}. Each line must be start,end,country (addresses or IPv4 integers, a two-letter country code); check ${configEnvironment.geoIpFile}.`,
          { file: source, line: index + 1 },
        );
      };
      if (fields.length < 3) fail(`expected 3 columns, found ${fields.length}`);
      if (start === undefined) fail(`"${startText.slice(0, 60)}" is not an IP address`);
      if (end === undefined) fail(`"${endText.slice(0, 60)}" is not an IP address`);
      if (start.family !== end.family) fail('the start and end addresses are of different IP versions');
      if (start.value > end.value) fail('the start address comes after the end address');
      // "-" and "ZZ" mark unassigned space in common files: nothing to record.
      if (countryText === '-' || /^zz$/i.test(countryText)) continue;
      if (!/^[a-z]{2}$/i.test(countryText))
        fail(`"${countryText.slice(0, 60)}" is not a two-letter country code`);
      ranges[start.family].push({
        start: start.value,
        end: end.value,
        country: countryText.toUpperCase(),
        line: index + 1,
      });
    }
    return new GeoIpTable({ 4: build(ranges[4], source), 6: build(ranges[6], source) });
  }

  /** The two-letter country of an address (IPv4, IPv6, IPv4-mapped IPv6), or '' when unknown. */
  lookup(address: string): string {
    const parsed = address === '' ? undefined : parseIpAddress(address);
    if (parsed === undefined) return '';
    const { family, value } = unmapIpv4(parsed);
    const table = this.families[family];
    // The last range starting at or before the address.
    let low = 0;
    let high = table.starts.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if ((table.starts[middle] ?? 0n) <= value) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found < 0 || (table.ends[found] ?? -1n) < value) return '';
    return table.countries[found] ?? '';
  }

  /** Number of ranges loaded, IPv4 and IPv6 together. */
  get size(): number {
    return this.families[4].starts.length + this.families[6].starts.length;
  }
}

/** An address, or an IPv4 address written as a decimal integer. */
function parseBound(text: string): IpAddress | undefined {
  if (/^\d{1,10}$/.test(text)) {
    const value = BigInt(text);
    return value <= maxIpv4 ? { family: 4, value } : undefined;
  }
  const address = parseIpAddress(text);
  return address === undefined ? undefined : unmapIpv4(address);
}

function build(ranges: Range[], source: string): FamilyTable {
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const table: FamilyTable = { starts: [], ends: [], countries: [] };
  let previous: Range | undefined;
  for (const range of ranges) {
    if (previous !== undefined && range.start <= previous.end) {
      throw new WardenError(
        'configuration',
        `${source}, line ${range.line}: this range overlaps the range on line ${previous.line}; each address may be in one range only. Check ${configEnvironment.geoIpFile}.`,
        { file: source, line: range.line },
      );
    }
    table.starts.push(range.start);
    table.ends.push(range.end);
    table.countries.push(range.country);
    previous = range;
  }
  return table;
}

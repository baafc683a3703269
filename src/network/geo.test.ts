// The GeoIP table: CSV ranges in the common spellings, lookups of IPv4 and IPv6, and refusals that name
// the file and line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WardenError } from '../errors/index.js';
import { useTemporaryDirectory } from '../../test/support/index.js';
import { GeoIpTable } from './index.js';

const sample = [
  'start,end,country',
  '1.0.0.0,1.0.0.255,AU',
  '# a comment, then a blank line',
  '',
  '"2.16.0.0","2.16.255.255","fr","France"',
  '16777472,16777727,cn',
  '8.8.8.0,8.8.8.255,US',
  '2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP',
  '2a00:1450::,2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff,IE',
  '9.9.9.0,9.9.9.255,-',
].join('\r\n');

describe('GeoIpTable', () => {
  const directory = useTemporaryDirectory();
  const load = (text: string) => {
    const file = join(directory(), 'geo.csv');
    writeFileSync(file, text);
    return { file, table: GeoIpTable.load(file) };
  };

  it('looks up IPv4 and IPv6 addresses in every spelling the file and the caller use', async () => {
    const table = await load(sample).table;
    expect(table.size).toBe(6);
    expect(table.lookup('1.0.0.0')).toBe('AU');
    expect(table.lookup('1.0.0.255')).toBe('AU');
    expect(table.lookup('1.0.1.0')).toBe('CN'); // 16777472 = 1.0.1.0
    expect(table.lookup('1.0.1.255')).toBe('CN');
    expect(table.lookup('1.0.2.0')).toBe('');
    expect(table.lookup('2.16.4.4')).toBe('FR');
    expect(table.lookup('8.8.8.8')).toBe('US');
    expect(table.lookup('::ffff:8.8.8.8')).toBe('US');
    expect(table.lookup('2001:200::1')).toBe('JP');
    expect(table.lookup('[2a00:1450:4001:81c::200e]')).toBe('IE');
    expect(table.lookup('2a00:1451::1')).toBe('');
    expect(table.lookup('0.0.0.0')).toBe('');
    expect(table.lookup('255.255.255.255')).toBe('');
    expect(table.lookup('9.9.9.9')).toBe('');
    expect(table.lookup('')).toBe('');
    expect(table.lookup('example.org')).toBe('');
  });

  it('agrees with a linear scan on many addresses', async () => {
    const rows: [number, number, string][] = [];
    for (let start = 0, index = 0; index < 500; index += 1) {
      start += 1 + ((index * 7919) % 5000);
      const end = start + ((index * 104729) % 3000);
      rows.push([start, end, String.fromCharCode(65 + (index % 26), 65 + ((index * 3) % 26))]);
      start = end;
    }
    const table = await load(rows.map((row) => row.join(',')).join('\n')).table;
    const last = rows.at(-1)?.[1] ?? 0;
    for (let probe = 0; probe < last + 10; probe += 997) {
      const expected = rows.find(([start, end]) => start <= probe && probe <= end)?.[2] ?? '';
      const address = [24, 16, 8, 0].map((shift) => (probe >>> shift) & 255).join('.');
      expect(table.lookup(address)).toBe(expected);
    }
  });

  it('refuses malformed lines, naming the file and the line', async () => {
    const cases: [string, RegExp][] = [
      ['1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.1.255', /line 2: expected 3 columns/],
      [
        'start,end,country\n1.0.0.0,1.0.0.255,AU\nnot-an-ip,1.0.0.1,AU',
        /line 3: "not-an-ip" is not an IP address/,
      ],
      ['1.0.0.0,::1,AU', /line 1: the start and end addresses are of different IP versions/],
      ['1.0.0.9,1.0.0.1,AU', /line 1: the start address comes after the end address/],
      ['1.0.0.0,1.0.0.9,Australia', /line 1: "Australia" is not a two-letter country code/],
      ['1.0.0.0,1.0.0.9,AU\n4294967296,4294967296,AU', /line 2: "4294967296" is not an IP address/],
      ['1.0.0.0,1.0.0.9,AU\n\n1.0.0.5,1.0.0.20,NZ', /line 3: this range overlaps the range on line 1/],
    ];
    for (const [text, message] of cases) {
      const { file, table } = load(text);
      const error = await table.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(WardenError);
      expect((error as WardenError).code).toBe('configuration');
      expect((error as WardenError).message).toContain(file);
      expect((error as WardenError).message).toMatch(message);
      expect((error as WardenError).message).toContain('WARDEN_GEOIP_FILE');
    }
  });

  it('says when the file cannot be read', async () => {
    await expect(GeoIpTable.load(join(directory(), 'absent.csv'))).rejects.toMatchObject({
      code: 'configuration',
      message: expect.stringMatching(/Cannot read the GeoIP file .*absent\.csv \(ENOENT\)/),
    });
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WardenError } from '../errors/index.js';
import { describeEachEngine, openTestDatabase, useTemporaryDirectory } from '../../test/support/index.js';
import {
  addBankEntry,
  createBank,
  deleteBank,
  exportBankFile,
  getBank,
  importBankFile,
  listBankEntries,
  listBanks,
  setBankEntryEnabled,
  updateBank,
} from './index.js';
import type { ImportProgress } from './index.js';

const pdqA = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const pdqB = '30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af';
const md5 = 'd41d8cd98f00b204e9800998ecf8427e';

async function capture(run: (output: Writable) => Promise<unknown>): Promise<string> {
  let text = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  await run(output);
  return text;
}

describeEachEngine('banks', (database) => {
  it('creates, lists, renames, disables and deletes banks', async () => {
    await createBank(database(), {
      name: 'standin-csam',
      category: 'csam',
      description: 'benign stand-in images',
    });
    await createBank(database(), { name: 'standin-terror', category: 'terrorism' });
    await addBankEntry(database(), 'standin-csam', { signalType: 'pdq', signal: pdqA });

    let banks = await listBanks(database());
    expect(banks.map((bank) => [bank.name, bank.category, bank.entryCount, bank.enabled])).toEqual([
      ['standin-csam', 'csam', 1, true],
      ['standin-terror', 'terrorism', 0, true],
    ]);

    await updateBank(database(), 'standin-csam', { name: 'standin-csam-2', enabled: false });
    banks = await listBanks(database());
    expect(banks.find((bank) => bank.name === 'standin-csam-2')?.enabled).toBe(false);
    await expect(getBank(database(), 'standin-csam')).rejects.toMatchObject({ code: 'not_found' });

    await deleteBank(database(), 'standin-csam-2');
    expect((await listBanks(database())).map((bank) => bank.name)).toEqual(['standin-terror']);
  });

  it('refuses duplicate and malformed names and categories with a clear error', async () => {
    await createBank(database(), { name: 'one', category: 'other' });
    await expect(createBank(database(), { name: 'one', category: 'other' })).rejects.toMatchObject({
      code: 'conflict',
      status: 409,
    });
    await expect(createBank(database(), { name: 'has space', category: 'other' })).rejects.toThrow(
      /Invalid bank name/,
    );
    await expect(createBank(database(), { name: 'two', category: 'Not A Word' })).rejects.toThrow(
      /Invalid category/,
    );
    await createBank(database(), { name: 'two', category: 'other' });
    await expect(updateBank(database(), 'two', { name: 'one' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('adds entries with metadata, normalises case, and disables one without deleting it', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    const entry = await addBankEntry(database(), 'standin', {
      signalType: 'pdq',
      signal: pdqA.toUpperCase(),
      note: 'reference bridge',
      externalId: 'ext-1',
    });
    expect(entry).toMatchObject({
      signal: pdqA,
      category: 'csam',
      note: 'reference bridge',
      externalId: 'ext-1',
      enabled: true,
    });

    const again = await addBankEntry(database(), 'standin', { signalType: 'pdq', signal: pdqA });
    expect(again.id).toBe(entry.id);
    expect(again.note).toBe('reference bridge');

    await setBankEntryEnabled(database(), entry.id, false);
    expect(await listBankEntries(database(), 'standin')).toEqual([]);
    const all = await listBankEntries(database(), 'standin', { includeDisabled: true });
    expect(all.map((found) => [found.id, found.enabled])).toEqual([[entry.id, false]]);
    await expect(setBankEntryEnabled(database(), 999_999, true)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rejects a malformed hash and says what is wrong', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    const error = await addBankEntry(database(), 'standin', { signalType: 'pdq', signal: 'abc' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).code).toBe('invalid_hash');
    expect((error as WardenError).message).toMatch(/64/);
    await expect(
      addBankEntry(database(), 'standin', { signalType: 'md5', signal: pdqA }),
    ).rejects.toMatchObject({
      code: 'invalid_hash',
    });
  });
});

describeEachEngine('bank import and export', (database) => {
  const directory = useTemporaryDirectory();
  const file = (name: string, text: string) => {
    const path = join(directory(), name);
    writeFileSync(path, text);
    return path;
  };

  it('imports CSV with metadata, ignores unknown columns, counts what was already there, and exports it back', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    await addBankEntry(database(), 'standin', { signalType: 'pdq', signal: pdqA });
    const path = file(
      'list.csv',
      `signal_type,signal,note,external_id,colour\npdq,${pdqA},dup,,red\npdq,${pdqB},"bridge, rotated",ext-9,blue\nmd5,${md5.toUpperCase()},,,green\n`,
    );
    const summary = await importBankFile(database(), 'standin', path);
    expect(summary).toEqual({
      bank: 'standin',
      format: 'csv',
      entries: 3,
      added: 2,
      alreadyPresent: 1,
      ignoredColumns: ['colour'],
    });

    const csv = await capture((output) => exportBankFile(database(), 'standin', output, { format: 'csv' }));
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('signal_type,signal,category,note,source,external_id,added_at');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 2).join(','))).toEqual([
      `pdq,${pdqA}`,
      `pdq,${pdqB}`,
      `md5,${md5}`,
    ]);
    expect(csv).toContain('"bridge, rotated",list.csv,ext-9');

    // A text export holds one signal type, so a mixed bank must be narrowed.
    await expect(
      capture((output) => exportBankFile(database(), 'standin', output, { format: 'txt' })),
    ).rejects.toThrow(/--signal-type/);
    const txt = await capture((output) =>
      exportBankFile(database(), 'standin', output, { format: 'txt', signalType: 'pdq' }),
    );
    expect(txt).toBe(`${pdqA}\n${pdqB}\n`);

    // The export imports back into another bank unchanged.
    await createBank(database(), { name: 'copy', category: 'csam' });
    const copied = await importBankFile(database(), 'copy', file('export.csv', csv));
    expect(copied.added).toBe(3);
  });

  it('exports text cells that cannot start a spreadsheet formula, and imports them back exactly', async () => {
    const lead = fc.constantFrom('=', '+', '-', '@', '\t', "'", "''", ' ', '');
    // Free text as a bank stores it: no control characters but tab and line feed.
    const text = fc
      .tuple(lead, fc.string({ maxLength: 20 }), fc.constantFrom('', ' ', '\t', '\n'))
      .map((parts) => parts.join(''))
      // eslint-disable-next-line no-control-regex
      .filter((value) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(text, text, text), { minLength: 1, maxLength: 4 }),
        async (cells) => {
          run += 1;
          await createBank(database(), { name: `from-${run}`, category: 'csam' });
          await createBank(database(), { name: `to-${run}`, category: 'csam' });
          const written = cells.map(([note, source, externalId], index) => ({
            signal: pdqA.slice(0, 60) + index.toString(16).padStart(4, '0'),
            note,
            // An empty source or external id takes the default on import, as it does on entry.
            source: source === '' ? 'x' : source,
            externalId,
          }));
          for (const entry of written)
            await addBankEntry(database(), `from-${run}`, { signalType: 'pdq', ...entry });
          const csv = await capture((output) => exportBankFile(database(), `from-${run}`, output));
          for (const cell of parseCsv(csv, { trim: true })) {
            for (const value of cell) expect(value).not.toMatch(/^[=+\-@\t\r]/);
          }
          await importBankFile(database(), `to-${run}`, file(`export-${run}.csv`, csv));
          const copied = await listBankEntries(database(), `to-${run}`);
          expect(
            copied.map(({ signal, note, source, externalId }) => ({ signal, note, source, externalId })),
          ).toEqual(written);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('answers reads and queues writes while an import is between batches, and neither sees the other', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    await createBank(database(), { name: 'other', category: 'csam' });
    const lines = Array.from({ length: 1_200 }, (_, line) => line.toString(16).padStart(64, '0'));
    let hold = () => undefined as void;
    const held = new Promise<void>((resolve) => (hold = resolve));
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const importing = importBankFile(database(), 'standin', file('many.txt', lines.join('\n')), {
      betweenBatches: async () => {
        hold();
        await released;
      },
    });
    await held;

    // Mid-import, with 500 rows written and not committed: a read is answered, from the committed state.
    expect(await listBankEntries(database(), 'standin')).toEqual([]);
    // A write waits for the import instead of failing or joining its transaction.
    let written = false;
    const writing = addBankEntry(database(), 'other', { signalType: 'pdq', signal: pdqA }).then(() => {
      written = true;
    });
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe(false);

    release();
    expect((await importing).added).toBe(1_200);
    await writing;
    expect((await listBankEntries(database(), 'other')).map((entry) => entry.signal)).toEqual([pdqA]);
    expect(await listBankEntries(database(), 'standin', { limit: 2_000 })).toHaveLength(1_200);
  });

  it('imports plain one-hash-per-line files, skipping blank lines and comments', async () => {
    await createBank(database(), { name: 'standin', category: 'terrorism' });
    const summary = await importBankFile(
      database(),
      'standin',
      file('list.txt', `# exported list\n\n${pdqA}\r\n${pdqB}\n${pdqB}\n`),
    );
    expect(summary).toMatchObject({ format: 'txt', entries: 3, added: 2, alreadyPresent: 1 });
    const md5s = await importBankFile(database(), 'standin', file('md5.txt', `${md5}\n`), {
      signalType: 'md5',
    });
    expect(md5s.added).toBe(1);
  });

  it('rejects a file with any bad line, names the lines, and writes nothing', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    const path = file('bad.txt', `${pdqA}\n${pdqB.slice(0, 63)}\nzz${pdqA.slice(2)}\n${pdqB}\n`);
    const error = (await importBankFile(database(), 'standin', path).catch((e: unknown) => e)) as WardenError;
    expect(error).toBeInstanceOf(WardenError);
    expect(error.code).toBe('invalid_import');
    expect(error.message).toMatch(/2 invalid lines/);
    expect(error.message).toMatch(/nothing was written/);
    expect((error.details?.errors as { line: number }[]).map((e) => e.line)).toEqual([2, 3]);
    expect(await listBankEntries(database(), 'standin')).toEqual([]);

    const csv = file('bad.csv', `signal_type,signal\npdq,${pdqA}\nvpdq,${pdqB}\npdq\n`);
    const csvError = (await importBankFile(database(), 'standin', csv).catch(
      (e: unknown) => e,
    )) as WardenError;
    expect((csvError.details?.errors as { line: number; message: string }[]).map((e) => e.line)).toEqual([
      3, 4,
    ]);
    expect(csvError.message).toMatch(/Unknown signal type "vpdq"/);
    expect(await listBankEntries(database(), 'standin')).toEqual([]);
  });

  it('explains a CSV without the required header, a malformed CSV, and an empty file', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    await expect(importBankFile(database(), 'standin', file('x.csv', `hash\n${pdqA}\n`))).rejects.toThrow(
      /signal_type and signal/,
    );
    await expect(
      importBankFile(database(), 'standin', file('q.csv', `signal_type,signal\npdq,"${pdqA}\n`)),
    ).rejects.toThrow(/malformed/);
    await expect(importBankFile(database(), 'standin', file('e.txt', '# nothing\n'))).rejects.toThrow(
      /no entries/,
    );
    await expect(importBankFile(database(), 'nope', file('n.txt', pdqA))).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(importBankFile(database(), 'standin', join(directory(), 'missing.txt'))).rejects.toThrow(
      /Cannot read/,
    );
  });

  it('imports tens of thousands of lines in one transaction and reports progress', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i += 1) lines.push(i.toString(16).padStart(8, '0').repeat(8));
    const progress: ImportProgress[] = [];
    const summary = await importBankFile(database(), 'standin', file('big.txt', lines.join('\n')), {
      onProgress: (update) => progress.push(update),
    });
    expect(summary.added).toBe(20_000);
    expect(progress.some((update) => update.phase === 'validating')).toBe(true);
    const writing = progress.filter((update) => update.phase === 'writing');
    expect(writing.at(-1)).toEqual({ phase: 'writing', done: 20_000, total: 20_000 });
    expect((await listBanks(database()))[0]?.entryCount).toBe(20_000);
  });
});

describe('bank file formats', () => {
  const directory = useTemporaryDirectory();

  it('detects CSV by its header even without a .csv name', async () => {
    const path = join(directory(), 'list');
    writeFileSync(path, `signal_type,signal\npdq,${pdqA}\n`);
    const database = await openTestDatabase('sqlite');
    try {
      await createBank(database, { name: 'standin', category: 'csam' });
      expect((await importBankFile(database, 'standin', path)).format).toBe('csv');
    } finally {
      await database.close();
    }
  });
});

// `warden bank ...`: create, list, change, import into and export banks of known signals.
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { WardenError } from '../errors/index.js';
import {
  addBankEntry,
  createBank,
  deleteBank,
  exportBankFile,
  importBankFile,
  listBankEntries,
  listBanks,
  setBankEntryEnabled,
  signalTypes,
  updateBank,
} from '../matching/index.js';
import type { Bank, BankEntry, BankFileFormat, ImportProgress } from '../matching/index.js';
import type { SignalType } from '../store/index.js';
import type { Context } from './context.js';
import { progressBar, writeJson, writeLine } from './io.js';
import type { Progress } from './io.js';
import type { Action } from './index.js';

const formatOption = () =>
  new Option('--format <format>', 'csv or txt (one hash per line)').choices(['csv', 'txt']);
const signalTypeOption = (what: string) => new Option('--signal-type <type>', what).choices([...signalTypes]);

export function registerBank(program: Command, action: Action): void {
  const bank = program
    .command('bank')
    .description('Manage banks: named lists of known signals (hashes) with a category.');

  bank
    .command('create')
    .description('Create a bank.')
    .argument('<name>', 'bank name: letters, digits, "_", "-", "."')
    .requiredOption(
      '--category <category>',
      'what the bank holds, e.g. csam, terrorism, ncii, harassment, other',
    )
    .option('--description <text>', 'a description for people')
    .option('--json', 'print the bank as JSON')
    .action(
      action(
        async (
          context: Context,
          name: string,
          options: { category: string; description?: string; json?: boolean },
        ) => {
          const created = await createBank(await context.database(), {
            name,
            category: options.category,
            description: options.description ?? '',
          });
          if (options.json) writeJson(context.io, bankJson(created));
          else writeLine(context.io, `Created bank ${created.name} (category ${created.category}).`);
        },
      ),
    );

  bank
    .command('list')
    .description('List the banks with their number of enabled entries.')
    .option('--json', 'one JSON object per line')
    .action(
      action(async (context: Context, options: { json?: boolean }) => {
        const banks = await listBanks(await context.database());
        if (options.json) {
          for (const found of banks) writeJson(context.io, { ...bankJson(found), entries: found.entryCount });
          return;
        }
        if (banks.length === 0) {
          writeLine(context.io, 'No banks yet. Create one with: warden bank create NAME --category CATEGORY');
          return;
        }
        const rows = banks.map((found) => [
          found.name,
          found.category,
          found.enabled ? 'enabled' : 'disabled',
          String(found.entryCount),
          found.source,
        ]);
        printColumns(context, ['NAME', 'CATEGORY', 'STATE', 'ENTRIES', 'SOURCE'], rows);
      }),
    );

  bank
    .command('update')
    .description('Rename a bank, change its category or description, enable or disable it.')
    .argument('<name>', 'the bank')
    .option('--rename <new-name>', 'new name')
    .option('--category <category>', 'new category')
    .option('--description <text>', 'new description')
    .option('--enable', 'match against this bank again')
    .option('--disable', 'stop matching against this bank (its entries are kept)')
    .action(
      action(
        async (
          context: Context,
          name: string,
          options: {
            rename?: string;
            category?: string;
            description?: string;
            enable?: boolean;
            disable?: boolean;
          },
        ) => {
          if (options.enable && options.disable)
            throw new WardenError('invalid_argument', 'Give --enable or --disable, not both.');
          const updated = await updateBank(await context.database(), name, {
            ...(options.rename === undefined ? {} : { name: options.rename }),
            ...(options.category === undefined ? {} : { category: options.category }),
            ...(options.description === undefined ? {} : { description: options.description }),
            ...(options.enable ? { enabled: true } : options.disable ? { enabled: false } : {}),
          });
          writeLine(
            context.io,
            `Bank ${updated.name}: category ${updated.category}, ${updated.enabled ? 'enabled' : 'disabled'}.`,
          );
        },
      ),
    );

  bank
    .command('delete')
    .description('Delete a bank and all its entries.')
    .argument('<name>', 'the bank')
    .requiredOption('--yes', 'confirm: the entries cannot be recovered')
    .action(
      action(async (context: Context, name: string) => {
        await deleteBank(await context.database(), name);
        writeLine(context.io, `Deleted bank ${name}.`);
      }),
    );

  bank
    .command('add')
    .description('Add one signal to a bank.')
    .argument('<name>', 'the bank')
    .option('--pdq <hex>', 'a PDQ hash (64 hex characters)')
    .option('--md5 <hex>', 'an MD5 digest (32 hex characters)')
    .option('--sha256 <hex>', 'a SHA-256 digest (64 hex characters)')
    .option('--url <url>', 'a URL for the URL list (stored normalised)')
    .option('--note <text>', 'a note for analysts')
    .option('--category <category>', "the entry's category (default: the bank's)")
    .option('--external-id <id>', 'an identifier from the source of this signal')
    .option('--json', 'print the entry as JSON')
    .action(
      action(
        async (
          context: Context,
          name: string,
          options: {
            pdq?: string;
            md5?: string;
            sha256?: string;
            url?: string;
            note?: string;
            category?: string;
            externalId?: string;
            json?: boolean;
          },
        ) => {
          const given = signalTypes.filter((type) => options[type] !== undefined);
          const signalType = given[0];
          if (signalType === undefined || given.length > 1) {
            throw new WardenError('invalid_argument', 'Give exactly one of --pdq, --md5, --sha256 or --url.');
          }
          const entry = await addBankEntry(await context.database(), name, {
            signalType,
            signal: options[signalType] ?? '',
            ...(options.note === undefined ? {} : { note: options.note }),
            ...(options.category === undefined ? {} : { category: options.category }),
            ...(options.externalId === undefined ? {} : { externalId: options.externalId }),
          });
          if (options.json) writeJson(context.io, entryJson(entry));
          else
            writeLine(
              context.io,
              `Added ${entry.signalType} ${entry.signal} to ${name} as entry ${entry.id}.`,
            );
        },
      ),
    );

  for (const [command, enabled] of [
    ['disable-entry', false],
    ['enable-entry', true],
  ] as const) {
    bank
      .command(command)
      .description(enabled ? 'Enable a bank entry again.' : 'Disable one bank entry without deleting it.')
      .argument('<entry-id>', 'the entry id (from "warden bank entries" or a match)')
      .action(
        action(async (context: Context, entryId: string) => {
          const id = Number(entryId);
          if (!Number.isSafeInteger(id) || id <= 0)
            throw new WardenError('invalid_argument', `"${entryId}" is not an entry id.`);
          const entry = await setBankEntryEnabled(await context.database(), id, enabled);
          writeLine(context.io, `Entry ${entry.id} is ${entry.enabled ? 'enabled' : 'disabled'}.`);
        }),
      );
  }

  bank
    .command('entries')
    .description("List a bank's entries.")
    .argument('<name>', 'the bank')
    .option('--json', 'one JSON object per line')
    .option('--all', 'include disabled entries')
    .option('--limit <n>', 'at most this many', '100')
    .option('--after <entry-id>', 'start after this entry id', '0')
    .action(
      action(
        async (
          context: Context,
          name: string,
          options: { json?: boolean; all?: boolean; limit: string; after: string },
        ) => {
          const entries = await listBankEntries(await context.database(), name, {
            limit: positiveInteger('--limit', options.limit),
            afterId: Number(options.after) || 0,
            includeDisabled: options.all === true,
          });
          for (const entry of entries) {
            if (options.json) writeJson(context.io, entryJson(entry));
            else
              writeLine(
                context.io,
                `${entry.id}\t${entry.signalType}\t${entry.signal}\t${entry.enabled ? '' : 'disabled\t'}${entry.note}`,
              );
          }
        },
      ),
    );

  bank
    .command('import')
    .description(
      'Import a file of signals into a bank: every line is checked first, and a file with any bad line writes nothing.',
    )
    .argument('<name>', 'the bank')
    .argument(
      '<file>',
      'CSV with a signal_type,signal header (optional: category,note,source,external_id) or one hash per line',
    )
    .addOption(formatOption())
    .addOption(signalTypeOption('for one-hash-per-line files: the type of every line').default('pdq'))
    .option('--json', 'print the summary as JSON')
    .action(
      action(
        async (
          context: Context,
          name: string,
          file: string,
          options: { format?: BankFileFormat; signalType: SignalType; json?: boolean },
        ) => {
          const bars: Partial<Record<ImportProgress['phase'], Progress>> = {};
          const summary = await importBankFile(await context.database(), name, file, {
            signalType: options.signalType,
            ...(options.format === undefined ? {} : { format: options.format }),
            onProgress: (progress) => {
              for (const phase of Object.keys(bars) as ImportProgress['phase'][])
                if (phase !== progress.phase) bars[phase]?.stop();
              bars[progress.phase] ??= progressBar(
                context.io,
                progress.phase === 'validating' ? 'Checking' : 'Writing ',
                progress.total,
                progress.phase === 'validating' ? 'bytes' : 'entries',
              );
              bars[progress.phase]?.update(progress.done, progress.total);
            },
          }).finally(() => Object.values(bars).forEach((bar) => bar.stop()));
          if (options.json) {
            writeJson(context.io, {
              bank: summary.bank,
              format: summary.format,
              entries: summary.entries,
              added: summary.added,
              already_present: summary.alreadyPresent,
              ignored_columns: summary.ignoredColumns,
            });
            return;
          }
          writeLine(
            context.io,
            `Imported ${file} into ${summary.bank}: ${summary.added} added, ${summary.alreadyPresent} already present.`,
          );
          if (summary.ignoredColumns.length > 0) {
            writeLine(context.io, `Ignored unknown columns: ${summary.ignoredColumns.join(', ')}.`);
          }
        },
      ),
    );

  bank
    .command('export')
    .description("Export a bank's enabled entries.")
    .argument('<name>', 'the bank')
    .addOption(formatOption().default('csv'))
    .addOption(signalTypeOption('only entries of this type'))
    .option('--output <file>', 'write to this file instead of standard output')
    .action(
      action(
        async (
          context: Context,
          name: string,
          options: { format: BankFileFormat; signalType?: SignalType; output?: string },
        ) => {
          const output = options.output === undefined ? context.io.stdout : createWriteStream(options.output);
          await exportBankFile(await context.database(), name, output, {
            format: options.format,
            ...(options.signalType === undefined ? {} : { signalType: options.signalType }),
          });
          if (options.output !== undefined) {
            output.end();
            await finished(output);
          }
        },
      ),
    );
}

function bankJson(bank: Bank): Record<string, unknown> {
  return {
    id: bank.id,
    name: bank.name,
    category: bank.category,
    enabled: bank.enabled,
    source: bank.source,
    description: bank.description,
    created_at: bank.createdAt,
  };
}

function entryJson(entry: BankEntry): Record<string, unknown> {
  return {
    id: entry.id,
    signal_type: entry.signalType,
    signal: entry.signal,
    category: entry.category,
    enabled: entry.enabled,
    note: entry.note,
    source: entry.source,
    external_id: entry.externalId,
    added_at: entry.addedAt,
  };
}

export function positiveInteger(option: string, value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new WardenError('invalid_argument', `${option} takes a whole number; got "${value}".`);
  }
  return number;
}

function printColumns(context: Context, header: string[], rows: string[][]): void {
  const widths = header.map((name, column) =>
    Math.max(name.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  for (const row of [header, ...rows]) {
    writeLine(
      context.io,
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
}
